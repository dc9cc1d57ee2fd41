/**
 * Manual actions on one region of a rollout: pause, resume, promote, abort, retry, and the emergency rollback
 * of a region that already succeeded. The machine's `applyCommand` decides what each means; this file checks
 * the permission, saves the change with an event naming the actor (`WHERE version = expected`) and wakes the
 * region so the runner acts on it at once. Commands never move traffic themselves.
 */
import { z } from "zod";
import type { Store } from "@/db/client";
import type { RolloutRow } from "@/db/store/repositories/rollouts";
import { actorRef } from "@/server/actor";
import { actorCan, type Permission } from "@/server/auth/roles";
import { resolveRegionName } from "@/server/config/region-names";
import { applyCommand, type Command } from "@/server/engine/machine";
import { loadGate, loadStages, rowToState, type RegionRolloutRow } from "@/server/engine/store/load";
import { insertEvents, saveTransition } from "@/server/engine/store/persist";
import { eventConsumersOf, parseInput, type ServiceContext } from "./context";
import { conflict, forbidden, notFound, preconditionFailed } from "./errors";
import { regionIdOf } from "./region-name";
import { busyRegion } from "./rollouts";

export const RegionRolloutRef = z.strictObject({ rolloutId: z.string().min(1), regionId: z.string().min(1) });
export type RegionRolloutRef = z.input<typeof RegionRolloutRef>;
export const PauseRegionInput = RegionRolloutRef.extend({ reason: z.string().trim().min(1).max(500).optional() });
export type PauseRegionInput = z.input<typeof PauseRegionInput>;
/** Promote; `reason` is required (and the sre role) to skip the validation stage at 100 %, optional before it. */
export const PromoteRegionInput = RegionRolloutRef.extend({ reason: z.string().trim().min(1).max(500).optional() });
export type PromoteRegionInput = z.input<typeof PromoteRegionInput>;
export const RollbackRegionInput = z.strictObject({ serviceId: z.string().min(1), regionId: z.string().min(1) });
export type RollbackRegionInput = z.input<typeof RollbackRegionInput>;

const CONTROL_ROLES = "the deployer, sre or admin role";

export async function pauseRegion(ctx: ServiceContext, raw: PauseRegionInput): Promise<RegionRolloutRow> {
  const now = ctx.clock.now();
  const input = parseInput(PauseRegionInput, raw);
  return runCommand(ctx, now, "rollout.control", findByRef(ctx, input), { kind: "pause", actor: actorRef(ctx.actor), reason: input.reason });
}

export async function resumeRegion(ctx: ServiceContext, raw: RegionRolloutRef): Promise<RegionRolloutRow> {
  const now = ctx.clock.now();
  return runCommand(ctx, now, "rollout.control", findByRef(ctx, parseInput(RegionRolloutRef, raw)), { kind: "resume", actor: actorRef(ctx.actor) });
}

/**
 * Skip the rest of the current stage. The validation stage at 100 % is skipped only by a person with the sre
 * role (never an API token: no token scope holds the SRE capacity) and a reason, recorded in the event.
 */
export async function promoteRegion(ctx: ServiceContext, raw: PromoteRegionInput): Promise<RegionRolloutRow> {
  const now = ctx.clock.now();
  const input = parseInput(PromoteRegionInput, raw);
  return runCommand(ctx, now, "rollout.control", findByRef(ctx, input), {
    kind: "promote",
    actor: actorRef(ctx.actor),
    reason: input.reason,
    sre: actorCan(ctx.actor, "approval.sre"),
  });
}

export async function abortRegion(ctx: ServiceContext, raw: RegionRolloutRef): Promise<RegionRolloutRow> {
  const now = ctx.clock.now();
  return runCommand(ctx, now, "rollout.control", findByRef(ctx, parseInput(RegionRolloutRef, raw)), { kind: "abort", actor: actorRef(ctx.actor) });
}

/** A new attempt of a rolled-back or aborted region; the regions its failure blocked are re-opened with it. */
export async function retryRegion(ctx: ServiceContext, raw: RegionRolloutRef): Promise<RegionRolloutRow> {
  const now = ctx.clock.now();
  const input = parseInput(RegionRolloutRef, raw);
  return runCommand(ctx, now, "rollout.control", findByRef(ctx, input), { kind: "retry", actor: actorRef(ctx.actor) }, async (tx, saved, rollout) => {
    await claimAgain(tx, now, rollout.serviceId, saved);
    await reopenDownstream(tx, ctx, now, rollout, saved);
  });
}

/**
 * One-click rollback of a region to its old colour: the region's latest rollout of the service is either still in
 * its canary or succeeded (then it is the emergency rollback to the previous release).
 */
export async function rollbackRegion(ctx: ServiceContext, raw: RollbackRegionInput): Promise<RegionRolloutRow> {
  const now = ctx.clock.now();
  const input = parseInput(RollbackRegionInput, raw);
  const regionId = regionIdOf(ctx.config, input.regionId);
  const find = async (db: Store) => {
    const latest = await db.regionRollouts.latestForServiceRegion(input.serviceId, regionId);
    if (!latest) throw notFound(`No rollout of ${input.serviceId} has reached ${regionId}; there is nothing to roll back.`);
    return latest;
  };
  return runCommand(ctx, now, "region.rollback", find, { kind: "rollback", actor: actorRef(ctx.actor) }, async (tx, saved, rollout) => {
    // A canary still holds the region; a succeeded one is claimed again until traffic is back, so no new rollout starts there meanwhile.
    if (saved.phase === "canary") return;
    const claimed = await tx.regions.claimState(rollout.serviceId, saved.regionId, saved.id, now);
    if (!claimed) throw await busyRegion(tx, rollout.serviceId, saved.regionId);
  });
}

type RolloutOfRow = RolloutRow;

/** A region of a rollout, named by id or short name (the CLI's `--region eu`). */
const findByRef = (ctx: ServiceContext, ref: { rolloutId: string; regionId: string }) => async (db: Store) => {
  const named = resolveRegionName(ctx.config, ref.regionId);
  const row = await db.regionRollouts.ofRolloutInRegion(ref.rolloutId, named.ok ? named.region.id : ref.regionId);
  if (!row) throw notFound(`Rollout ${ref.rolloutId} has no region ${ref.regionId}.`);
  return row;
};

/**
 * Read, decide, save with `WHERE version = expected`. The runner may have saved in between: read again and
 * decide again (the command may no longer apply, and then the refusal says why).
 */
async function runCommand(
  ctx: ServiceContext,
  now: number,
  permission: Permission,
  find: (db: Store) => Promise<RegionRolloutRow>,
  command: Command,
  also?: (tx: Store, saved: RegionRolloutRow, rollout: RolloutOfRow) => Promise<void>,
): Promise<RegionRolloutRow> {
  // actorCan: a token also needs the permission in its scope (a deploy token never rolls back), whatever the transport.
  if (!actorCan(ctx.actor, permission)) {
    const what = permission === "region.rollback" ? "Rolling a region back" : `Using ${command.kind} on a region`;
    throw forbidden(`${what} needs ${CONTROL_ROLES}.`);
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    const row = await find(ctx.db);
    const rollout = await ctx.db.rollouts.byId(row.rolloutId);
    const region = ctx.config.regions.find((r) => r.id === row.regionId);
    if (!rollout || !region) throw notFound(`Region ${row.regionId} of rollout ${row.rolloutId} is not in the fleet config any more.`);
    const result = applyCommand(rowToState(row), command, now, {
      stages: await loadStages(ctx.db, row.id),
      gate: await loadGate(ctx.db, ctx.config, region, row.id),
    });
    if (!result.ok) throw result.code === "forbidden" ? forbidden(result.reason) : preconditionFailed(result.reason);
    const saved = await saveTransition(ctx.db, {
      row,
      rollout,
      transition: result.transition,
      now,
      actor: actorRef(ctx.actor),
      consumers: eventConsumersOf(ctx),
      nextTickAt: now,
      also: also ? (tx, s) => also(tx, s, rollout) : undefined,
    });
    if (saved) return saved;
  }
  throw conflict(`${command.kind} could not be applied: the region kept changing while it was being saved. Look at it again and retry.`);
}

/** A retried region takes its region back (unless another rollout took it since). */
async function claimAgain(tx: Store, now: number, serviceId: string, saved: RegionRolloutRow): Promise<void> {
  const claimed = await tx.regions.claimState(serviceId, saved.regionId, saved.id, now, { orAlreadyMine: true });
  if (!claimed) throw await busyRegion(tx, serviceId, saved.regionId);
}

/** The regions after it that its failure blocked go back to pending (each claimed again) and wait their turn. */
async function reopenDownstream(tx: Store, ctx: ServiceContext, now: number, rollout: RolloutOfRow, saved: RegionRolloutRow): Promise<void> {
  if (rollout.strategy === "parallel") return;
  const blocked = await tx.regionRollouts.listBlockedAfter(rollout.id, saved.position);
  for (const row of blocked) {
    await claimAgain(tx, now, rollout.serviceId, row);
    await tx.regionRollouts.reopen(row.id, now);
    await tx.stages.reopenSkipped(row.id);
    await insertEvents(tx, { row, rollout, now, actor: actorRef(ctx.actor), consumers: eventConsumersOf(ctx) }, [
      {
        type: "region.reopened",
        message: `${row.regionId} waits for ${saved.regionId} again: ${ctx.actor.name} retried it.`,
        data: { upstream: saved.regionId },
      },
    ]);
  }
}

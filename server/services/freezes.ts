/**
 * Freezes, as people meet them: what is frozen now and until when (the overview's banner, `flightdeck freeze
 * status`), the stop-all an SRE declares and lifts (dashboard, REST, CLI), and the check every start goes
 * through (dashboard, REST, webhook, CLI: one refusal, mapped by each transport) with its break-glass override.
 * The engine reads the same stop-all row on every pass (docs/policies.md).
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Store } from "@/db/client";
import { actorRef } from "@/server/actor";
import { namesFor, withActorNames } from "@/server/actor-names";
import { actorCan } from "@/server/auth/roles";
import type { RegionConfig } from "@/server/config/schema";
import { eventValues } from "@/server/engine/machine/events";
import { activeFreeze, describeFreeze, formatInZone, freezeRef, windowEnd, type ActiveFreeze } from "@/server/engine/machine/freeze";
import { stopAllInForce } from "@/server/engine/store/load";
import { parseInput, type ServiceContext } from "./context";
import { conflict, forbidden, preconditionFailed } from "./errors";

const Reason = z.string().trim().min(3, { error: "give a reason of at least 3 characters: it is shown to everyone the freeze stops" }).max(500);

export const DeclareFreezeInput = z.strictObject({ reason: Reason });
export type DeclareFreezeInput = z.input<typeof DeclareFreezeInput>;

/** A freeze in force, as the banner, the CLI and the API show it. */
export type FreezeView = {
  kind: ActiveFreeze["kind"];
  id: string;
  reason: string;
  /** null: until a person lifts it (a stop-all). */
  until: number | null;
  /** The end in the window's own zone ("Mon 2026-12-07 08:00 Europe/Berlin"), or null. */
  untilText: string | null;
  /** The environments it covers (null: every one). */
  environments: string[] | null;
  declaredBy: string | null;
  declaredAt: number | null;
  /** In words: which freeze and until when. */
  description: string;
};

export type FreezeStatus = { frozen: boolean; freezes: FreezeView[]; canManage: boolean; canBreakGlass: boolean };

/** A freeze in words, with whoever declared it by name ("the stop-all declared by Sam at …"). */
async function describeByName(db: Store, freeze: ActiveFreeze): Promise<string> {
  const text = describeFreeze(freeze);
  return withActorNames(text, await namesFor(db, [], [text]));
}

async function view(db: Store, freeze: ActiveFreeze, environments: string[] | null): Promise<FreezeView> {
  return {
    kind: freeze.kind,
    id: freeze.id,
    reason: freeze.reason,
    until: freeze.until,
    untilText: freeze.kind === "window" ? formatInZone(freeze.until, freeze.timeZone) : null,
    environments,
    declaredBy: freeze.kind === "stop-all" ? freeze.declaredBy : null,
    declaredAt: freeze.kind === "stop-all" ? freeze.declaredAt : null,
    description: await describeByName(db, freeze),
  };
}

/** Every freeze in force now: the stop-all first, then each window that holds somewhere. */
export async function freezeStatus(ctx: ServiceContext): Promise<FreezeStatus> {
  if (!actorCan(ctx.actor, "read")) throw forbidden("Reading the freezes needs a role (viewer or above).");
  const now = ctx.clock.now();
  const stopAll = await stopAllInForce(ctx.db);
  const freezes: FreezeView[] = stopAll ? [await view(ctx.db, { kind: "stop-all", ...stopAll, until: null }, null)] : [];
  for (const window of ctx.config.freezes) {
    const until = windowEnd(window, now);
    if (until !== null)
      freezes.push(await view(ctx.db, { kind: "window", id: window.id, reason: window.reason, until, timeZone: window.timeZone }, window.environments ?? null));
  }
  return {
    frozen: freezes.length > 0,
    freezes,
    canManage: actorCan(ctx.actor, "freeze.manage"),
    canBreakGlass: actorCan(ctx.actor, "freeze.break_glass"),
  };
}

/** Stop-all: every running rollout holds before its next step, on every replica, until someone lifts it. */
export async function declareFreeze(ctx: ServiceContext, raw: DeclareFreezeInput): Promise<FreezeView> {
  const now = ctx.clock.now();
  const { reason } = parseInput(DeclareFreezeInput, raw);
  if (!actorCan(ctx.actor, "freeze.manage")) throw forbidden("Declaring a stop-all freeze needs the sre or admin role.");
  const by = actorRef(ctx.actor);
  return ctx.db.transaction(async (tx) => {
    // One stop-all at a time: two people declaring at once get one freeze, and the second is told of the first.
    await tx.exclusive("freeze");
    const existing = await stopAllInForce(tx);
    if (existing)
      throw conflict(`A stop-all is already in force: ${await describeByName(tx, { kind: "stop-all", ...existing, until: null })}.`, { freezeId: existing.id });
    const id = randomUUID();
    await tx.freezes.insert({ id, reason, declaredBy: by, declaredAt: now });
    await tx.events.insertAll([
      eventValues({
        at: now,
        type: "freeze.declared",
        actor: by,
        message: `${ctx.actor.name} declared a stop-all freeze: "${reason}". Every running rollout holds before its next step; no rollout starts until it is lifted.`,
        data: { actor: by, freezeId: id, reason },
      }),
    ]);
    return view(tx, { kind: "stop-all", id, reason, declaredBy: by, declaredAt: now, until: null }, null);
  });
}

/** Lift the stop-all: held rollouts go on at once (their runners are woken), unless a freeze window still holds them. */
export async function liftFreeze(ctx: ServiceContext): Promise<{ freezeId: string; reason: string; woken: number }> {
  const now = ctx.clock.now();
  if (!actorCan(ctx.actor, "freeze.manage")) throw forbidden("Lifting a stop-all freeze needs the sre or admin role.");
  const by = actorRef(ctx.actor);
  return ctx.db.transaction(async (tx) => {
    const lifted = await tx.freezes.liftActive(by, now);
    if (!lifted) throw preconditionFailed("No stop-all is in force; there is nothing to lift.");
    await tx.events.insertAll([
      eventValues({
        at: now,
        type: "freeze.lifted",
        actor: by,
        message: `${ctx.actor.name} lifted the stop-all freeze declared by ${lifted.declaredBy} ("${lifted.reason}"); held rollouts go on.`,
        data: { actor: by, freezeId: lifted.id, reason: lifted.reason, declaredAt: lifted.declaredAt },
      }),
    ]);
    const woken = await tx.freezes.wakeHeld(now);
    return { freezeId: lifted.id, reason: lifted.reason, woken };
  });
}

/**
 * Inside a start's transaction, before it writes anything: the freeze over any of its regions refuses the start,
 * saying which and until when; with a break-glass reason, an SRE or admin starts it anyway and the override is
 * returned for the start to record.
 */
export async function checkFreeze(
  tx: Store,
  ctx: ServiceContext,
  regions: RegionConfig[],
  breakGlassReason: string | null,
  now: number,
): Promise<{ freeze: ActiveFreeze; reason: string } | null> {
  const rules = { windows: ctx.config.freezes, stopAll: await stopAllInForce(tx) };
  const frozen = regions.flatMap((r) => {
    const freeze = activeFreeze(rules, r.environment, now);
    return freeze ? [{ region: r, freeze }] : [];
  });
  if (frozen.length === 0) return null;
  const { freeze } = frozen[0];
  const where = frozen.map((f) => f.region.id).join(", ");
  if (breakGlassReason === null) {
    const override = "An SRE may start it anyway with a break-glass reason.";
    throw preconditionFailed(`Rollouts are frozen in ${where} by ${await describeByName(tx, freeze)}. ${override}`);
  }
  if (!actorCan(ctx.actor, "freeze.break_glass"))
    throw forbidden(`Rollouts are frozen in ${where} by ${await describeByName(tx, freeze)}; starting one anyway (break-glass) needs the sre or admin role.`);
  return { freeze, reason: breakGlassReason };
}

/** The event that records a break-glass start. */
export function breakGlassEvent(
  ctx: ServiceContext,
  at: number,
  rollout: { id: string; serviceId: string; correlationId: string },
  override: { freeze: ActiveFreeze; reason: string },
) {
  const by = actorRef(ctx.actor);
  return eventValues({
    at,
    type: "rollout.break_glass",
    actor: by,
    message: `${ctx.actor.name} started this rollout during ${describeFreeze(override.freeze)} (break-glass): "${override.reason}".`,
    serviceId: rollout.serviceId,
    rolloutId: rollout.id,
    correlationId: rollout.correlationId,
    data: { actor: by, reason: override.reason, freeze: freezeRef(override.freeze) },
  });
}

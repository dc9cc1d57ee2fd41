/**
 * The migration path as people meet it (docs/policies.md#migration-path): which strategies a service may start
 * now and why (the start form), the check every start goes through before it writes anything (dashboard, REST,
 * webhook, CLI: one refusal), an admin's override with a reason, and the rollback drill `flightdeck simulate
 * --fault … --record` writes. The verdict itself is pure: `strategyVerdicts` in the machine.
 */
import { z } from "zod";
import type { Store } from "@/db/client";
import type { Strategy } from "@/db/schema/rollouts";
import { actorRef } from "@/server/actor";
import { actorCan } from "@/server/auth/roles";
import type { FleetConfig } from "@/server/config/schema";
import { eventValues } from "@/server/engine/machine/events";
import { strategyVerdicts, type PolicyHistory, type StrategyVerdict } from "@/server/engine/machine/strategy-policy";
import { parseInput, type ServiceContext } from "./context";
import { forbidden, notFound, preconditionFailed } from "./errors";

/** How many of the service's newest rollouts the verdict reads: far more than any policy needs in a row. */
const HISTORY_LIMIT = 200;
/** What counts as a rollback drill: a recorded simulation that rolled back, or a real rollback of a region. */
const DRILL_EVENTS = ["drill.recorded", "region.rolled_back"] as const;

type ServiceEntry = FleetConfig["services"][number];

/** The service's history as the policy reads it: rollouts newest first, each with whether every region succeeded. */
export async function policyHistory(db: Store, serviceId: string): Promise<PolicyHistory> {
  const page = await db.rollouts.pageWithArtifact({ serviceId }, HISTORY_LIMIT);
  const regions = await db.regionRollouts.listForRollouts(page.map((p) => p.rollout.id));
  const rollouts = page.map(({ rollout }) => {
    const own = regions.filter((r) => r.rolloutId === rollout.id);
    return {
      strategy: rollout.strategy,
      status: rollout.status,
      createdAt: rollout.createdAt,
      allRegionsSucceeded: own.length > 0 && own.every((r) => r.phase === "succeeded"),
    };
  });
  const drill = await db.events.newestOfTypesForService(serviceId, DRILL_EVENTS);
  return { rollouts, lastDrill: drill ? { at: drill.at, kind: drill.type === "drill.recorded" ? "simulated" : "rollback" } : null };
}

export const StrategyVerdictsInput = z.strictObject({ serviceId: z.string().min(1) });
export type StrategyVerdictsInput = z.input<typeof StrategyVerdictsInput>;

export type StrategyVerdictsView = { serviceId: string; verdicts: StrategyVerdict[]; canOverride: boolean };

/** Which strategies the service may start now and why (the start form), and whether this actor may override. */
export async function strategyVerdictsOf(ctx: ServiceContext, raw: StrategyVerdictsInput): Promise<StrategyVerdictsView> {
  const now = ctx.clock.now();
  const { serviceId } = parseInput(StrategyVerdictsInput, raw);
  if (!actorCan(ctx.actor, "read")) throw forbidden("Reading the strategy policy needs a role (viewer or above).");
  const service = ctx.config.services.find((s) => s.id === serviceId);
  if (!service) throw notFound(`There is no service "${serviceId}" in the fleet config.`);
  const verdicts = strategyVerdicts(service.strategyPolicy, await policyHistory(ctx.db, serviceId), now);
  return { serviceId, verdicts: [verdicts.sequential, verdicts.delayed, verdicts.parallel], canOverride: actorCan(ctx.actor, "strategy.override") };
}

/** A start of a strategy the path does not open yet, let through by an admin: why, and what the refusal said. */
export type StrategyOverride = { strategy: Strategy; reason: string; refusal: string };

/**
 * Inside a start's transaction, before it writes anything: a strategy the migration path does not open refuses
 * the start, saying what is missing; with an override reason, an admin starts it anyway and the override is
 * returned for the start to record. The role is checked here, on the server, whatever the transport.
 */
export async function checkStrategyPolicy(
  tx: Store,
  ctx: ServiceContext,
  service: ServiceEntry,
  strategy: Strategy,
  overrideReason: string | null,
  now: number,
): Promise<StrategyOverride | null> {
  const verdict = strategyVerdicts(service.strategyPolicy, await policyHistory(tx, service.id), now)[strategy];
  if (verdict.open) return null;
  if (overrideReason === null) throw preconditionFailed(`${service.id}: ${verdict.reason} An admin may start it anyway with an override reason.`);
  if (!actorCan(ctx.actor, "strategy.override"))
    throw forbidden(`${service.id}: ${verdict.reason} Starting it anyway (strategy override) needs the admin role.`);
  return { strategy, reason: overrideReason, refusal: verdict.reason };
}

/** The event that records an admin's override of the migration path. */
export function strategyOverrideEvent(
  ctx: ServiceContext,
  at: number,
  rollout: { id: string; serviceId: string; correlationId: string },
  override: StrategyOverride,
) {
  const by = actorRef(ctx.actor);
  return eventValues({
    at,
    type: "rollout.strategy_override",
    actor: by,
    message: `${ctx.actor.name} started this ${override.strategy} rollout before the migration path opens it (override): "${override.reason}". ${override.refusal}`,
    serviceId: rollout.serviceId,
    rolloutId: rollout.id,
    correlationId: rollout.correlationId,
    data: { actor: by, reason: override.reason, strategy: override.strategy, refusal: override.refusal },
  });
}

export const RecordDrillInput = z.strictObject({
  serviceId: z.string().min(1),
  strategy: z.enum(["sequential", "delayed", "parallel"]),
  /** The regions the simulation rolled back: a drill counts only when at least one did. */
  rolledBack: z.array(z.string().min(1)),
  /** The `--fault` arguments, as given. */
  faults: z.array(z.string()),
});
export type RecordDrillInput = z.input<typeof RecordDrillInput>;

/** Record a rollback drill a simulation ran (`flightdeck simulate --fault … --record`, on the server's database). */
export async function recordDrill(ctx: ServiceContext, raw: RecordDrillInput): Promise<{ eventId: number; at: number }> {
  const now = ctx.clock.now();
  const input = parseInput(RecordDrillInput, raw);
  if (!actorCan(ctx.actor, "region.rollback")) throw forbidden("Recording a rollback drill needs the deployer, sre or admin role.");
  if (!ctx.config.services.some((s) => s.id === input.serviceId)) throw notFound(`There is no service "${input.serviceId}" in the fleet config.`);
  if (input.rolledBack.length === 0)
    throw preconditionFailed("The simulation rolled nothing back, so it is no rollback drill; give a --fault that breaches a stage's thresholds.");
  const by = actorRef(ctx.actor);
  const [event] = await ctx.db.events.insertAll([
    eventValues({
      at: now,
      type: "drill.recorded",
      actor: by,
      message: `${ctx.actor.name} ran a rollback drill of ${input.serviceId} (flightdeck simulate, ${input.strategy}): ${input.rolledBack.join(", ")} rolled back on ${input.faults.join(" ")}.`,
      serviceId: input.serviceId,
      data: { actor: by, source: "simulate", strategy: input.strategy, rolledBack: input.rolledBack, faults: input.faults },
    }),
  ]);
  return { eventId: event.id, at: now };
}

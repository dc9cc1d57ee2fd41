/**
 * The fault drill of the demo fleet: an SRE makes a region's new colour misbehave at one canary stage (error rate
 * and / or p95), starts a rollout, and watches the engine roll it back and say why. Only in demo mode and only for
 * regions whose metrics are simulated; every injection and clearing is an event naming who did it.
 */
import { actorName, namesFor } from "@/server/actor-names";
import { z } from "zod";
import { actorRef } from "@/server/actor";
import { can } from "@/server/auth/roles";
import { regionSettings } from "@/server/config/load";
import { parseInput, type ServiceContext } from "./context";
import { badRequest, forbidden, notFound, preconditionFailed } from "./errors";
import { eventValues } from "@/server/engine/machine/events";

const RegionRef = z.strictObject({ regionId: z.string().min(1) });
export const DemoFaultsInput = RegionRef;
export type DemoFaultsInput = z.input<typeof DemoFaultsInput>;
export const ClearDemoFaultsInput = RegionRef;
export type ClearDemoFaultsInput = z.input<typeof ClearDemoFaultsInput>;
export const InjectDemoFaultInput = RegionRef.extend({
  stagePercent: z.int().min(1).max(100),
  errorRatePct: z.number().min(0).max(100).nullish(),
  latencyP95Ms: z.number().min(0).max(600_000).nullish(),
});
export type InjectDemoFaultInput = z.input<typeof InjectDemoFaultInput>;

export type DemoFault = {
  id: number;
  stagePercent: number;
  errorRatePct: number | null;
  latencyP95Ms: number | null;
  createdBy: string;
  createdByName: string;
  createdAt: number;
};
export type DemoFaults = { available: boolean; why: string | null; stagePercents: number[]; faults: DemoFault[] };

/** The region's stage percents, and whether the drill can run there (if not, why in words). */
function drillIn(ctx: ServiceContext, regionId: string): { why: string | null; stagePercents: number[] } {
  const region = ctx.config.regions.find((r) => r.id === regionId);
  if (!region) throw notFound(`There is no region ${regionId} in the fleet config.`);
  const stagePercents = regionSettings(ctx.config, region).stages.map((s) => s.percent);
  if (!ctx.config.demo) return { why: "Fault drills are for the demo fleet only; this server runs a real fleet.", stagePercents };
  if (region.metrics.provider !== "simulated")
    return { why: `${regionId} reads real metrics (${region.metrics.provider}); only simulated metrics can be made to misbehave.`, stagePercents };
  return { why: null, stagePercents };
}

export async function listDemoFaults(ctx: ServiceContext, raw: DemoFaultsInput): Promise<DemoFaults> {
  const { regionId } = parseInput(DemoFaultsInput, raw);
  const { why, stagePercents } = drillIn(ctx, regionId);
  const faults = await ctx.db.demoFaults.listForRegion(regionId);
  const names = await namesFor(
    ctx.db,
    faults.map((f) => f.createdBy),
  );
  return {
    available: why === null,
    why,
    stagePercents,
    faults: faults.map(({ id, stagePercent, errorRatePct, latencyP95Ms, createdBy, createdAt }) => ({
      id,
      stagePercent,
      errorRatePct,
      latencyP95Ms,
      createdBy,
      createdByName: actorName(createdBy, names),
      createdAt,
    })),
  };
}

/** The region's stage percents, once the actor may run the drill and the region can have one. */
function requireDrill(ctx: ServiceContext, regionId: string, what: string): number[] {
  if (!can(ctx.actor.roles, "demo.faults")) throw forbidden(`${what} needs the sre or admin role.`);
  const { why, stagePercents } = drillIn(ctx, regionId);
  if (why) throw preconditionFailed(why);
  return stagePercents;
}

export async function injectDemoFault(ctx: ServiceContext, raw: InjectDemoFaultInput): Promise<DemoFault> {
  const now = ctx.clock.now();
  const input = parseInput(InjectDemoFaultInput, raw);
  const percents = requireDrill(ctx, input.regionId, "Injecting a fault");
  if (!percents.includes(input.stagePercent))
    throw badRequest(`stagePercent: ${input.regionId} has no ${input.stagePercent} % stage; its stages are ${percents.join(", ")} %.`);
  const errorRatePct = input.errorRatePct ?? null;
  const latencyP95Ms = input.latencyP95Ms ?? null;
  if (errorRatePct === null && latencyP95Ms === null)
    throw badRequest("errorRatePct, latencyP95Ms: give an error rate, a p95 latency or both; a fault with neither changes nothing.");
  const by = actorRef(ctx.actor);
  const what = [errorRatePct !== null ? `error rate ${errorRatePct} %` : null, latencyP95Ms !== null ? `p95 ${latencyP95Ms} ms` : null]
    .filter(Boolean)
    .join(" and ");
  return ctx.db.transaction(async (tx) => {
    const row = await tx.demoFaults.insert({
      regionId: input.regionId,
      stagePercent: input.stagePercent,
      errorRatePct,
      latencyP95Ms,
      createdBy: by,
      createdAt: now,
    });
    await tx.events.insertOne(
      eventValues({
        at: now,
        type: "demo.fault_injected",
        actor: by,
        regionId: input.regionId,
        message: `${ctx.actor.name} injected a fault in ${input.regionId}: the new colour shows ${what} at the ${input.stagePercent} % stage until it is cleared.`,
        data: { stagePercent: input.stagePercent, errorRatePct, latencyP95Ms },
      }),
    );
    return { id: row.id, stagePercent: row.stagePercent, errorRatePct, latencyP95Ms, createdBy: by, createdByName: ctx.actor.name, createdAt: row.createdAt };
  });
}

export async function clearDemoFaults(ctx: ServiceContext, raw: ClearDemoFaultsInput): Promise<{ cleared: number }> {
  const now = ctx.clock.now();
  const { regionId } = parseInput(ClearDemoFaultsInput, raw);
  requireDrill(ctx, regionId, "Clearing faults");
  return ctx.db.transaction(async (tx) => {
    const cleared = await tx.demoFaults.clearRegion(regionId);
    if (cleared > 0) {
      await tx.events.insertOne(
        eventValues({
          at: now,
          type: "demo.faults_cleared",
          actor: actorRef(ctx.actor),
          regionId,
          message: `${ctx.actor.name} cleared ${cleared} injected fault${cleared === 1 ? "" : "s"} in ${regionId}.`,
          data: { cleared },
        }),
      );
    }
    return { cleared };
  });
}

/**
 * Starting a rollout: check who asks, resolve the artifact and regions, plan it, then in one transaction claim
 * each region for this service (a region already in a rollout refuses the whole start), and write the rollout,
 * its region rollouts, their stages and the `rollout.started` event. The engine picks it up from there.
 */
import { randomUUID } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "@/db/client";
import { events, regionRollouts, regionStates, rollouts, stages } from "@/db/schema";
import { actorRef } from "@/server/actor";
import { can } from "@/server/auth/roles";
import { environmentPolicy, globMatch, regionSettings, regionsInOrder } from "@/server/config/load";
import type { RegionConfig } from "@/server/config/schema";
import { delayProblem, planRollout, stagesFromConfig, type Plan, type StageSpec } from "@/server/engine/machine";
import { enqueueNotifications } from "@/server/engine/notify/enqueue";
import { requiredReviewers } from "@/server/engine/runner/load";
import { ArtifactFields, findArtifact, registerArtifactIn, type ArtifactRow } from "./artifacts";
import { parseInput, type ServiceContext } from "./context";
import { badRequest, conflict, forbidden, notFound, preconditionFailed } from "./errors";

export const StartRolloutInput = z
  .strictObject({
    serviceId: z.string().min(1),
    /** A registered artifact, or the fields of one to register now (same rules: immutable). */
    artifactId: z.string().min(1).optional(),
    artifact: ArtifactFields.optional(),
    strategy: z.enum(["sequential", "delayed", "parallel"]),
    regions: z.union([z.literal("all"), z.array(z.string().min(1)).min(1, { error: "expected at least one region" })]).default("all"),
    /** Observation period between regions, delayed only: 30 to 240. */
    delayMinutes: z.int().nullish(),
  })
  .refine((i) => (i.artifactId === undefined) !== (i.artifact === undefined), { error: "give either artifactId or artifact, not both and not neither", path: ["artifactId"] });
export type StartRolloutInput = z.input<typeof StartRolloutInput>;

export type StartedRollout = {
  rolloutId: string;
  correlationId: string;
  artifact: ArtifactRow;
  plan: Plan;
  regions: Array<{ regionRolloutId: string; regionId: string; position: number }>;
};

/** Simulated deploy seconds, or an estimate for a real deploy (its timeout bounds it). */
function deployMs(region: RegionConfig): number {
  return region.deploy.provider === "simulated" ? region.deploy.seconds * 1000 : 60_000;
}

export function startRollout(ctx: ServiceContext, raw: StartRolloutInput): StartedRollout {
  const input = parseInput(StartRolloutInput, raw);
  if (!can(ctx.actor.roles, "rollout.start")) throw forbidden("Starting a rollout needs the deployer, sre or admin role.");
  const { config } = ctx;
  const service = config.services.find((s) => s.id === input.serviceId);
  if (!service) throw notFound(`There is no service "${input.serviceId}" in the fleet config.`);
  const regions = resolveRegions(ctx, input.regions);
  const problem = delayProblem(input.strategy, input.delayMinutes);
  if (problem) throw badRequest(problem);

  const stagesByRegion = new Map<string, StageSpec[]>(regions.map((r) => [r.id, stagesFromConfig(regionSettings(config, r).stages)]));
  const plan = planRollout({
    strategy: input.strategy,
    delayMinutes: input.delayMinutes ?? null,
    regions: regions.map((r) => ({ id: r.id, name: r.name, order: r.order, stages: stagesByRegion.get(r.id)!, deployMs: deployMs(r), needsApproval: requiredReviewers(config, r.environment) !== null })),
  });

  return ctx.db.transaction((tx) => {
    const artifact = input.artifact
      ? registerArtifactIn(tx, ctx, { ...input.artifact, serviceId: service.id }).artifact
      : findArtifact(tx, input.artifactId!);
    if (!artifact || artifact.serviceId !== service.id) throw notFound(`There is no artifact "${input.artifactId}" of ${service.id}.`);
    checkSourceRef(ctx, artifact, regions);

    const rolloutId = randomUUID();
    const correlationId = randomUUID();
    const initiator = actorRef(ctx.actor);
    tx.insert(rollouts)
      .values({
        id: rolloutId,
        serviceId: service.id,
        artifactId: artifact.id,
        strategy: input.strategy,
        delayMinutes: input.strategy === "delayed" ? (input.delayMinutes ?? null) : null,
        status: "running",
        initiator,
        initiatorUserId: ctx.actor.kind === "user" ? ctx.actor.id : null,
        correlationId,
        createdAt: ctx.now,
      })
      .run();

    const created = plan.regions.map((planned) => {
      const regionRolloutId = randomUUID();
      const live = claimRegion(tx, ctx, service.id, planned.regionId, regionRolloutId);
      tx.insert(regionRollouts)
        .values({
          id: regionRolloutId,
          rolloutId,
          regionId: planned.regionId,
          position: planned.position,
          phase: "pending",
          nextTickAt: ctx.now,
          fromColour: live.liveColour,
          toColour: live.liveColour === "blue" ? "green" : "blue",
          previousArtifactId: live.liveArtifactId,
          updatedAt: ctx.now,
        })
        .run();
      tx.insert(stages)
        .values(stagesByRegion.get(planned.regionId)!.map((s) => ({ id: randomUUID(), regionRolloutId, ...s, status: "pending" as const })))
        .run();
      return { regionRolloutId, regionId: planned.regionId, position: planned.position };
    });

    const hours = Math.round((plan.expectedDurationMs / 3_600_000) * 10) / 10;
    const [started] = tx
      .insert(events)
      .values({
        at: ctx.now,
        type: "rollout.started",
        actor: initiator,
        message: `${ctx.actor.name} started ${service.id} ${artifact.version} (${input.strategy}${input.strategy === "delayed" ? `, ${input.delayMinutes} min between regions` : ""}) in ${created.map((c) => c.regionId).join(", ")}; expected about ${hours} h.`,
        serviceId: service.id,
        rolloutId,
        correlationId,
        data: { artifactId: artifact.id, version: artifact.version, digest: artifact.digest, strategy: input.strategy, delayMinutes: input.delayMinutes ?? null, plan },
      })
      .returning()
      .all();
    enqueueNotifications(tx, ctx.config, started);
    return { rolloutId, correlationId, artifact, plan, regions: created };
  });
}

/** "all" is every region in config order; named regions must exist, and keep the config's order. */
function resolveRegions(ctx: ServiceContext, wanted: "all" | string[]): RegionConfig[] {
  const ordered = regionsInOrder(ctx.config);
  if (wanted === "all") return ordered;
  const unknown = wanted.filter((id) => !ordered.some((r) => r.id === id));
  if (unknown.length > 0) throw badRequest(`regions: ${unknown.map((u) => `"${u}"`).join(", ")} ${unknown.length === 1 ? "is" : "are"} not in the fleet config (known: ${ordered.map((r) => r.id).join(", ")}).`);
  return ordered.filter((r) => wanted.includes(r.id));
}

/** Protected environments only take builds from the allowed refs (main, release/*) when the ref is known. */
function checkSourceRef(ctx: ServiceContext, artifact: ArtifactRow, regions: RegionConfig[]): void {
  if (!artifact.sourceRef) return;
  const protectedEnvs = regions.map((r) => r.environment).filter((env) => environmentPolicy(ctx.config, env)?.protected);
  if (protectedEnvs.length === 0) return;
  const allowed = ctx.config.policies.allowedRefs;
  if (allowed.some((pattern) => globMatch(pattern, artifact.sourceRef!))) return;
  throw preconditionFailed(`${artifact.version} was built from ${artifact.sourceRef}, but ${protectedEnvs.join(", ")} only take builds from ${allowed.join(" or ")}.`);
}

/**
 * Claim a region for this service with a conditional update: no row back means another rollout holds it, and
 * the error rolls the whole transaction back (nothing of this rollout is written).
 */
function claimRegion(tx: Tx, ctx: ServiceContext, serviceId: string, regionId: string, regionRolloutId: string) {
  tx.insert(regionStates).values({ serviceId, regionId, updatedAt: ctx.now }).onConflictDoNothing().run();
  const claimed = tx
    .update(regionStates)
    .set({ activeRegionRolloutId: regionRolloutId, updatedAt: ctx.now })
    .where(and(eq(regionStates.serviceId, serviceId), eq(regionStates.regionId, regionId), isNull(regionStates.activeRegionRolloutId)))
    .returning()
    .get();
  if (claimed) return claimed;
  throw busyRegion(tx, serviceId, regionId);
}

export function busyRegion(tx: Tx, serviceId: string, regionId: string) {
  const holder = tx
    .select({ rolloutId: regionRollouts.rolloutId, phase: regionRollouts.phase, initiator: rollouts.initiator })
    .from(regionStates)
    .innerJoin(regionRollouts, eq(regionRollouts.id, regionStates.activeRegionRolloutId))
    .innerJoin(rollouts, eq(rollouts.id, regionRollouts.rolloutId))
    .where(and(eq(regionStates.serviceId, serviceId), eq(regionStates.regionId, regionId)))
    .get();
  const by = holder ? ` ${holder.rolloutId} (started by ${holder.initiator}, ${holder.phase.replace("_", " ")})` : "";
  return conflict(`${regionId} is already in rollout${by} of ${serviceId}; wait for it to finish or abort it, then start again.`, {
    regionId,
    rolloutId: holder?.rolloutId ?? null,
  });
}

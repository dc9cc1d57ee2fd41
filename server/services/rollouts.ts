/**
 * Starting a rollout: check who asks, resolve the artifact and regions, plan it, then in one transaction claim
 * each region for this service (a region already in a rollout refuses the whole start), and write the rollout,
 * its region rollouts, their stages and the `rollout.started` event. The engine picks it up from there.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Store } from "@/db/client";
import { actorRef, type Actor } from "@/server/actor";
import { actorCan } from "@/server/auth/roles";
import { environmentPolicy, globMatch, regionSettings, regionsInOrder } from "@/server/config/load";
import { isUnprotected } from "@/server/config/policies";
import { resolveRegionName } from "@/server/config/region-names";
import type { FleetConfig, RegionConfig } from "@/server/config/schema";
import {
  delayProblem,
  formatDuration,
  PlanError,
  planRollout,
  stagesFromConfig,
  type Gate,
  type Plan,
  type PlanInput,
  type StageSpec,
} from "@/server/engine/machine";
import { enqueueNotifications } from "@/server/engine/outbox/enqueue";
import { requiredReviewers } from "@/server/engine/store/load";
import { ArtifactFields, findArtifact, registerArtifactIn, type ArtifactRow } from "./artifacts";
import { parseInput, type ServiceContext } from "./context";
import { badRequest, conflict, forbidden, notFound, preconditionFailed, type ServiceError } from "./errors";
import { eventValues, readEvent } from "@/server/engine/machine/events";
import { breakGlassEvent, checkFreeze } from "./freezes";
import { holdKey, recentEventsOf, requestFingerprint } from "./idempotency";
import { checkQuarantine } from "./quarantines";
import { checkSchemaCompat, schemaCheckEvents } from "./schema-compat";
import { checkStrategyPolicy, strategyOverrideEvent } from "./strategy-policy";

export const STRATEGIES = ["sequential", "delayed", "parallel"] as const;

/** The fields of a start, each checked alone; StartRolloutInput adds the rule between artifactId and artifact. */
export const StartRolloutFields = z.strictObject({
  serviceId: z.string().min(1),
  /** A registered artifact, or the fields of one to register now (same rules: immutable). */
  artifactId: z.string().min(1).optional(),
  artifact: ArtifactFields.optional(),
  strategy: z.enum(STRATEGIES),
  regions: z.union([z.literal("all"), z.array(z.string().min(1)).min(1, { error: "expected at least one region" })]).default("all"),
  /** Observation period between regions, delayed only: 30 to 240. */
  delayMinutes: z.int().nullish(),
  /** Start during a freeze anyway (sre or admin): why; recorded on the rollout and in its events. */
  breakGlassReason: z.string().trim().min(3, { error: "give a break-glass reason of at least 3 characters" }).max(500).nullish(),
  /** Start a strategy the migration path does not open yet (admin): why; recorded on the rollout and in its events. */
  strategyOverrideReason: z.string().trim().min(3, { error: "give a strategy override reason of at least 3 characters" }).max(500).nullish(),
  /** Start a contract migration the live release does not declare readyFor (admin): why; recorded on the rollout and in its events. */
  schemaOverrideReason: z.string().trim().min(3, { error: "give a schema override reason of at least 3 characters" }).max(500).nullish(),
});

export const StartRolloutInput = StartRolloutFields.refine((i) => (i.artifactId === undefined) !== (i.artifact === undefined), {
  error: "give either artifactId or artifact, not both and not neither",
  path: ["artifactId"],
});
export type StartRolloutInput = z.input<typeof StartRolloutInput>;

export type StartedRollout = {
  rolloutId: string;
  correlationId: string;
  artifact: ArtifactRow;
  plan: Plan;
  regions: Array<{ regionRolloutId: string; regionId: string; position: number }>;
  /** True when this answers a retry under an idempotency key already used: nothing new was started. */
  replayed?: boolean;
};

/** Simulated deploy seconds, or an estimate for a real deploy (its timeout bounds it). */
function deployMs(region: RegionConfig): number {
  return region.deploy.provider === "simulated" ? region.deploy.seconds * 1000 : 60_000;
}

/** A region as a start plans it: its stages, its deploy time, and the reviewers its gate needs (null: no gate). */
export type StartRegion = PlanInput["regions"][number] & { environment: string; reviewers: Gate["required"] };

export function startRegion(config: FleetConfig, region: RegionConfig): StartRegion {
  const reviewers = requiredReviewers(config, region.environment);
  const stages = stagesFromConfig(regionSettings(config, region).stages);
  return {
    id: region.id,
    name: region.name,
    order: region.order,
    environment: region.environment,
    stages,
    deployMs: deployMs(region),
    needsApproval: reviewers !== null,
    reviewers,
  };
}

/** The input field a problem is about, so a form can show it beside that field. */
export type StartField = "serviceId" | "artifactId" | "strategy" | "regions" | "delayMinutes";
export type StartProblem = { field: StartField; error: ServiceError };
export type CheckedStart = {
  service: FleetConfig["services"][number] | null;
  regions: RegionConfig[];
  startRegions: StartRegion[];
  plan: Plan | null;
  problems: StartProblem[];
};

/**
 * Everything a start checks before it writes, but the artifact and the region claims (those need the
 * transaction): the service, the regions, the delay, and the plan. startRollout throws the first problem;
 * the plan preview shows them all, each beside its field.
 */
export function checkStart(ctx: ServiceContext, input: z.output<typeof StartRolloutInput>): CheckedStart {
  const problems: StartProblem[] = [];
  const service = ctx.config.services.find((s) => s.id === input.serviceId) ?? null;
  if (!service) problems.push({ field: "serviceId", error: notFound(`There is no service "${input.serviceId}" in the fleet config.`) });
  const { regions, problem: regionsProblem } = resolveRegions(ctx, input.regions);
  if (regionsProblem) problems.push({ field: "regions", error: regionsProblem });
  const delay = delayProblem(input.strategy, input.delayMinutes);
  if (delay) problems.push({ field: "delayMinutes", error: badRequest(delay) });

  const startRegions = regions.map((r) => startRegion(ctx.config, r));
  let plan: Plan | null = null;
  if (!regionsProblem && !delay) {
    try {
      plan = planRollout({ strategy: input.strategy, delayMinutes: input.delayMinutes ?? null, regions: startRegions });
    } catch (err) {
      if (!(err instanceof PlanError)) throw err;
      problems.push({ field: err.field, error: badRequest(err.message) });
    }
  }
  return { service, regions, startRegions, plan, problems };
}

/** Why this artifact cannot go out in these regions (not one of the service's, or built from a refused ref), or null. */
export function artifactProblem(
  ctx: ServiceContext,
  serviceId: string,
  artifact: ArtifactRow | undefined,
  requestedId: string | undefined,
  regions: RegionConfig[],
): ServiceError | null {
  if (!artifact || artifact.serviceId !== serviceId) return notFound(`There is no artifact "${requestedId}" of ${serviceId}.`);
  return sourceRefProblem(ctx, artifact, regions);
}

/**
 * Start a rollout. With an idempotency key (REST `Idempotency-Key`), a retry of the same request by the same
 * actor within 24 hours answers with the rollout the first one started, and starts nothing.
 */
export async function startRollout(ctx: ServiceContext, raw: StartRolloutInput, opts: { idempotencyKey?: string } = {}): Promise<StartedRollout> {
  const now = ctx.clock.now();
  const input = parseInput(StartRolloutInput, raw);
  if (!actorCan(ctx.actor, "rollout.start")) throw forbidden("Starting a rollout needs the deployer, sre or admin role.");
  const checked = checkStart(ctx, input);
  if (checked.problems.length > 0) throw checked.problems[0].error;
  const { regions, startRegions } = checked;
  const service = checked.service!;
  const plan = checked.plan!;
  const stagesByRegion = new Map<string, StageSpec[]>(startRegions.map((r) => [r.id, r.stages]));

  const initiator = actorRef(ctx.actor);
  const request = opts.idempotencyKey ? requestFingerprint(input) : null;

  return ctx.db.transaction(async (tx) => {
    if (opts.idempotencyKey) {
      await holdKey(tx, initiator, opts.idempotencyKey);
      const earlier = await earlierStart(tx, initiator, opts.idempotencyKey, request!, now);
      if (earlier) return earlier;
    }
    // A freeze refuses the start before anything is written (the artifact included).
    const override = await checkFreeze(tx, ctx, regions, input.breakGlassReason ?? null, now);
    // So does a quarantined release (rolled back for a breach): docs/policies.md#quarantine.
    const digest = input.artifact ? input.artifact.digest : (await findArtifact(tx, input.artifactId!))?.digest;
    if (digest) await checkQuarantine(tx, service.id, digest);
    // So does a strategy the migration path does not open yet (docs/policies.md#migration-path).
    const strategyOverride = await checkStrategyPolicy(tx, ctx, service, input.strategy, input.strategyOverrideReason ?? null, now);
    const artifact = input.artifact
      ? (await registerArtifactIn(tx, ctx, { ...input.artifact, serviceId: service.id }, now)).artifact
      : await findArtifact(tx, input.artifactId!);
    const problem = artifactProblem(ctx, service.id, artifact, input.artifactId, regions);
    // A missing artifact is one of artifactProblem's problems; `!artifact` only tells TypeScript.
    if (problem || !artifact) throw problem;
    // A contract migration the live release does not tolerate refuses the start; the throw rolls the registration back (docs/policies.md#schema-compatibility).
    const schema = await checkSchemaCompat(
      tx,
      ctx,
      service.id,
      artifact,
      regions.map((r) => r.id),
      input.schemaOverrideReason ?? null,
    );

    const rolloutId = randomUUID();
    const correlationId = randomUUID();
    await tx.rollouts.insert({
      id: rolloutId,
      serviceId: service.id,
      artifactId: artifact.id,
      strategy: input.strategy,
      delayMinutes: input.strategy === "delayed" ? (input.delayMinutes ?? null) : null,
      status: "running",
      initiator,
      initiatorUserId: personBehind(ctx.actor),
      ciActor: ctx.actor.kind === "webhook" ? (ctx.actor.ciActor?.name ?? null) : null,
      correlationId,
      breakGlassReason: override?.reason ?? null,
      strategyOverrideReason: strategyOverride?.reason ?? null,
      schemaOverrideReason: schema.override?.reason ?? null,
      createdAt: now,
    });

    const created: StartedRollout["regions"] = [];
    for (const planned of plan.regions) {
      const regionRolloutId = randomUUID();
      const live = await claimRegion(tx, now, service.id, planned.regionId, regionRolloutId);
      await tx.regionRollouts.insert({
        id: regionRolloutId,
        rolloutId,
        regionId: planned.regionId,
        position: planned.position,
        phase: "pending",
        nextTickAt: now,
        fromColour: live.liveColour,
        toColour: live.liveColour === "blue" ? "green" : "blue",
        previousArtifactId: live.liveArtifactId,
        updatedAt: now,
      });
      await tx.stages.insertMany(stagesByRegion.get(planned.regionId)!.map((s) => ({ id: randomUUID(), regionRolloutId, ...s, status: "pending" as const })));
      created.push({ regionRolloutId, regionId: planned.regionId, position: planned.position });
    }

    const [started] = await tx.events.insertAll([
      eventValues({
        at: now,
        type: "rollout.started",
        actor: initiator,
        message: `${ctx.actor.name} started ${service.id} ${artifact.version} (${input.strategy}${input.strategy === "delayed" ? `, ${input.delayMinutes} min between regions` : ""}) in ${created.map((c) => c.regionId).join(", ")}; expected about ${formatDuration(plan.expectedDurationMs)}.`,
        serviceId: service.id,
        rolloutId,
        correlationId,
        data: {
          artifactId: artifact.id,
          version: artifact.version,
          digest: artifact.digest,
          strategy: input.strategy,
          delayMinutes: input.delayMinutes ?? null,
          plan,
          ...(opts.idempotencyKey ? { idempotencyKey: opts.idempotencyKey, request: request! } : {}),
        },
      }),
    ]);
    await enqueueNotifications(tx, ctx.config, started);
    if (override) await tx.events.insertAll([breakGlassEvent(ctx, now, { id: rolloutId, serviceId: service.id, correlationId }, override)]);
    if (strategyOverride)
      await tx.events.insertAll([strategyOverrideEvent(ctx, now, { id: rolloutId, serviceId: service.id, correlationId }, strategyOverride)]);
    const schemaEvents = schemaCheckEvents(ctx, now, { id: rolloutId, serviceId: service.id, correlationId, version: artifact.version }, schema);
    if (schemaEvents.length > 0) await tx.events.insertAll(schemaEvents);
    return { rolloutId, correlationId, artifact, plan, regions: created };
  });
}

/** The rollout this actor started under this key in the last 24 hours, if any; the same key with another request is refused. */
async function earlierStart(tx: Store, actor: string, key: string, request: string, now: number): Promise<StartedRollout | null> {
  for (const row of await recentEventsOf(tx, "rollout.started", actor, now)) {
    const ev = readEvent(row);
    if (ev?.type !== "rollout.started" || ev.data.idempotencyKey !== key || !row.rolloutId) continue;
    if (ev.data.request !== request)
      throw conflict(`Idempotency key ${key} was already used to start rollout ${row.rolloutId} with another request; use a new key for another request.`, {
        rolloutId: row.rolloutId,
      });
    const artifact = ev.data.artifactId ? await tx.artifacts.byId(ev.data.artifactId) : undefined;
    if (!artifact) continue;
    const regions = (await tx.regionRollouts.listForRollout(row.rolloutId)).map((r) => ({ regionRolloutId: r.id, regionId: r.regionId, position: r.position }));
    return { rolloutId: row.rolloutId, correlationId: row.correlationId ?? "", artifact, plan: ev.data.plan as Plan, regions, replayed: true };
  }
  return null;
}

/** "all" is every region in config order; named regions (ids or short names: us, eu, apac) must exist, and keep the config's order. */
function resolveRegions(ctx: ServiceContext, wanted: "all" | string[]): { regions: RegionConfig[]; problem: ServiceError | null } {
  const ordered = regionsInOrder(ctx.config);
  if (wanted === "all") return { regions: ordered, problem: null };
  const names = wanted.map((name) => resolveRegionName(ctx.config, name));
  const ids = new Set(names.flatMap((n) => (n.ok ? [n.region.id] : [])));
  const regions = ordered.filter((r) => ids.has(r.id));
  const unknown = wanted.filter((_, i) => {
    const n = names[i];
    return !n.ok && n.unknown;
  });
  const ambiguous = names.flatMap((n) => (!n.ok && !n.unknown ? [n.message] : []));
  if (unknown.length === 0 && ambiguous.length === 0) return { regions, problem: null };
  const unknownWords =
    unknown.length === 0
      ? []
      : [
          `${unknown.map((u) => `"${u}"`).join(", ")} ${unknown.length === 1 ? "is" : "are"} not in the fleet config (known: ${ordered.map((r) => r.id).join(", ")}).`,
        ];
  return { regions, problem: badRequest(`regions: ${[...unknownWords, ...ambiguous].join(" ")}`) };
}

/**
 * The person behind a start, who may then not approve its gates: the signed-in user, the creator of the token, or
 * the user the webhook's `actor` matched (null when it matched nobody; the name is kept in `ci_actor`).
 */
function personBehind(actor: Actor): string | null {
  if (actor.kind === "user") return actor.id;
  if (actor.kind === "token") return actor.creatorId ?? null;
  if (actor.kind === "webhook") return actor.ciActor?.userId ?? null;
  return null;
}

/**
 * Protected environments need to know what they run: the source ref and commit it was built from, and the ref
 * must be one of the allowed refs (main, release/*). Never skipped: a missing ref is itself the problem.
 */
function sourceRefProblem(ctx: ServiceContext, artifact: ArtifactRow, regions: RegionConfig[]): ServiceError | null {
  const protectedEnvs = [...new Set(regions.map((r) => r.environment))].filter((env) => !isUnprotected(environmentPolicy(ctx.config, env)));
  if (protectedEnvs.length === 0) return null;
  const missing = [artifact.sourceRef ? null : "source ref", artifact.commitSha ? null : "commit"].filter(Boolean);
  if (missing.length > 0) {
    return preconditionFailed(
      `${artifact.version} has no ${missing.join(" and ")}, but ${protectedEnvs.join(", ")} ${protectedEnvs.length === 1 ? "is protected and only takes" : "are protected and only take"} builds whose sourceRef and commitSha are known; register a new version with both.`,
    );
  }
  const allowed = ctx.config.policies.allowedRefs;
  if (allowed.some((pattern) => globMatch(pattern, artifact.sourceRef!))) return null;
  return preconditionFailed(
    `${artifact.version} was built from ${artifact.sourceRef}, but ${protectedEnvs.join(", ")} only take builds from ${allowed.join(" or ")}.`,
  );
}

/**
 * Claim a region for this service with a conditional update: no row back means another rollout holds it, and
 * the error rolls the whole transaction back (nothing of this rollout is written).
 */
async function claimRegion(tx: Store, now: number, serviceId: string, regionId: string, regionRolloutId: string) {
  await tx.regions.ensureState(serviceId, regionId, now);
  const claimed = await tx.regions.claimState(serviceId, regionId, regionRolloutId, now);
  if (claimed) return claimed;
  throw await busyRegion(tx, serviceId, regionId);
}

export async function busyRegion(tx: Store, serviceId: string, regionId: string) {
  const holder = await tx.regions.activeHolder(serviceId, regionId);
  const by = holder ? ` ${holder.rolloutId} (started by ${holder.initiator}, ${holder.phase.replace("_", " ")})` : "";
  return conflict(`${regionId} is already in rollout${by} of ${serviceId}; wait for it to finish or abort it, then start again.`, {
    regionId,
    rolloutId: holder?.rolloutId ?? null,
  });
}

/**
 * The rollout page's read model: one rollout with its artifact, regions, stages and approvals; its samples for
 * charts; its events; and the history list. Each read is a fixed number of queries (no query per region).
 */
import { z } from "zod";
import { actorName, namesFor, withActorNames, type ActorNames } from "@/server/actor-names";
import { linkWindow, regionLinks } from "@/server/config/links";
import type { FleetConfig } from "@/server/config/schema";
import { analyseCause } from "@/server/engine/machine/analysis";
import { readEvent, rollbackTrigger } from "@/server/engine/machine/events";
import { requiredReviewers } from "@/server/engine/store/load";
import type { CauseItem, CauseTest, MetricName } from "@/server/engine/machine/types";
import { anchorForCause, guideLink } from "@/server/engine/outbox/card-links";
import { parseInput, type ServiceContext } from "./context";
import { stillNeededWords } from "./approvals-pending";
import { notFound } from "./errors";
import { quarantineView } from "./quarantines";
import { regionStatusOf, requireRead, ROLLOUT_STATUSES, rolloutStatusOf } from "./rollout-status";
import { schemaCheckOf } from "./schema-compat";
import { stepHistories } from "./step-history";

type ReadContext = Pick<ServiceContext, "db" | "config" | "actor">;

/** The one template function of config links (cards, this page, the region page). */
export { fillLink } from "@/server/config/links";

export function commitUrl(config: FleetConfig, serviceId: string, sha: string | null): string | null {
  const repo = config.services.find((s) => s.id === serviceId)?.repository;
  return repo && sha ? `${repo.replace(/\/$/, "")}/commit/${sha}` : null;
}

export async function getRolloutView(ctx: ReadContext, rolloutId: string) {
  requireRead(ctx);
  const { db, config } = ctx;
  const row = await db.rollouts.withArtifact(rolloutId);
  if (!row) throw notFound(`There is no rollout ${rolloutId}.`);
  const { rollout, artifact } = row;
  const regionRows = await db.regionRollouts.listForRollout(rolloutId);
  const ids = regionRows.map((r) => r.id);
  const stageRows = await db.stages.listForRegionRollouts(ids);
  const stepRows = await db.steps.listForRegionRollouts(ids);
  const approvalRows = await db.approvals.listWithReviewerForRegionRollouts(ids);
  const judged = await stageJudgements(ctx, ids);
  const promotions = await promotionsOf(ctx, rolloutId);
  const quarantine = await db.quarantines.activeFor(rollout.serviceId, artifact.digest);
  const rollbacks = await rollbacksOf(ctx, rolloutId);
  const schemaCheck = await schemaCheckOf(db, rollout, regionRows);
  // People by name (the stored references stay in `initiator` and `actor`, for tooltips).
  const names = await namesFor(
    db,
    [rollout.initiator, ...promotions.map((p) => p.actor), ...rollbacks.flatMap((r) => (r.actor ? [r.actor] : []))],
    regionRows.flatMap((r) => [r.pauseReason, r.outcomeReason]),
  );
  const now = Date.now();
  const regions = regionRows.map((r) => {
    const region = config.regions.find((c) => c.id === r.regionId);
    // The card's window: around the region's end (or now), from its start if earlier.
    const linkCtx = {
      rolloutId,
      serviceId: rollout.serviceId,
      correlationId: rollout.correlationId,
      ...linkWindow(r.startedAt ?? rollout.createdAt, r.finishedAt ?? rollout.finishedAt ?? now),
    };
    const links = regionLinks(region, linkCtx);
    const regionStages = stageRows.filter((s) => s.regionRolloutId === r.id);
    const upstream = r.position > 0 && rollout.strategy !== "parallel" ? regionRows[r.position - 1] : undefined;
    return {
      ...regionStatusOf(r, regionStages[r.stageIndex]?.percent ?? null),
      pauseReason: withActorNames(r.pauseReason, names),
      /** How it was rolled back: a breach the engine found, or a person (during the canary, or an emergency rollback), by name. */
      rollback: rollbackOf(rollbacks, r.regionId, names),
      outcomeReason: withActorNames(r.outcomeReason, names),
      regionRolloutId: r.id,
      regionName: region?.name ?? r.regionId,
      environment: region?.environment ?? null,
      stageIndex: r.stageIndex,
      /** Why a region not started (waiting) or never to start (blocked) has nothing to chart; null for the others. */
      standby: standbyWords(r, upstream, rollout.strategy),
      fromColour: r.fromColour,
      toColour: r.toColour,
      /** A move of all traffic back to the old colour that failed and is being tried again ("rollback retrying"). */
      rollbackRetry:
        r.rollbackAttempts > 0
          ? { attempts: r.rollbackAttempts, lastError: r.rollbackLastError, nextAt: r.rollbackNextAt, failingSince: r.rollbackFirstFailedAt }
          : null,
      /** Under observation after it succeeded (delayed strategy): sampled until then; a breach rolls it back. */
      observeUntil: r.observeUntil,
      cause: r.cause as RollbackCause[] | null,
      /** The debugging guide's section for what rolled it back (the link its incident card carries), or null. */
      runbook: runbookLink(config, r.cause as CauseItem[] | null),
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      stages: regionStages.map((s) => ({
        index: s.index,
        percent: s.percent,
        maxErrorRatePct: s.maxErrorRatePct,
        maxLatencyP95Ms: s.maxLatencyP95Ms,
        maxCpuPct: s.maxCpuPct,
        maxMemoryPct: s.maxMemoryPct,
        healthStatus: s.healthStatus,
        /** Every metric the engine judges at this stage, with its limit and rule (CPU, memory and health at validation). */
        judges: judgedMetrics(s),
        durationMs: s.durationMs,
        status: s.status,
        startedAt: s.startedAt,
        finishedAt: s.finishedAt,
        /** Its canary samples by verdict: how much of it was judged (inconclusive is never a pass). */
        samples: judged.get(`${r.id}:${s.index}`) ?? { pass: 0, breach: 0, inconclusive: 0 },
        /** A person's promotion of this stage (the reason is required to skip the validation stage). */
        promotion: promotionOf(promotions, r.regionId, s.index, s.startedAt, names),
      })),
      /** At its gate: the approvals it still lacks, in words ("1 SRE"); null elsewhere. */
      stillNeeded:
        r.phase === "awaiting_approval" && region
          ? stillNeededWords(
              requiredReviewers(config, region.environment) ?? { functional: 0, sre: 0 },
              approvalRows.filter((a) => a.approval.regionRolloutId === r.id).map((a) => a.approval),
            )
          : null,
      approvals: approvalRows
        .filter((a) => a.approval.regionRolloutId === r.id)
        .map((a) => ({ reviewer: a.reviewerName, kind: a.approval.kind, decision: a.approval.decision, comment: a.approval.comment, at: a.approval.at })),
      links: { dashboard: links.dashboard ?? null, logs: links.logs ?? null },
      /** Its effects (deploy, weight changes, moves back), each with every attempt and its outcome. */
      steps: stepHistories(stepRows.filter((s) => s.regionRolloutId === r.id)),
    };
  });
  return {
    ...rolloutStatusOf(rollout),
    initiatorName: actorName(rollout.initiator, names),
    /** The service as people call it ("API"), where `serviceId` is the key ("api"). */
    serviceName: config.services.find((s) => s.id === rollout.serviceId)?.name ?? rollout.serviceId,
    artifact: {
      version: artifact.version,
      digest: artifact.digest,
      commitSha: artifact.commitSha,
      sourceRef: artifact.sourceRef,
      provenance: artifact.provenance,
      commitUrl: commitUrl(config, rollout.serviceId, artifact.commitSha),
    },
    /** The release is quarantined (rolled back for a breach here or elsewhere): which, where and why. */
    quarantine: quarantine && {
      id: quarantine.id,
      regionId: quarantine.regionId,
      rolloutId: quarantine.rolloutId,
      description: quarantineView(quarantine).description,
    },
    /** The release's migrations and the schema-compatibility verdict over what each region served at start (docs/policies.md#schema-compatibility). */
    schemaCheck,
    regions,
  };
}
export type RolloutView = Awaited<ReturnType<typeof getRolloutView>>;

/** In the app (`/docs/…`) unless the config points the cards at another guide. */
function runbookLink(config: FleetConfig, cause: CauseItem[] | null): string | null {
  if (!cause || cause.length === 0) return null;
  const anchor = anchorForCause(cause);
  return config.notifications.debuggingGuideUrl ? guideLink(config, anchor) : `/docs/debugging-guide#${anchor}`;
}

/** One entry of a rollback cause, as the engine writes it (engine/machine/types.ts CauseItem). */
export type RollbackCause = {
  metric: string;
  observed: number;
  threshold: number;
  unit: string;
  baseline?: number | null;
  baselineAlsoBreaches?: boolean;
  /** How the breach was established: the limit, a confidence bound, or a test against the old colour. */
  test?: CauseTest;
  /** The same metric also significantly worse than the old colour's. */
  versus?: Extract<CauseTest, { kind: "baseline" }>;
};

/** One metric a stage judges: its limit and how (at most, strictly below, or exactly a status), as the engine does. */
export type JudgedMetric = { metric: MetricName; limit: number; rule: "atMost" | "below" | "equal"; unit: "%" | "ms" | "status" };

type StageLimits = { maxErrorRatePct: number; maxLatencyP95Ms: number; maxCpuPct: number | null; maxMemoryPct: number | null; healthStatus: number | null };

/**
 * The metrics the engine judges at a stage (engine/machine/analysis.ts): error rate and p95 at every stage ("at
 * most"), CPU and memory strictly below their limits and the health status equal to it where the stage sets them.
 */
export function judgedMetrics(stage: StageLimits): JudgedMetric[] {
  const out: JudgedMetric[] = [
    { metric: "error_rate", limit: stage.maxErrorRatePct, rule: "atMost", unit: "%" },
    { metric: "latency_p95", limit: stage.maxLatencyP95Ms, rule: "atMost", unit: "ms" },
  ];
  if (stage.maxCpuPct !== null) out.push({ metric: "cpu", limit: stage.maxCpuPct, rule: "below", unit: "%" });
  if (stage.maxMemoryPct !== null) out.push({ metric: "memory", limit: stage.maxMemoryPct, rule: "below", unit: "%" });
  if (stage.healthStatus !== null) out.push({ metric: "health", limit: stage.healthStatus, rule: "equal", unit: "status" });
  return out;
}

type RegionRow = Awaited<ReturnType<ReadContext["db"]["regionRollouts"]["listForRollout"]>>[number];

/**
 * One line for a region with nothing to chart: "Waiting for us-east to pass" (its turn comes after the region
 * before it, in a sequential or delayed rollout), "Blocked: us-east was rolled back" (the chain stopped there).
 */
export function standbyWords(row: RegionRow, upstream: RegionRow | undefined, strategy: string): string | null {
  if (row.phase === "blocked") return `Blocked: ${row.outcomeReason?.replace(/^blocked because /, "") ?? "a region before it failed"}`;
  if (row.phase !== "pending") return null;
  if (!upstream) return "Waiting to start";
  if (upstream.phase === "succeeded" && strategy === "delayed") return `Waiting out the observation of ${upstream.regionId} before it starts`;
  return `Waiting for ${upstream.regionId} to pass`;
}

type StageJudged = { pass: number; breach: number; inconclusive: number };

/** Canary samples per region rollout and stage, counted by verdict (one grouped query). */
async function stageJudgements(ctx: ReadContext, ids: string[]): Promise<Map<string, StageJudged>> {
  const rows = await ctx.db.samples.canaryVerdictCounts(ids);
  const out = new Map<string, StageJudged>();
  for (const r of rows) {
    const key = `${r.id}:${r.stageIndex}`;
    const entry = out.get(key) ?? { pass: 0, breach: 0, inconclusive: 0 };
    if (r.verdict) entry[r.verdict] += Number(r.n);
    out.set(key, entry);
  }
  return out;
}

/** Each region's rollbacks, from the event log: what triggered it and who asked (a person's rollback names them). */
async function rollbacksOf(ctx: ReadContext, rolloutId: string) {
  return (await rollbacksByRollout(ctx, [rolloutId])).get(rolloutId) ?? [];
}

/** The rollbacks of several rollouts in one read, by rollout id (the history page's failed rollouts). */
async function rollbacksByRollout(ctx: ReadContext, rolloutIds: readonly string[]) {
  const byRollout = new Map<string, Array<{ regionId: string | null; at: number; trigger: ReturnType<typeof rollbackTrigger>; actor: string | null }>>();
  for (const e of await ctx.db.events.listForRolloutsOfType(rolloutIds, "region.rolled_back")) {
    const read = readEvent(e);
    const data = read?.type === "region.rolled_back" ? read.data : {};
    const trigger = rollbackTrigger(data);
    const list = byRollout.get(e.rolloutId!) ?? [];
    list.push({ regionId: e.regionId, at: e.at, trigger, actor: trigger === "breach" ? null : e.actor });
    byRollout.set(e.rolloutId!, list);
  }
  return byRollout;
}

/** The region's latest rollback: "breach", or "manual" / "emergency" with the person's name. */
function rollbackOf(rollbacks: Awaited<ReturnType<typeof rollbacksOf>>, regionId: string, names: ActorNames) {
  const last = rollbacks.filter((r) => r.regionId === regionId).at(-1);
  if (!last) return null;
  return { trigger: last.trigger, by: last.actor, byName: last.actor ? actorName(last.actor, names) : null, at: last.at };
}

/** A stage's promotion, with the promoter's name beside the reference. */
function promotionOf(promotions: Promotion[], regionId: string | null, stageIndex: number, startedAt: number | null, names: ActorNames) {
  const found = promotions.find((p) => p.regionId === regionId && p.stageIndex === stageIndex && p.at >= (startedAt ?? 0));
  return found ? { ...found, actorName: actorName(found.actor, names) } : null;
}
type Promotion = Awaited<ReturnType<typeof promotionsOf>>[number];

/** Promotions of stages, from the event log: who, when, which stage, and the reason given. */
async function promotionsOf(ctx: ReadContext, rolloutId: string) {
  const promoted = await ctx.db.events.listForRolloutsOfType([rolloutId], "region.promoted");
  return promoted.map((e) => {
    const read = readEvent(e);
    const data = read?.type === "region.promoted" ? read.data : {};
    return {
      at: e.at,
      actor: e.actor,
      regionId: e.regionId,
      stageIndex: data.stageIndex ?? -1,
      reason: data.reason ?? null,
      validation: data.validation === true,
    };
  });
}

export type SamplePoint = {
  at: number;
  stageIndex: number;
  canaryErrorRatePct: number | null;
  canaryP95Ms: number | null;
  baselineErrorRatePct: number | null;
  baselineP95Ms: number | null;
  maxErrorRatePct: number | null;
  maxLatencyP95Ms: number | null;
  canaryCpuPct: number | null;
  baselineCpuPct: number | null;
  canaryMemoryPct: number | null;
  baselineMemoryPct: number | null;
  canaryHealthStatus: number | null;
  baselineHealthStatus: number | null;
  /** The validation stage's limits (null where the stage does not judge them): CPU and memory below, health equal. */
  maxCpuPct: number | null;
  maxMemoryPct: number | null;
  healthStatus: number | null;
  verdict: "pass" | "breach" | "inconclusive" | null;
  /** A breach's metrics: those over their limit, else the error rate (a confidence bound or a test against the old colour). */
  breached: MetricName[];
  /** Why a sample was not a pass (inconclusive or breach), in the engine's words; null for a pass. */
  reasons: string[] | null;
};

/**
 * Per region, one point per observation: canary and baseline side by side (a baseline sample is matched to the
 * canary sample taken at the same moment), with the stage's thresholds so a chart can step them down.
 */
export async function getRolloutSamples(ctx: ReadContext, rolloutId: string): Promise<Array<{ regionId: string; points: SamplePoint[] }>> {
  requireRead(ctx);
  const regionRows = await ctx.db.regionRollouts.listForRollout(rolloutId);
  const ids = regionRows.map((r) => r.id);
  if (ids.length === 0) return [];
  const sampleRows = await ctx.db.samples.listForRegionRollouts(ids);
  const stageRows = await ctx.db.stages.listForRegionRollouts(ids);
  return regionRows.map((r) => {
    const byKey = new Map<string, SamplePoint>();
    for (const s of sampleRows) {
      if (s.regionRolloutId !== r.id) continue;
      const key = `${s.stageIndex}:${s.takenAt}`;
      let point = byKey.get(key);
      if (!point) {
        const stage = stageRows.find((st) => st.regionRolloutId === r.id && st.index === s.stageIndex);
        point = {
          at: s.takenAt,
          stageIndex: s.stageIndex,
          canaryErrorRatePct: null,
          canaryP95Ms: null,
          baselineErrorRatePct: null,
          baselineP95Ms: null,
          maxErrorRatePct: stage?.maxErrorRatePct ?? null,
          maxLatencyP95Ms: stage?.maxLatencyP95Ms ?? null,
          canaryCpuPct: null,
          baselineCpuPct: null,
          canaryMemoryPct: null,
          baselineMemoryPct: null,
          canaryHealthStatus: null,
          baselineHealthStatus: null,
          maxCpuPct: stage?.maxCpuPct ?? null,
          maxMemoryPct: stage?.maxMemoryPct ?? null,
          healthStatus: stage?.healthStatus ?? null,
          verdict: null,
          breached: [],
          reasons: null,
        };
        byKey.set(key, point);
      }
      if (s.role === "canary") {
        point.canaryErrorRatePct = s.errorRatePct;
        point.canaryP95Ms = s.latencyP95Ms;
        point.canaryCpuPct = s.cpuPct;
        point.canaryMemoryPct = s.memoryPct;
        point.canaryHealthStatus = s.healthStatus;
        point.verdict = s.verdict;
        point.reasons = s.verdict !== "pass" && Array.isArray(s.reasons) ? (s.reasons as string[]) : null;
      } else {
        point.baselineErrorRatePct = s.errorRatePct;
        point.baselineP95Ms = s.latencyP95Ms;
        point.baselineCpuPct = s.cpuPct;
        point.baselineMemoryPct = s.memoryPct;
        point.baselineHealthStatus = s.healthStatus;
      }
    }
    const points = [...byKey.values()];
    for (const p of points) if (p.verdict === "breach") p.breached = breachedMetrics(p);
    return { regionId: r.regionId, points };
  });
}

/** Which metrics of a breached sample were over their stage's limit (the engine's own rule); else the error rate's statistics. */
function breachedMetrics(p: SamplePoint): MetricName[] {
  if (p.maxErrorRatePct === null || p.maxLatencyP95Ms === null) return ["error_rate"];
  const stage = { index: p.stageIndex, percent: 0, durationMs: 0, ...p, maxErrorRatePct: p.maxErrorRatePct, maxLatencyP95Ms: p.maxLatencyP95Ms };
  const canary = {
    requests: null,
    errorRatePct: p.canaryErrorRatePct,
    latencyP95Ms: p.canaryP95Ms,
    cpuPct: p.canaryCpuPct,
    memoryPct: p.canaryMemoryPct,
    healthStatus: p.canaryHealthStatus,
  };
  const over = analyseCause(stage, canary, null).map((c) => c.metric);
  return over.length > 0 ? over : ["error_rate"];
}

/** The rollout's events, each with its actor's name and the people in its message by name (the references stay in `actor`). */
export async function getRolloutEvents(ctx: ReadContext, rolloutId: string) {
  requireRead(ctx);
  const rows = await ctx.db.events.recentForRollout(rolloutId, 500);
  const names = await namesFor(
    ctx.db,
    rows.map((e) => e.actor),
    rows.map((e) => e.message),
  );
  return rows.map((e) => ({ ...e, actorName: actorName(e.actor, names), message: withActorNames(e.message, names) }));
}

/** A history cursor: the (createdAt, id) key of the last row of a page, the order of the history. */
const HISTORY_CURSOR = /^(\d{1,15}):([A-Za-z0-9-]{1,64})$/;

export const historyCursor = (row: { createdAt: number; id: string }) => `${row.createdAt}:${row.id}`;

/** A `?before=` of the history page: a cursor, or a bare createdAt from an old link (deprecated); else none. */
export function readHistoryBefore(value: string | undefined): string | number | undefined {
  if (value === undefined) return undefined;
  if (/^\d{1,15}$/.test(value)) return Number(value);
  return HISTORY_CURSOR.test(value) ? value : undefined;
}

/** The key rows must come strictly after in the order (createdAt desc, id desc); a bare number is the deprecated form. */
function olderThan(before: number | string): { createdAt: number; id?: string } {
  if (typeof before === "number") return { createdAt: before };
  const [, at, id] = HISTORY_CURSOR.exec(before)!;
  return { createdAt: Number(at), id };
}

export const RolloutHistoryInput = z.strictObject({
  serviceId: z.string().min(1).optional(),
  status: z.enum(ROLLOUT_STATUSES).optional(),
  regionId: z.string().min(1).optional(),
  /**
   * Where the previous page ended: its `nextBefore` cursor, `<createdAt>:<id>` of its last row, so rollouts that
   * share a millisecond are never skipped. Deprecated: a bare createdAt (a number, the old links' `?before=`),
   * still read as "older than that millisecond".
   */
  before: z.union([z.int(), z.string().regex(HISTORY_CURSOR, { error: "expected the nextBefore cursor of the previous page (<createdAt>:<id>)" })]).optional(),
  limit: z.number().int().min(1).max(100).default(25),
});
export type RolloutHistoryInput = z.input<typeof RolloutHistoryInput>;

export async function listRolloutHistory(ctx: ReadContext, raw: RolloutHistoryInput = {}) {
  requireRead(ctx);
  const input = parseInput(RolloutHistoryInput, raw);
  const filter = {
    serviceId: input.serviceId,
    status: input.status,
    regionId: input.regionId,
    before: input.before !== undefined ? olderThan(input.before) : undefined,
  };
  // One more than asked tells whether there is a next page without a count.
  const rows = await ctx.db.rollouts.pageWithArtifact(filter, input.limit + 1);
  const page = rows.slice(0, input.limit);
  const regionRows = await ctx.db.regionRollouts.listForRollouts(page.map((r) => r.rollout.id));
  // How each region of a failed rollout was rolled back, so a rollout that people rolled back reads "rolled back".
  const rollbacks = await rollbacksByRollout(
    ctx,
    page.filter(({ rollout }) => rollout.status === "failed").map(({ rollout }) => rollout.id),
  );
  const names = await namesFor(ctx.db, [
    ...page.map((r) => r.rollout.initiator),
    ...[...rollbacks.values()].flatMap((list) => list.flatMap((r) => (r.actor ? [r.actor] : []))),
  ]);
  return {
    items: page.map(({ rollout, version }) => ({
      id: rollout.id,
      serviceId: rollout.serviceId,
      version,
      strategy: rollout.strategy,
      status: rollout.status,
      initiator: rollout.initiator,
      initiatorName: actorName(rollout.initiator, names),
      createdAt: rollout.createdAt,
      finishedAt: rollout.finishedAt,
      regions: regionRows
        .filter((r) => r.rolloutId === rollout.id)
        .map((r) => ({ regionId: r.regionId, phase: r.phase, rollback: rollbackOf(rollbacks.get(rollout.id) ?? [], r.regionId, names) })),
    })),
    nextBefore: rows.length > input.limit ? historyCursor(page[page.length - 1].rollout) : null,
  };
}

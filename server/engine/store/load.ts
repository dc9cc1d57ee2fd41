/**
 * Everything one decision about a region rollout needs, read fresh from the database (never from memory):
 * its state, its stages, its rollout and artifact, the region before it, and its approval gate.
 */
import { and, asc, eq, gt } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { approvals, artifacts, regionRollouts, rollouts, stages } from "@/db/schema";
import { environmentPolicy, regionSettings } from "@/server/config/load";
import type { FleetConfig, RegionConfig } from "@/server/config/schema";
import { analysisFromConfig } from "@/server/engine/machine";
import { statements, type Statements } from "./statements";
import type {
  AnalysisSpec,
  ApprovalRecord,
  CauseItem,
  Gate,
  Judgement,
  RegionRolloutState,
  StageSample,
  StageSpec,
  Upstream,
  Verdict,
} from "@/server/engine/machine/types";

export type RegionRolloutRow = typeof regionRollouts.$inferSelect;
export type RolloutRow = typeof rollouts.$inferSelect;
export type ArtifactRow = typeof artifacts.$inferSelect;

export type RegionRolloutContext = {
  row: RegionRolloutRow;
  state: RegionRolloutState;
  stages: StageSpec[];
  rollout: RolloutRow;
  artifact: ArtifactRow;
  region: RegionConfig;
  analysis: AnalysisSpec;
  upstream: Upstream;
  gate: Gate;
  /** A region comes after this one in the plan. */
  hasDownstream: boolean;
  /** The current stage's judged samples, oldest first (empty outside a canary stage). */
  stageSamples: StageSample[];
};

export function rowToState(row: RegionRolloutRow): RegionRolloutState {
  return {
    id: row.id,
    regionId: row.regionId,
    position: row.position,
    phase: row.phase,
    paused: row.paused,
    pauseReason: row.pauseReason,
    stageIndex: row.stageIndex,
    stageStartedAt: row.stageStartedAt,
    deadlineAt: row.deadlineAt,
    pausedRemainingMs: row.pausedRemainingMs,
    canaryPct: row.canaryPct,
    fromColour: row.fromColour,
    toColour: row.toColour,
    breaches: row.breaches,
    inconclusive: row.inconclusive,
    lastSampleAt: row.lastSampleAt,
    lastVerdict: row.lastVerdict ?? null,
    requestedAction: row.requestedAction ?? null,
    requestedBy: row.requestedBy,
    cause: (row.cause as CauseItem[] | null) ?? null,
    outcomeReason: row.outcomeReason,
    attempt: row.attempt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    rollbackAttempts: row.rollbackAttempts,
    rollbackNextAt: row.rollbackNextAt,
    rollbackLastError: row.rollbackLastError,
    rollbackFirstFailedAt: row.rollbackFirstFailedAt,
    rollbackLastAlertAt: row.rollbackLastAlertAt,
    observeUntil: row.observeUntil,
    extendedMs: row.extendedMs,
    promotedAt: row.promotedAt,
  };
}

type StageSampleRow = ReturnType<Statements["stageSamples"]["all"]>[number];

/**
 * The current stage's samples, canary and baseline paired by time, oldest first: what the machine accumulates
 * (request and error counts, per-sample p95s) and counts for the stage's coverage. Empty outside a stage.
 */
export function loadStageSamples(
  db: Db,
  state: Pick<RegionRolloutState, "id" | "phase" | "stageIndex" | "stageStartedAt">,
  cached?: SamplesCache,
): StageSample[] {
  if (state.phase !== "canary" || state.stageIndex < 0 || state.stageStartedAt === null) return [];
  // Samples are append-only: with the runner's cache, a pass reads only the rows written since its last read
  // (a stage of 1 s samples would otherwise re-read hundreds of rows on every pass).
  const key = `${state.stageIndex}/${state.stageStartedAt}`;
  if (cached && cached.key !== key) Object.assign(cached, { key, after: state.stageStartedAt, samples: [] });
  const after = cached?.after ?? state.stageStartedAt;
  const fresh = readStageSamples(db, state.id, state.stageIndex, after);
  if (!cached) return fresh;
  if (fresh.length > 0) Object.assign(cached, { after: fresh[fresh.length - 1].takenAt, samples: [...cached.samples, ...fresh] });
  return cached.samples;
}

/** A stage's samples taken after `after`, canary and baseline paired by time (they are written together). */
function readStageSamples(db: Db, id: string, stageIndex: number, after: number): StageSample[] {
  const rows = statements(db).stageSamples.all({ id, stageIndex, after });
  const baselines = new Map<number, StageSampleRow>();
  for (const r of rows) if (r.role === "baseline") baselines.set(r.takenAt, r);
  const counts = (r: StageSampleRow) => ({ requests: r.requests, errors: r.errors, latencyP95Ms: r.latencyP95Ms });
  return rows
    .filter((r) => r.role === "canary" && r.verdict !== null)
    .map((r) => {
      const base = baselines.get(r.takenAt);
      const gaps = (r.judgement as Judgement | null)?.gaps ?? [];
      return { takenAt: r.takenAt, verdict: r.verdict as Verdict, gaps, canary: counts(r), baseline: base ? counts(base) : null };
    });
}

export function loadStages(db: Db | Tx, regionRolloutId: string): StageSpec[] {
  return db
    .select()
    .from(stages)
    .where(eq(stages.regionRolloutId, regionRolloutId))
    .orderBy(asc(stages.index))
    .all()
    .map((s) => ({
      index: s.index,
      percent: s.percent,
      maxErrorRatePct: s.maxErrorRatePct,
      maxLatencyP95Ms: s.maxLatencyP95Ms,
      durationMs: s.durationMs,
      maxCpuPct: s.maxCpuPct,
      maxMemoryPct: s.maxMemoryPct,
      healthStatus: s.healthStatus,
    }));
}

/** The reviewers an environment requires, from the config's policies (null when it requires none). */
export function requiredReviewers(config: FleetConfig, environment: string): Gate["required"] {
  const rule = environmentPolicy(config, environment);
  if (!rule) return null;
  const { functional, sre } = rule.requiredReviewers;
  return functional + sre > 0 ? { functional, sre } : null;
}

/** Reviewers are named by their actor string (`user:<id>`), so the machine's events name them as actors. */
function toApprovalRecord(a: typeof approvals.$inferSelect): ApprovalRecord {
  return { reviewerId: `user:${a.reviewerId}`, kind: a.kind, decision: a.decision, comment: a.comment };
}

export function loadGate(db: Db | Tx, config: FleetConfig, region: RegionConfig, regionRolloutId: string): Gate {
  const decisions = db.select().from(approvals).where(eq(approvals.regionRolloutId, regionRolloutId)).all();
  return { required: requiredReviewers(config, region.environment), approvals: decisions.map(toApprovalRecord) };
}

export class MissingConfigError extends Error {}

/** What never changes for a region rollout once planned: kept between passes so a pass reads one row. */
export type StaticContext = Pick<RegionRolloutContext, "stages" | "rollout" | "artifact" | "region" | "analysis" | "hasDownstream"> & {
  /** The current stage's samples read so far (append-only rows), so a pass reads only new ones. */
  samples?: SamplesCache;
};
export type SamplesCache = { key: string; after: number; samples: StageSample[] };
export type ContextCache = Map<string, StaticContext>;

/**
 * Null when the region rollout does not exist. Throws when its region has left the config.
 * The upstream region matters only while this one is pending, and the approvals only until it passed its
 * gate (the machine reads them in no other phase), so other phases skip those reads.
 */
export function loadRegionRolloutContext(db: Db, config: FleetConfig, regionRolloutId: string, cache?: ContextCache): RegionRolloutContext | null {
  const q = statements(db);
  const row = q.regionRollout.get({ id: regionRolloutId });
  if (!row) return null;
  const fixed = cache?.get(row.id) ?? loadStatic(db, config, row);
  if (!fixed) return null;
  cache?.set(row.id, fixed);
  const { rollout, region } = fixed;
  const upstream =
    row.phase === "pending" && rollout.strategy !== "parallel" && row.position > 0
      ? (q.upstream.get({ rolloutId: rollout.id, position: row.position - 1 }) ?? null)
      : null;
  const decided = row.phase === "pending" || row.phase === "awaiting_approval" ? q.approvals.all({ id: row.id }) : [];
  const state = rowToState(row);
  return {
    ...fixed,
    row,
    state,
    stageSamples: loadStageSamples(db, state, cache ? (fixed.samples ??= { key: "", after: 0, samples: [] }) : undefined),
    upstream,
    gate: {
      required: requiredReviewers(config, region.environment),
      approvals: decided.map(toApprovalRecord),
    },
  };
}

function loadStatic(db: Db, config: FleetConfig, row: RegionRolloutRow): StaticContext | null {
  const rollout = db.select().from(rollouts).where(eq(rollouts.id, row.rolloutId)).get();
  if (!rollout) return null;
  const artifact = db.select().from(artifacts).where(eq(artifacts.id, rollout.artifactId)).get();
  if (!artifact) return null;
  const region = config.regions.find((r) => r.id === row.regionId);
  if (!region) throw new MissingConfigError(`region ${row.regionId} of rollout ${rollout.id} is no longer in the fleet config`);
  const after = db
    .select({ id: regionRollouts.id })
    .from(regionRollouts)
    .where(and(eq(regionRollouts.rolloutId, rollout.id), gt(regionRollouts.position, row.position)))
    .limit(1)
    .get();
  return {
    rollout,
    artifact,
    region,
    stages: loadStages(db, row.id),
    analysis: analysisFromConfig(regionSettings(config, region).analysis),
    hasDownstream: after !== undefined,
  };
}

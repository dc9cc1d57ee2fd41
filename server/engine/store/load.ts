/**
 * Everything one decision about a region rollout needs: its state, its stages, its rollout and artifact, the region
 * before it, its approval gate and its stage's samples. The row, the region before it and the gate are read fresh
 * from the database every pass (the row by the runner's scan of due work in the same tick, when it passes it); what
 * never changes once planned, and the stage's samples while the runner holds the rollout's lease (nobody else
 * writes them), come from the runner's cache when it passes one.
 */
import type { Store } from "@/db/client";
import type { ApprovalRow } from "@/db/store/repositories/approvals";
import type { ArtifactRow } from "@/db/store/repositories/artifacts";
import type { RegionRolloutRow } from "@/db/store/repositories/region-rollouts";
import type { RolloutRow } from "@/db/store/repositories/rollouts";
import type { StageRow } from "@/db/store/repositories/stages";
import { environmentPolicy, regionSettings } from "@/server/config/load";
import type { FleetConfig, RegionConfig } from "@/server/config/schema";
import { analysisFromConfig } from "@/server/engine/machine";
import { SampleColumns } from "./sample-columns";
import type { FreezeRules, StopAll } from "@/server/engine/machine/freeze";
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

export type { ArtifactRow, RegionRolloutRow, RolloutRow };

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
  /** The config's freeze windows and the stop-all in force (read by the runner once per tick: a stop-all holds every replica's rollouts at once). */
  freezeRules: FreezeRules;
};

/** The row without these columns: what is left is the machine's view (no column list kept by hand). */
function without<T extends object, K extends keyof T>(row: T, keys: readonly K[]): Omit<T, K> {
  const rest: Partial<T> = { ...row };
  for (const key of keys) delete rest[key];
  return rest as Omit<T, K>;
}

/**
 * Every column of the row is the machine's state but the plan's keys and the runner's bookkeeping. Left out by
 * destructuring: deleting keys from a copy (`without`) made a dictionary-mode object, twice a pass.
 */
export function rowToState(row: RegionRolloutRow): RegionRolloutState {
  const { rolloutId, previousArtifactId, nextTickAt, updatedAt, version, cause, ...state } = row;
  return { ...state, cause: (cause as CauseItem[] | null) ?? null };
}

type StageSampleRow = Awaited<ReturnType<Store["samples"]["stageSamples"]>>[number];

/**
 * The current stage's samples, canary and baseline paired by time, oldest first: what the machine accumulates
 * (request and error counts, per-sample p95s) and counts for the stage's coverage. Empty outside a stage.
 */
export async function loadStageSamples(
  db: Store,
  state: Pick<RegionRolloutState, "id" | "phase" | "stageIndex" | "stageStartedAt">,
  cached?: SamplesCache,
): Promise<StageSample[]> {
  if (state.phase !== "canary" || state.stageIndex < 0 || state.stageStartedAt === null) return [];
  // Samples are append-only and, while the runner holds the rollout's lease, written by nobody else: with the
  // runner's cache, the stage is read once and each sample the runner saves is added as it commits (rememberSample).
  const key = stageKey(state);
  if (cached && cached.key !== key) Object.assign(cached, { key, samples: new SampleColumns(), complete: false });
  if (cached?.complete) return cached.samples.toSamples();
  const after = cached?.samples.lastTakenAt ?? state.stageStartedAt;
  const fresh = await readStageSamples(db, state.id, state.stageIndex, after);
  if (!cached) return fresh;
  for (const sample of fresh) cached.samples.push(sample);
  cached.complete = true;
  return cached.samples.toSamples();
}

/**
 * A judged sample the runner just committed for `row` (as it was before the save), added to the runner's cache so
 * the next pass need not read it back. A cache of another stage is left to be read again.
 */
export function rememberSample(
  cache: ContextCache | undefined,
  row: Pick<RegionRolloutRow, "id" | "stageIndex" | "stageStartedAt">,
  sample: StageSample,
): void {
  const cached = cache?.get(row.id)?.samples;
  if (!cached?.complete) return;
  if (cached.key !== stageKey(row)) {
    cached.complete = false;
    return;
  }
  cached.samples.push(sample);
}

const stageKey = (s: { stageIndex: number; stageStartedAt: number | null }) => `${s.stageIndex}/${s.stageStartedAt}`;

/** A stage's samples taken after `after`, canary and baseline paired by time (they are written together). */
async function readStageSamples(db: Store, id: string, stageIndex: number, after: number): Promise<StageSample[]> {
  const rows = await db.samples.stageSamples(id, stageIndex, after);
  const baselines = new Map<number, StageSampleRow>();
  for (const r of rows) if (r.role === "baseline") baselines.set(r.takenAt, r);
  const counts = (r: StageSampleRow) => ({ requests: r.requests, errors: r.errors, latencyP95Ms: r.latencyP95Ms });
  return rows
    .filter((r) => r.role === "canary" && r.verdict !== null)
    .map((r) => {
      const base = baselines.get(r.takenAt);
      const gaps = (r.judgement as Judgement | null)?.gaps;
      return {
        takenAt: r.takenAt,
        verdict: r.verdict as Verdict,
        gaps: gaps ?? [],
        canary: counts(r),
        baseline: base ? counts(base) : null,
      };
    });
}

/** A stage's plan: its row without its identity and its outcome. */
const toStageSpec = (s: StageRow): StageSpec => without(s, ["id", "regionRolloutId", "status", "startedAt", "finishedAt"]);

export async function loadStages(db: Store, regionRolloutId: string): Promise<StageSpec[]> {
  return (await db.stages.listForRegionRollout(regionRolloutId)).map(toStageSpec);
}

/** The reviewers an environment requires, from the config's policies (null when it requires none). */
export function requiredReviewers(config: FleetConfig, environment: string): Gate["required"] {
  const rule = environmentPolicy(config, environment);
  if (!rule) return null;
  const { functional, sre } = rule.requiredReviewers;
  return functional + sre > 0 ? { functional, sre } : null;
}

/** Reviewers are named by their actor string (`user:<id>`), so the machine's events name them as actors. */
function toApprovalRecord(a: ApprovalRow): ApprovalRecord {
  return { reviewerId: `user:${a.reviewerId}`, kind: a.kind, decision: a.decision, comment: a.comment };
}

export async function loadGate(db: Store, config: FleetConfig, region: RegionConfig, regionRolloutId: string): Promise<Gate> {
  const decisions = await db.approvals.listForRegionRollout(regionRolloutId);
  return { required: requiredReviewers(config, region.environment), approvals: decisions.map(toApprovalRecord) };
}

export class MissingConfigError extends Error {}

/** What never changes for a region rollout once planned: kept between passes so a pass reads one row. */
export type StaticContext = Pick<RegionRolloutContext, "stages" | "rollout" | "artifact" | "region" | "analysis" | "hasDownstream"> & {
  /** The current stage's samples read or saved so far (append-only rows), so a pass reads only new ones. */
  samples?: SamplesCache;
};
/** `complete`: holds every judged sample of the stage (read once, then each one the runner saved added). */
export type SamplesCache = { key: string; samples: SampleColumns; complete: boolean };
export type ContextCache = Map<string, StaticContext>;

/** The stop-all a person declared and nobody lifted yet, or null. */
export async function stopAllInForce(db: Store): Promise<StopAll | null> {
  const row = await db.freezes.active();
  return row && { id: row.id, reason: row.reason, declaredBy: row.declaredBy, declaredAt: row.declaredAt };
}

/**
 * Null when the region rollout does not exist. `stopAll` is the stop-all as the caller last read it (the runner
 * reads it once per tick); omitted, it is read here. `scanned` is the row as the runner's scan of due work read it
 * this tick; omitted, it is read here. Throws when its region has left the config.
 * The upstream region matters only while this one is pending, and the approvals only until it passed its
 * gate (the machine reads them in no other phase), so other phases skip those reads.
 */
export async function loadRegionRolloutContext(
  db: Store,
  config: FleetConfig,
  regionRolloutId: string,
  cache?: ContextCache,
  stopAll?: StopAll | null,
  scanned?: RegionRolloutRow,
): Promise<RegionRolloutContext | null> {
  const row = scanned ?? (await db.regionRollouts.byId(regionRolloutId));
  if (!row) return null;
  const fixed = cache?.get(row.id) ?? (await loadStatic(db, config, row));
  if (!fixed) return null;
  cache?.set(row.id, fixed);
  const { rollout, region } = fixed;
  const upstream =
    row.phase === "pending" && rollout.strategy !== "parallel" && row.position > 0 ? await db.regionRollouts.upstream(rollout.id, row.position - 1) : null;
  const decided = row.phase === "pending" || row.phase === "awaiting_approval" ? await db.approvals.listForRegionRollout(row.id) : [];
  const state = rowToState(row);
  return {
    ...fixed,
    row,
    state,
    freezeRules: { windows: config.freezes, stopAll: stopAll === undefined ? await stopAllInForce(db) : stopAll },
    stageSamples: await loadStageSamples(db, state, cache ? (fixed.samples ??= { key: "", samples: new SampleColumns(), complete: false }) : undefined),
    upstream,
    gate: {
      required: requiredReviewers(config, region.environment),
      approvals: decided.map(toApprovalRecord),
    },
  };
}

async function loadStatic(db: Store, config: FleetConfig, row: RegionRolloutRow): Promise<StaticContext | null> {
  const rollout = await db.rollouts.byId(row.rolloutId);
  if (!rollout) return null;
  const artifact = await db.artifacts.byId(rollout.artifactId);
  if (!artifact) return null;
  const region = config.regions.find((r) => r.id === row.regionId);
  if (!region) throw new MissingConfigError(`region ${row.regionId} of rollout ${rollout.id} is no longer in the fleet config`);
  return {
    rollout,
    artifact,
    region,
    stages: await loadStages(db, row.id),
    analysis: analysisFromConfig(regionSettings(config, region).analysis),
    hasDownstream: await db.regionRollouts.hasAfter(rollout.id, row.position),
  };
}

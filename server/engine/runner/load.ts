/**
 * Everything one decision about a region rollout needs, read fresh from the database (never from memory):
 * its state, its stages, its rollout and artifact, the region before it, and its approval gate.
 */
import { and, asc, eq } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { approvals, artifacts, regionRollouts, rollouts, stages } from "@/db/schema";
import { environmentPolicy, regionSettings } from "@/server/config/load";
import type { FleetConfig, RegionConfig } from "@/server/config/schema";
import { analysisFromConfig } from "@/server/engine/machine";
import type { AnalysisSpec, CauseItem, Gate, RegionRolloutState, StageSpec, Upstream } from "@/server/engine/machine/types";

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
  };
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

export function loadGate(db: Db | Tx, config: FleetConfig, region: RegionConfig, regionRolloutId: string): Gate {
  const decisions = db.select().from(approvals).where(eq(approvals.regionRolloutId, regionRolloutId)).all();
  return {
    required: requiredReviewers(config, region.environment),
    approvals: decisions.map((a) => ({ reviewerId: `user:${a.reviewerId}`, kind: a.kind, decision: a.decision, comment: a.comment })),
  };
}

/** The region before this one in the plan; in parallel every region stands alone. */
export function loadUpstream(db: Db | Tx, rollout: RolloutRow, row: RegionRolloutRow): Upstream {
  if (rollout.strategy === "parallel" || row.position === 0) return null;
  const before = db
    .select({ regionId: regionRollouts.regionId, phase: regionRollouts.phase, finishedAt: regionRollouts.finishedAt })
    .from(regionRollouts)
    .where(and(eq(regionRollouts.rolloutId, rollout.id), eq(regionRollouts.position, row.position - 1)))
    .get();
  return before ?? null;
}

export class MissingConfigError extends Error {}

/** Null when the region rollout does not exist. Throws when its region has left the config. */
export function loadRegionRolloutContext(db: Db, config: FleetConfig, regionRolloutId: string): RegionRolloutContext | null {
  const row = db.select().from(regionRollouts).where(eq(regionRollouts.id, regionRolloutId)).get();
  if (!row) return null;
  const rollout = db.select().from(rollouts).where(eq(rollouts.id, row.rolloutId)).get();
  if (!rollout) return null;
  const artifact = db.select().from(artifacts).where(eq(artifacts.id, rollout.artifactId)).get();
  if (!artifact) return null;
  const region = config.regions.find((r) => r.id === row.regionId);
  if (!region) throw new MissingConfigError(`region ${row.regionId} of rollout ${rollout.id} is no longer in the fleet config`);
  return {
    row,
    state: rowToState(row),
    stages: loadStages(db, row.id),
    rollout,
    artifact,
    region,
    analysis: analysisFromConfig(regionSettings(config, region).analysis),
    upstream: loadUpstream(db, rollout, row),
    gate: loadGate(db, config, region, row.id),
  };
}

/**
 * The overview's sparklines: per (service, region), the last canary samples of the region rollout in progress
 * or, when nothing runs there, of the last one that took any, with the thresholds each was judged against.
 * One statement for the whole fleet: pick a region rollout per region state, rank its samples, keep the newest.
 */
import { and, desc, eq, exists, inArray, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Db, Tx } from "@/db/client";
import { artifacts, regionRollouts, regionStates, rollouts, samples, stages, type Verdict } from "@/db/schema";

/** As many as a sparkline on a card can show legibly; the region page has the long chart. */
export const OVERVIEW_SAMPLE_LIMIT = 30;

export type OverviewSample = {
  at: number;
  stageIndex: number;
  verdict: Verdict | null;
  errorRatePct: number | null;
  latencyP95Ms: number | null;
  /** The thresholds of the stage this sample was judged at: the chart's stepped threshold line. */
  maxErrorRatePct: number | null;
  maxLatencyP95Ms: number | null;
};

export type RegionSamples = {
  regionRolloutId: string;
  rolloutId: string;
  /** The version that region rollout deploys (or deployed). */
  version: string;
  /** Nothing runs in the region: these are the samples of its last region rollout that took any. */
  past: boolean;
  /** Thresholds of the region rollout's current stage (its last one when past); null before the first stage. */
  maxErrorRatePct: number | null;
  maxLatencyP95Ms: number | null;
  /** Oldest first, at most OVERVIEW_SAMPLE_LIMIT. */
  samples: OverviewSample[];
};

const currentStage = alias(stages, "current_stage");
const sampleStage = alias(stages, "sample_stage");
const sampled = alias(samples, "sampled");
const latest = alias(regionRollouts, "latest");
const latestRollout = alias(rollouts, "latest_rollout");

/** Keyed `serviceId/regionId`; a region with no active region rollout and no samples ever has no entry. */
export function readRegionSamples(db: Db | Tx, serviceIds: string[], limit = OVERVIEW_SAMPLE_LIMIT): Map<string, RegionSamples> {
  const out = new Map<string, RegionSamples>();
  if (serviceIds.length === 0) return out;

  // The newest region rollout of this state's service and region that has canary samples (correlated).
  const lastSampledId = db
    .select({ id: latest.id })
    .from(latest)
    .innerJoin(latestRollout, eq(latestRollout.id, latest.rolloutId))
    .where(
      and(
        eq(latestRollout.serviceId, regionStates.serviceId),
        eq(latest.regionId, regionStates.regionId),
        exists(
          db
            .select({ one: sql`1` })
            .from(sampled)
            .where(and(eq(sampled.regionRolloutId, latest.id), eq(sampled.role, "canary"))),
        ),
      ),
    )
    .orderBy(desc(latestRollout.createdAt), desc(latest.id))
    .limit(1);

  const chosen = db.$with("chosen").as(
    db
      .select({
        serviceId: regionStates.serviceId,
        regionId: regionStates.regionId,
        chosenId: sql<string | null>`coalesce(${regionStates.activeRegionRolloutId}, (${lastSampledId}))`.as("chosen_id"),
        past: sql<number>`case when ${regionStates.activeRegionRolloutId} is null then 1 else 0 end`.as("past"),
      })
      .from(regionStates)
      .where(inArray(regionStates.serviceId, serviceIds)),
  );

  const ranked = db.$with("ranked").as(
    db
      .select({
        sampleId: sql<number>`${samples.id}`.as("sample_id"),
        ofRegionRollout: sql<string>`${samples.regionRolloutId}`.as("of_region_rollout"),
        sampleStageIndex: sql<number>`${samples.stageIndex}`.as("sample_stage_index"),
        takenAt: samples.takenAt,
        verdict: samples.verdict,
        errorRatePct: samples.errorRatePct,
        latencyP95Ms: samples.latencyP95Ms,
        rank: sql<number>`row_number() over (partition by ${samples.regionRolloutId} order by ${samples.takenAt} desc, ${samples.id} desc)`.as("rank"),
      })
      .from(samples)
      .where(and(eq(samples.role, "canary"), inArray(samples.regionRolloutId, db.select({ id: chosen.chosenId }).from(chosen)))),
  );

  const rows = db
    .with(chosen, ranked)
    .select({
      serviceId: chosen.serviceId,
      regionId: chosen.regionId,
      past: chosen.past,
      regionRolloutId: regionRollouts.id,
      rolloutId: regionRollouts.rolloutId,
      version: artifacts.version,
      currentMaxErrorRatePct: currentStage.maxErrorRatePct,
      currentMaxLatencyP95Ms: currentStage.maxLatencyP95Ms,
      sampleId: ranked.sampleId,
      stageIndex: ranked.sampleStageIndex,
      takenAt: ranked.takenAt,
      verdict: ranked.verdict,
      errorRatePct: ranked.errorRatePct,
      latencyP95Ms: ranked.latencyP95Ms,
      maxErrorRatePct: sampleStage.maxErrorRatePct,
      maxLatencyP95Ms: sampleStage.maxLatencyP95Ms,
    })
    .from(chosen)
    .innerJoin(regionRollouts, eq(regionRollouts.id, chosen.chosenId))
    .innerJoin(rollouts, eq(rollouts.id, regionRollouts.rolloutId))
    .innerJoin(artifacts, eq(artifacts.id, rollouts.artifactId))
    .leftJoin(currentStage, and(eq(currentStage.regionRolloutId, regionRollouts.id), eq(currentStage.index, regionRollouts.stageIndex)))
    .leftJoin(ranked, and(eq(ranked.ofRegionRollout, regionRollouts.id), sql`${ranked.rank} <= ${limit}`))
    .leftJoin(sampleStage, and(eq(sampleStage.regionRolloutId, regionRollouts.id), eq(sampleStage.index, ranked.sampleStageIndex)))
    .orderBy(chosen.serviceId, chosen.regionId, ranked.takenAt, sql`${ranked.sampleId}`)
    .all();

  for (const row of rows) {
    const key = `${row.serviceId}/${row.regionId}`;
    let series = out.get(key);
    if (!series) {
      series = {
        regionRolloutId: row.regionRolloutId,
        rolloutId: row.rolloutId,
        version: row.version,
        past: Boolean(row.past),
        maxErrorRatePct: row.currentMaxErrorRatePct ?? null,
        maxLatencyP95Ms: row.currentMaxLatencyP95Ms ?? null,
        samples: [],
      };
      out.set(key, series);
    }
    // A region rollout without samples yet comes back once, with every sample column null (the left join).
    if (row.sampleId === null || row.takenAt === null || row.stageIndex === null) continue;
    series.samples.push({
      at: row.takenAt,
      stageIndex: row.stageIndex,
      verdict: row.verdict ?? null,
      errorRatePct: row.errorRatePct ?? null,
      latencyP95Ms: row.latencyP95Ms ?? null,
      maxErrorRatePct: row.maxErrorRatePct ?? null,
      maxLatencyP95Ms: row.maxLatencyP95Ms ?? null,
    });
  }
  return out;
}

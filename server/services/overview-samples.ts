/**
 * The overview's sparklines: per (service, region), the last canary samples of the region rollout in progress
 * or, when nothing runs there, of the last one that took any, with the thresholds each was judged against.
 * One statement for the whole fleet (samples.overviewSeries): pick a region rollout per region state, rank its
 * samples, keep the newest.
 */
import type { Store } from "@/db/client";
import type { Verdict } from "@/db/schema";

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

/** Keyed `serviceId/regionId`; a region with no active region rollout and no samples ever has no entry. */
export async function readRegionSamples(db: Store, serviceIds: string[], limit = OVERVIEW_SAMPLE_LIMIT): Promise<Map<string, RegionSamples>> {
  const out = new Map<string, RegionSamples>();
  if (serviceIds.length === 0) return out;
  const rows = await db.samples.overviewSeries(serviceIds, limit);

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

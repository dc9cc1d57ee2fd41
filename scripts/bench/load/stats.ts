/** The load benchmark's statistics: latency summaries, and whether memory grew after warm-up (a leak). */
import { percentile } from "../engine/stats";

export type Summary = { n: number; p50: number | null; p99: number | null; max: number | null };

export function summarize(values: readonly number[]): Summary {
  return { n: values.length, p50: percentile(values, 50), p99: percentile(values, 99), max: percentile(values, 100) };
}

/** Least-squares slope of y over x (y per unit of x); null with fewer than two distinct x. */
export function slope(points: ReadonlyArray<{ x: number; y: number }>): number | null {
  const n = points.length;
  if (n < 2) return null;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  if (sxx === 0) return null;
  return points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / sxx;
}

export type MemorySample = { at: number; bytes: number };

export type Growth = {
  /** Bytes per minute after warm-up, fitted over every sample from then on (GC saw-teeth average out). */
  bytesPerMinute: number | null;
  /** What that slope adds over the measured span, and the mean level it is compared with. */
  riseBytes: number | null;
  meanBytes: number | null;
  samples: number;
  leak: boolean;
};

/**
 * Memory after warm-up is flat unless the fitted rise over the span after warm-up exceeds both `minRiseBytes`
 * and `minRiseFraction` of the mean level: a few MiB of noise on a small heap, or a few percent on a large one,
 * is not a leak; a steady climb that would double the heap in an hour is.
 */
export function growthAfter(samples: readonly MemorySample[], warmupEndsAt: number, o: { minRiseBytes: number; minRiseFraction: number }): Growth {
  const after = samples.filter((s) => s.at >= warmupEndsAt);
  const perMs = slope(after.map((s) => ({ x: s.at, y: s.bytes })));
  if (perMs === null) return { bytesPerMinute: null, riseBytes: null, meanBytes: null, samples: after.length, leak: false };
  const span = after[after.length - 1].at - after[0].at;
  const meanBytes = after.reduce((s, m) => s + m.bytes, 0) / after.length;
  const riseBytes = perMs * span;
  return {
    bytesPerMinute: perMs * 60_000,
    riseBytes,
    meanBytes,
    samples: after.length,
    leak: riseBytes > o.minRiseBytes && riseBytes > o.minRiseFraction * meanBytes,
  };
}

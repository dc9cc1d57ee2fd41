/**
 * The statistics behind a verdict, on @stdlib's distributions (no hand-written quantiles):
 * - `rateBounds`: one-sided Clopper–Pearson bounds of an error rate from counts (exact, right at low traffic);
 * - `compareRates`: one-sided two-proportion z-test, "is the canary's rate higher than the baseline's by more
 *   than a margin?";
 * - `compareLocations`: one-sided Mann–Whitney U on per-sample values (p95s), normal approximation with tie
 *   correction, the test Kayenta runs, "are the canary's values larger than the baseline's times (1 + margin)?".
 * Rates here are fractions (0.012), not percents; callers convert.
 */
import betaQuantile from "@stdlib/stats-base-dists-beta-quantile";
import normalCdf from "@stdlib/stats-base-dists-normal-cdf";

export type RateBounds = {
  /** errors / requests. */
  rate: number;
  /** One-sided lower bound at `confidence`: the true rate is above it with that confidence. */
  lower: number;
  /** One-sided upper bound at `confidence`: the true rate is below it with that confidence. */
  upper: number;
};

/** Clopper–Pearson one-sided bounds; 0 errors has lower bound 0, all errors has upper bound 1. */
export function rateBounds(errors: number, requests: number, confidence: number): RateBounds {
  if (!(requests > 0) || errors < 0 || errors > requests)
    throw new RangeError(`rate bounds need 0 ≤ errors ≤ requests and requests > 0, got ${errors} of ${requests}`);
  const alpha = 1 - confidence;
  return {
    rate: errors / requests,
    lower: errors === 0 ? 0 : betaQuantile(alpha, errors, requests - errors + 1),
    upper: errors === requests ? 1 : betaQuantile(confidence, errors + 1, requests - errors),
  };
}

export type RateComparison = {
  /** Canary rate minus baseline rate (a fraction: 0.038 is 3.8 points). */
  difference: number;
  z: number;
  /** One-sided p-value of "the canary's rate exceeds the baseline's by more than the margin". */
  pValue: number;
};

/**
 * H0: canary − baseline ≤ margin, against H1: it is more. With no margin the pooled standard error (the
 * classic test); with a margin the unpooled one, since the null then does not say the two rates are equal.
 */
export function compareRates(canary: { errors: number; requests: number }, baseline: { errors: number; requests: number }, margin = 0): RateComparison {
  const p1 = canary.errors / canary.requests;
  const p2 = baseline.errors / baseline.requests;
  const difference = p1 - p2;
  let se: number;
  if (margin === 0) {
    const pooled = (canary.errors + baseline.errors) / (canary.requests + baseline.requests);
    se = Math.sqrt(pooled * (1 - pooled) * (1 / canary.requests + 1 / baseline.requests));
  } else {
    se = Math.sqrt((p1 * (1 - p1)) / canary.requests + (p2 * (1 - p2)) / baseline.requests);
  }
  if (se === 0) return { difference, z: difference > margin ? Infinity : -Infinity, pValue: difference > margin ? 0 : 1 };
  const z = (difference - margin) / se;
  return { difference, z, pValue: 1 - normalCdf(z, 0, 1) };
}

export type LocationComparison = {
  /** Mann–Whitney U of the canary's values (counting ties as one half). */
  u: number;
  z: number;
  /** One-sided p-value of "the canary's values are larger than the baseline's (scaled)". */
  pValue: number;
};

/**
 * One-sided Mann–Whitney U: are the canary's values stochastically larger than the baseline's multiplied by
 * `scale` (1.2 asks "more than 20 % larger")? Normal approximation with the tie correction and a continuity
 * correction of one half; meaningful from about 3 values a side.
 */
export function compareLocations(canary: readonly number[], baseline: readonly number[], scale = 1): LocationComparison {
  const n1 = canary.length;
  const n2 = baseline.length;
  if (n1 === 0 || n2 === 0) throw new RangeError(`Mann–Whitney needs values on both sides, got ${n1} and ${n2}`);
  const values = [...canary.map((v) => ({ v, canary: true })), ...baseline.map((v) => ({ v: v * scale, canary: false }))].sort((a, b) => a.v - b.v);
  // Average ranks over ties, and the tie correction's sum of (t³ − t).
  let rankSum = 0;
  let ties = 0;
  for (let i = 0; i < values.length;) {
    let j = i;
    while (j + 1 < values.length && values[j + 1].v === values[i].v) j++;
    const rank = (i + j + 2) / 2;
    const t = j - i + 1;
    ties += t * t * t - t;
    for (let k = i; k <= j; k++) if (values[k].canary) rankSum += rank;
    i = j + 1;
  }
  const u = rankSum - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1)));
  if (variance <= 0) return { u, z: 0, pValue: 1 };
  const z = (u - mean - 0.5) / Math.sqrt(variance);
  return { u, z, pValue: 1 - normalCdf(z, 0, 1) };
}

/** The middle value (mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Request and error counts of a sample, as the error-rate statistics and the stage's accumulation use them. */
import type { Assessment, Measurement, Observation, SampleCounts, StageSample } from "./types";

/** A usable number, or null for no data (null, undefined, NaN, infinite). */
export function known(value: number | null | undefined): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** Requests, errors and p95 of one colour's window: errors as the provider counted them, or round(requests × rate). */
export function countsOf(m: Measurement): SampleCounts {
  const requests = known(m.requests);
  const rate = known(m.errorRatePct);
  const counted = known(m.errors);
  const errors =
    requests === null ? null : counted !== null ? Math.min(counted, requests) : rate === null ? null : Math.min(requests, Math.round((requests * rate) / 100));
  return { requests, errors, latencyP95Ms: known(m.latencyP95Ms) };
}

/** Requests and errors summed over the samples that have both. */
export function sumCounts(list: ReadonlyArray<SampleCounts | null>): { requests: number; errors: number } {
  let requests = 0;
  let errors = 0;
  for (const c of list) {
    if (c && c.requests !== null && c.errors !== null) {
      requests += c.requests;
      errors += c.errors;
    }
  }
  return { requests, errors };
}

/** The record a judged sample leaves for the rest of its stage (what the store loads back as `stageSamples`). */
export function stageSampleOf(observation: Observation, assessment: Assessment): StageSample {
  return {
    takenAt: observation.to,
    verdict: assessment.verdict,
    gaps: assessment.judgement?.gaps ?? [],
    canary: countsOf(observation.canary),
    baseline: observation.baseline ? countsOf(observation.baseline) : null,
  };
}

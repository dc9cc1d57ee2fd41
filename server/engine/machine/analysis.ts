/**
 * Judging one sample of the new colour against its stage's thresholds, and naming the cause of a breach.
 *
 * Every limit is "at most": a value equal to the limit passes. That includes CPU and memory, which the spec
 * writes as "< 70 %": we read 70 % as still healthy so that all thresholds mean the same thing. Health must
 * equal the expected status. Too little traffic or a missing metric is inconclusive, never a pass.
 */
import { describeBreach, formatValue, METRIC_LABELS } from "./messages";
import type { AnalysisSpec, Assessment, CauseItem, Measurement, MetricName, Observation, StageSpec } from "./types";

type Check = {
  metric: MetricName;
  unit: CauseItem["unit"];
  threshold: number;
  read: (m: Measurement) => number | null | undefined;
  /** Error rate and latency mean nothing on a handful of requests; CPU, memory and health do. */
  needsTraffic: boolean;
};

/** Error rate and p95 always; CPU, memory and health when the stage sets them (the validation stage). */
function checksOf(stage: StageSpec): Check[] {
  const checks: Check[] = [
    { metric: "error_rate", unit: "%", threshold: stage.maxErrorRatePct, read: (m) => m.errorRatePct, needsTraffic: true },
    { metric: "latency_p95", unit: "ms", threshold: stage.maxLatencyP95Ms, read: (m) => m.latencyP95Ms, needsTraffic: true },
  ];
  if (stage.maxCpuPct != null) checks.push({ metric: "cpu", unit: "%", threshold: stage.maxCpuPct, read: (m) => m.cpuPct, needsTraffic: false });
  if (stage.maxMemoryPct != null) checks.push({ metric: "memory", unit: "%", threshold: stage.maxMemoryPct, read: (m) => m.memoryPct, needsTraffic: false });
  if (stage.healthStatus != null) checks.push({ metric: "health", unit: "status", threshold: stage.healthStatus, read: (m) => m.healthStatus, needsTraffic: false });
  return checks;
}

function breaches(check: Check, value: number): boolean {
  return check.unit === "status" ? value !== check.threshold : value > check.threshold;
}

/** A usable number, or null for no data (null, undefined, NaN, infinite). */
function known(value: number | null | undefined): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function causeItem(check: Check, observed: number, baseline: Measurement | null): CauseItem {
  const base = baseline ? known(check.read(baseline)) : null;
  return {
    metric: check.metric,
    observed,
    threshold: check.threshold,
    unit: check.unit,
    baseline: base,
    baselineAlsoBreaches: base !== null && breaches(check, base),
  };
}

/**
 * The metrics of the new colour that truly breached their limit, each with the old colour's value and whether
 * it breaches the same limit. A metric within its limit is never blamed, however close it came.
 */
export function analyseCause(stage: StageSpec, canary: Measurement, baseline: Measurement | null): CauseItem[] {
  return checksOf(stage).flatMap((check) => {
    const observed = known(check.read(canary));
    return observed !== null && breaches(check, observed) ? [causeItem(check, observed, baseline)] : [];
  });
}

function describeWithin(check: Check, observed: number): string {
  const label = METRIC_LABELS[check.metric];
  if (check.unit === "status") return `${label} ${observed} as expected`;
  return `${label} ${formatValue(observed, check.unit)} ≤ ${formatValue(check.threshold, check.unit)}`;
}

/** An assessment plus `gaps`: why some metrics could not be judged (what makes a sample inconclusive). */
export type SampleAssessment = Assessment & { gaps: string[] };

/** The verdict on one sample: breach beats inconclusive beats pass. */
export function assessSample(stage: StageSpec, analysis: AnalysisSpec, observation: Observation): SampleAssessment {
  const requests = known(observation.canary.requests);
  const enoughTraffic = requests !== null && requests >= analysis.minRequests;
  const gaps: string[] = [];
  const findings: string[] = [];
  if (observation.metricsError) gaps.push(`the metrics could not be read (${observation.metricsError})`);
  if (requests === null) gaps.push("no request count for the window, so error rate and p95 latency cannot be judged");
  else if (!enoughTraffic) gaps.push(`only ${requests} requests in the window, fewer than the ${analysis.minRequests} needed, so error rate and p95 latency cannot be judged`);

  const cause: CauseItem[] = [];
  for (const check of checksOf(stage)) {
    if (check.needsTraffic && !enoughTraffic) continue;
    const observed = known(check.read(observation.canary));
    if (observed === null) {
      gaps.push(`no data for ${METRIC_LABELS[check.metric]}`);
    } else if (breaches(check, observed)) {
      const item = causeItem(check, observed, observation.baseline);
      cause.push(item);
      findings.push(describeBreach(item));
    } else {
      findings.push(describeWithin(check, observed));
    }
  }
  const verdict = cause.length > 0 ? "breach" : gaps.length > 0 ? "inconclusive" : "pass";
  return { verdict, cause, reasons: [...gaps, ...findings], gaps };
}

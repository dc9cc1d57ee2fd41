/**
 * Judging one sample of the new colour against its stage's limits, with the stage's earlier samples, and
 * naming the cause of a breach (docs/analysis.md).
 *
 * - Error rate: on request and error counts. A breach as soon as the one-sided lower confidence bound (Clopper–
 *   Pearson) of the window's or of the stage so far is over the limit, or the observed rate is over it on at
 *   least `minRequests` requests; a pass only when the stage's upper bound is at or below the limit; between
 *   the two, too few requests to tell (inconclusive). So 4 errors in 5 requests breaches at once and 0 in 5 does
 *   not pass. "At most": an observed rate equal to the limit is no breach.
 * - p95 latency: the window's value, "at most" the limit, judged only on at least `minRequests` requests.
 * - CPU and memory (the validation stage): strictly below the limit, as the spec writes "< 70 %": 70 % fails.
 *   Health must equal the expected status.
 * - Against the old colour (compare-baseline.ts): significantly worse by more than a margin is a breach; both
 *   colours over the same limits with the canary no worse is an environment problem, not the release's fault.
 * Missing data is inconclusive, never a pass. Breach beats inconclusive beats pass.
 */
import { compareToBaseline, type BaselineResult } from "./compare-baseline";
import { describeBreach, formatNumber, formatValue, METRIC_LABELS } from "./messages";
import { countsOf, known, sumCounts } from "./sample-counts";
import { rateBounds } from "./statistics";
import type { AnalysisSpec, Assessment, CauseItem, CauseTest, GapKind, Judgement, Measurement, MetricName, Observation, StageSample, StageSpec } from "./types";

type Check = {
  metric: MetricName;
  unit: CauseItem["unit"];
  threshold: number;
  read: (m: Measurement) => number | null | undefined;
  /** "at most" (equal passes), "below" (equal fails), or "equal" (a status). */
  rule: "atMost" | "below" | "equal";
};

/** p95 always; CPU, memory and health when the stage sets them (the validation stage). The error rate has its own. */
function checksOf(stage: StageSpec): Check[] {
  const checks: Check[] = [{ metric: "latency_p95", unit: "ms", threshold: stage.maxLatencyP95Ms, read: (m) => m.latencyP95Ms, rule: "atMost" }];
  if (stage.maxCpuPct != null) checks.push({ metric: "cpu", unit: "%", threshold: stage.maxCpuPct, read: (m) => m.cpuPct, rule: "below" });
  if (stage.maxMemoryPct != null) checks.push({ metric: "memory", unit: "%", threshold: stage.maxMemoryPct, read: (m) => m.memoryPct, rule: "below" });
  if (stage.healthStatus != null) checks.push({ metric: "health", unit: "status", threshold: stage.healthStatus, read: (m) => m.healthStatus, rule: "equal" });
  return checks;
}

function breaches(check: Check, value: number): boolean {
  if (check.rule === "equal") return value !== check.threshold;
  return check.rule === "below" ? value >= check.threshold : value > check.threshold;
}

type RateVerdict = { state: "breach" | "within" | "undecided"; item?: CauseItem; words: string; figures: Judgement["errorRate"] };

/** The error-rate rule above, for one colour: window counts, stage counts (window included), and the measured rate. */
function judgeErrorRate(
  threshold: number,
  analysis: AnalysisSpec,
  window: { requests: number; errors: number; measuredPct: number | null },
  stage: { requests: number; errors: number },
): RateVerdict {
  const { confidence, minRequests } = analysis;
  const level = `${formatNumber(confidence * 100)} %`;
  const sample = rateBounds(window.errors, window.requests, confidence);
  const sofar = rateBounds(stage.errors, stage.requests, confidence);
  const figures: Judgement["errorRate"] = [
    {
      scope: "sample",
      requests: window.requests,
      errors: window.errors,
      ratePct: sample.rate * 100,
      lowerPct: sample.lower * 100,
      upperPct: sample.upper * 100,
    },
    { scope: "stage", requests: stage.requests, errors: stage.errors, ratePct: sofar.rate * 100, lowerPct: sofar.lower * 100, upperPct: sofar.upper * 100 },
  ];
  const windowPct = window.measuredPct ?? sample.rate * 100;
  const item = (observed: number, test: CauseTest): CauseItem => ({
    metric: "error_rate",
    observed,
    threshold,
    unit: "%",
    baseline: null,
    baselineAlsoBreaches: false,
    test,
  });
  const stageCounts = { requests: stage.requests, errors: stage.errors };
  const windowCounts = { requests: window.requests, errors: window.errors };
  const breach =
    window.requests >= minRequests && windowPct > threshold
      ? item(windowPct, { kind: "limit", scope: "sample", ...windowCounts })
      : sample.lower * 100 > threshold
        ? item(sample.rate * 100, { kind: "bound", scope: "sample", ...windowCounts, lowerPct: sample.lower * 100, confidence })
        : sofar.lower * 100 > threshold
          ? item(sofar.rate * 100, { kind: "bound", scope: "stage", ...stageCounts, lowerPct: sofar.lower * 100, confidence })
          : stage.requests >= minRequests && sofar.rate * 100 > threshold
            ? item(sofar.rate * 100, { kind: "limit", scope: "stage", ...stageCounts })
            : null;
  if (breach) return { state: "breach", item: breach, words: describeBreach(breach), figures };
  const n = stage.requests.toLocaleString("en-US");
  const over = stage.requests === window.requests ? `${n} requests` : `the ${n} requests of the stage so far`;
  const rate = `error rate ${formatValue(sofar.rate * 100, "%")}`;
  if (sofar.upper * 100 <= threshold)
    return {
      state: "within",
      words: `${rate} ≤ ${formatValue(threshold, "%")} (${level} upper bound ${formatValue(sofar.upper * 100, "%")} over ${over})`,
      figures,
    };
  if (analysis.errorRatePass === "observed" && stage.requests >= minRequests && sofar.rate * 100 <= threshold) {
    return {
      state: "within",
      words: `${rate} ≤ ${formatValue(threshold, "%")} over ${over} (observed; the ${level} upper bound is ${formatValue(sofar.upper * 100, "%")})`,
      figures,
    };
  }
  return {
    state: "undecided",
    words: `${rate} over ${over}: its ${level} upper bound ${formatValue(sofar.upper * 100, "%")} is above the ${formatValue(threshold, "%")} limit, too few requests to tell`,
    figures,
  };
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
 * The metrics of the new colour over their limit in one window (no statistics: the observed values), each with
 * the old colour's value and whether it breaches the same limit. A metric within its limit is never blamed.
 */
export function analyseCause(stage: StageSpec, canary: Measurement, baseline: Measurement | null): CauseItem[] {
  const rate: Check = { metric: "error_rate", unit: "%", threshold: stage.maxErrorRatePct, read: (m) => m.errorRatePct, rule: "atMost" };
  return [rate, ...checksOf(stage)].flatMap((check) => {
    const observed = known(check.read(canary));
    return observed !== null && breaches(check, observed) ? [causeItem(check, observed, baseline)] : [];
  });
}

function describeWithin(check: Check, observed: number): string {
  const label = METRIC_LABELS[check.metric];
  if (check.rule === "equal") return `${label} ${observed} as expected`;
  return `${label} ${formatValue(observed, check.unit)} ${check.rule === "below" ? "<" : "≤"} ${formatValue(check.threshold, check.unit)}`;
}

/** An assessment plus `gaps`: why some metrics could not be judged (what makes a sample inconclusive). */
export type SampleAssessment = Assessment & { gaps: string[]; gapKinds: GapKind[]; judgement: Judgement };

/**
 * The verdict on one sample, given the stage's earlier samples (oldest first; only their counts and p95s are
 * used). Breach beats environment problem beats inconclusive beats pass.
 */
export function assessSample(
  stage: StageSpec,
  analysis: AnalysisSpec,
  observation: Observation,
  earlier: readonly StageSample[] = [],
  look: { finalLook: boolean } = { finalLook: true },
): SampleAssessment {
  const gaps: string[] = [];
  const kinds = new Set<GapKind>();
  const gap = (kind: GapKind, words: string) => {
    kinds.add(kind);
    gaps.push(words);
  };
  const findings: string[] = [];
  const cause: CauseItem[] = [];
  if (observation.metricsError) gap("metrics_error", `the metrics could not be read (${observation.metricsError})`);

  const canary = countsOf(observation.canary);
  const baseline = observation.baseline ? countsOf(observation.baseline) : null;
  const enoughTraffic = canary.requests !== null && canary.requests >= analysis.minRequests;
  let errorRate: Judgement["errorRate"] = [];
  let baselineRate: RateVerdict | null = null;
  if (canary.requests === null) gap("no_data", "no request count for the window, so error rate and p95 latency cannot be judged");
  else if (canary.requests === 0) gap("few_requests", "no requests in the window, so error rate and p95 latency cannot be judged");
  else if (canary.errors === null) gap("no_data", "no data for error rate");
  else {
    const stageCounts = sumCounts([...earlier.map((s) => s.canary), canary]);
    const verdict = judgeErrorRate(
      stage.maxErrorRatePct,
      analysis,
      { requests: canary.requests, errors: canary.errors, measuredPct: known(observation.canary.errorRatePct) },
      stageCounts,
    );
    errorRate = verdict.figures;
    if (verdict.state === "undecided") gap("undecided", verdict.words);
    else findings.push(verdict.words);
    if (verdict.item) cause.push(verdict.item);
    // The old colour under the same rule: does it breach the same limit (then the release may not be the cause)?
    if (baseline && baseline.requests !== null && baseline.requests > 0 && baseline.errors !== null) {
      const baseStage = sumCounts([...earlier.map((s) => s.baseline), baseline]);
      baselineRate = judgeErrorRate(
        stage.maxErrorRatePct,
        analysis,
        { requests: baseline.requests, errors: baseline.errors, measuredPct: known(observation.baseline?.errorRatePct) },
        baseStage,
      );
    }
    if (verdict.item && baselineRate) {
      verdict.item.baseline = baselineRate.figures[1].ratePct;
      verdict.item.baselineAlsoBreaches = baselineRate.state === "breach";
    }
  }
  if (canary.requests !== null && canary.requests > 0 && !enoughTraffic) {
    gap("few_requests", `only ${canary.requests} requests in the window, fewer than the ${analysis.minRequests} needed, so p95 latency cannot be judged`);
  }

  for (const check of checksOf(stage)) {
    if (check.metric === "latency_p95" && !enoughTraffic) continue;
    const observed = known(check.read(observation.canary));
    if (observed === null) {
      gap("no_data", `no data for ${METRIC_LABELS[check.metric]}`);
    } else if (breaches(check, observed)) {
      const item = { ...causeItem(check, observed, observation.baseline), test: { kind: "limit", scope: "sample" } as CauseTest };
      cause.push(item);
      findings.push(describeBreach(item));
    } else {
      findings.push(describeWithin(check, observed));
    }
  }

  const compared: BaselineResult = compareToBaseline(analysis, observation, earlier, { canary, baseline, fromAbsolute: cause, finalLook: look.finalLook });
  findings.push(...compared.findings);
  const environment = compared.environment;
  // A metric over its limit and worse than the old colour is one cause with both tests.
  const separate = compared.cause.filter((c) => {
    const same = cause.find((a) => a.metric === c.metric);
    if (same && c.test?.kind === "baseline") same.versus = c.test;
    return !same;
  });
  const allCause = environment ? cause : [...cause, ...separate];
  const verdict = allCause.length > 0 && !environment ? "breach" : gaps.length > 0 || environment ? "inconclusive" : "pass";
  const gapKinds = [...kinds];
  const judgement: Judgement = { confidence: analysis.confidence, errorRate, baseline: compared.judgement, gaps: gapKinds, environment };
  return { verdict, cause: allCause, reasons: [...gaps, ...findings], gaps, gapKinds, judgement };
}

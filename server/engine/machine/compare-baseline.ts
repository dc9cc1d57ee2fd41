/**
 * The canary against the old colour (the baseline) over the stage so far, as Kayenta does:
 * - error rate: one-sided two-proportion z-test on the stage's request and error counts; a breach when the
 *   canary's rate is significantly (p < 1 − confidence) higher than the baseline's by more than
 *   `maxErrorRateIncreasePct` points;
 * - latency: one-sided Mann–Whitney U on the stage's per-sample p95s (windows with at least `minRequests`
 *   requests, at least 3 a side); a breach when the canary's are significantly higher than the baseline's
 *   raised by `maxLatencyIncreasePct`.
 * And the environment problem: every limit the canary breached, the baseline breached too, and neither test
 * finds the canary worse: the trouble is around the release, not in it.
 * Skipped (with a finding saying why) when `compareToBaseline` is off or the baseline has too little traffic.
 *
 * The tests run again at every sample of a stage, on data that accumulates: testing each look at p < 0.05 would
 * call many good releases worse by chance. So, as Haybittle–Peto do, an interim look (the stage's time is not up)
 * needs p < 0.001, and only the final look (the stage's end, and each extension sample after it) uses the
 * nominal level, 1 − confidence. A clear regression still stops the stage at once.
 */
import { formatNumber, formatPValue, formatValue } from "./messages";
import { compareLocations, compareRates, median } from "./statistics";
import { sumCounts } from "./sample-counts";
import type { AnalysisSpec, CauseItem, Judgement, Observation, SampleCounts, StageSample } from "./types";

/** Fewest per-sample p95s a side for the Mann–Whitney test to mean anything. */
export const MIN_LATENCY_SAMPLES = 3;
/** The significance an interim look needs (Haybittle–Peto). */
export const INTERIM_ALPHA = 0.001;

export type BaselineResult = { cause: CauseItem[]; findings: string[]; judgement: Judgement["baseline"]; environment: boolean };

type Current = {
  canary: SampleCounts;
  baseline: SampleCounts | null;
  /** The limits the canary breached in this sample. */
  fromAbsolute: CauseItem[];
  /** The stage's time is up (or this is an extension sample): the nominal level applies, else INTERIM_ALPHA. */
  finalLook: boolean;
};

const p95sOf = (list: ReadonlyArray<SampleCounts | null>, minRequests: number) =>
  list.flatMap((c) => (c && c.latencyP95Ms !== null && c.requests !== null && c.requests >= minRequests ? [c.latencyP95Ms] : []));

export function compareToBaseline(analysis: AnalysisSpec, observation: Observation, earlier: readonly StageSample[], now: Current): BaselineResult {
  if (!analysis.compareToBaseline) return { cause: [], findings: [], judgement: null, environment: false };
  const canary = sumCounts([...earlier.map((s) => s.canary), now.canary]);
  const base = sumCounts([...earlier.map((s) => s.baseline), now.baseline]);
  if (!observation.baseline || base.requests < Math.max(1, analysis.minRequests)) {
    const skipped = `the old colour has ${base.requests === 0 ? "no" : `only ${base.requests}`} requests in the stage so far, so it is not compared`;
    return { cause: [], findings: [], judgement: { skipped }, environment: false };
  }
  const alpha = now.finalLook ? 1 - analysis.confidence : Math.min(INTERIM_ALPHA, 1 - analysis.confidence);
  const cause: CauseItem[] = [];
  const findings: string[] = [];
  const judgement: NonNullable<Judgement["baseline"]> = {};

  if (canary.requests > 0) {
    const margin = analysis.maxErrorRateIncreasePct / 100;
    const test = compareRates(canary, base, margin);
    const canaryPct = (canary.errors / canary.requests) * 100;
    const basePct = (base.errors / base.requests) * 100;
    judgement.errorRate = { requests: base.requests, errors: base.errors, ratePct: basePct, differencePts: test.difference * 100, pValue: test.pValue };
    const words = `error rate ${formatValue(canaryPct, "%")} against the old colour's ${formatValue(basePct, "%")}, ${formatNumber(test.difference * 100)} points apart (${formatPValue(test.pValue)})`;
    if (test.pValue < alpha && test.difference > margin) {
      cause.push({
        metric: "error_rate",
        observed: canaryPct,
        threshold: basePct + analysis.maxErrorRateIncreasePct,
        unit: "%",
        baseline: basePct,
        baselineAlsoBreaches: false,
        test: { kind: "baseline", test: "two-proportion", pValue: test.pValue, effect: test.difference * 100, margin: analysis.maxErrorRateIncreasePct },
      });
    } else findings.push(words);
  }

  const canaryP95s = p95sOf([...earlier.map((s) => s.canary), now.canary], analysis.minRequests);
  const baseP95s = p95sOf([...earlier.map((s) => s.baseline), now.baseline], analysis.minRequests);
  if (canaryP95s.length >= MIN_LATENCY_SAMPLES && baseP95s.length >= MIN_LATENCY_SAMPLES) {
    const scale = 1 + analysis.maxLatencyIncreasePct / 100;
    const test = compareLocations(canaryP95s, baseP95s, scale);
    const canaryMedian = median(canaryP95s);
    const baseMedian = median(baseP95s);
    const increasePct = baseMedian > 0 ? (canaryMedian / baseMedian - 1) * 100 : 0;
    const samples = { canary: canaryP95s.length, baseline: baseP95s.length };
    judgement.latency = { canaryMedianMs: canaryMedian, baselineMedianMs: baseMedian, increasePct, pValue: test.pValue, samples };
    if (test.pValue < alpha) {
      cause.push({
        metric: "latency_p95",
        observed: canaryMedian,
        threshold: baseMedian * scale,
        unit: "ms",
        baseline: baseMedian,
        baselineAlsoBreaches: false,
        test: { kind: "baseline", test: "mann-whitney", pValue: test.pValue, effect: increasePct, margin: analysis.maxLatencyIncreasePct, samples },
      });
    } else
      findings.push(
        `median p95 latency ${formatValue(canaryMedian, "ms")} against the old colour's ${formatValue(baseMedian, "ms")} over ${samples.canary} and ${samples.baseline} samples (${formatPValue(test.pValue)})`,
      );
  }
  const environment = now.fromAbsolute.length > 0 && cause.length === 0 && now.fromAbsolute.every((c) => c.baselineAlsoBreaches);
  return { cause, findings, judgement, environment };
}

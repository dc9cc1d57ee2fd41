/**
 * How much of a stage was judged: a stage passes only when at least `minJudgedFraction` of its expected samples
 * (duration / interval) were judged, pass or breach. Inconclusive samples are counted by why, for the words of
 * the extension event and of the alert when the stage runs out of extension.
 */
import { formatNumber, joinWords } from "./messages";
import type { AnalysisSpec, GapKind, StageSample, StageSpec } from "./types";

export type Coverage = {
  /** Samples the stage's duration holds at its interval (at least 1). */
  expected: number;
  /** Judged samples needed: ceil(minJudgedFraction × expected). */
  needed: number;
  samples: number;
  judged: number;
  inconclusive: number;
  /** Inconclusive samples by why (one sample may have several reasons). */
  byGap: Record<GapKind, number>;
};

export const GAP_WORDS: Record<GapKind, string> = {
  no_data: "no data",
  few_requests: "too few requests in the window",
  undecided: "too few requests so far to bound the error rate",
  metrics_error: "a metrics store error",
};

/** The stage's samples (this stage only, oldest first) against what its duration expects. */
export function stageCoverage(stage: StageSpec, analysis: AnalysisSpec, samples: readonly StageSample[]): Coverage {
  const expected = Math.max(1, Math.floor(stage.durationMs / analysis.intervalMs));
  const byGap: Record<GapKind, number> = { no_data: 0, few_requests: 0, undecided: 0, metrics_error: 0 };
  let judged = 0;
  for (const s of samples) {
    if (s.verdict === "inconclusive") for (const kind of s.gaps) byGap[kind] += 1;
    else judged += 1;
  }
  return {
    expected,
    needed: Math.ceil(analysis.minJudgedFraction * expected - 1e-9),
    samples: samples.length,
    judged,
    inconclusive: samples.length - judged,
    byGap,
  };
}

export const coverageMet = (c: Coverage) => c.judged >= c.needed;

/** "6 of its 10 expected samples were judged, 8 needed (4 inconclusive: 3 with too few requests in the window, 1 with no data)". */
export function describeCoverage(c: Coverage): string {
  const reasons = (Object.keys(c.byGap) as GapKind[]).filter((k) => c.byGap[k] > 0).map((k) => `${c.byGap[k]} with ${GAP_WORDS[k]}`);
  const why = c.inconclusive > 0 ? ` (${c.inconclusive} inconclusive${reasons.length > 0 ? `: ${joinWords(reasons)}` : ""})` : "";
  const share = c.expected > 0 ? ` (${formatNumber((100 * Math.min(c.judged, c.expected)) / c.expected)} %)` : "";
  return `${c.judged} of its ${c.expected} expected samples were judged${share}, ${c.needed} needed${why}`;
}

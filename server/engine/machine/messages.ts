/**
 * Words for the event log, pause reasons and outcome reasons: numbers with their units, as a person reads
 * them ("error rate 1.2 % > 0.8 % at the 25 % stage").
 */
import { formatCount as count, formatMeasure, formatNumber, formatPValue } from "@/lib/format";
import type { CauseItem, Colour, MetricName, RegionPhase, StageSpec } from "./types";

export const METRIC_LABELS: Record<MetricName, string> = {
  error_rate: "error rate",
  latency_p95: "p95 latency",
  cpu: "CPU",
  memory: "memory",
  health: "health status",
};

/** A phase in words that follow "is": "eu-west is not waiting for approval: it is deploying". */
export const PHASE_WORDS: Record<RegionPhase, string> = {
  pending: "waiting for its turn",
  awaiting_approval: "waiting for approval",
  deploying: "deploying",
  canary: "in its canary",
  succeeded: "already live",
  rolled_back: "rolled back",
  blocked: "blocked",
  aborted: "aborted",
};

/** Where a region stands, to follow its name: "eu-west is deploying", "eu-west has already succeeded". */
export const PHASE_STANDING: Record<RegionPhase, string> = {
  pending: "is waiting for its turn",
  awaiting_approval: "is waiting for approval",
  deploying: "is deploying",
  canary: "is in its canary",
  succeeded: "has already succeeded",
  rolled_back: "has already rolled back",
  blocked: "is blocked",
  aborted: "has already been aborted",
};

// Numbers and durations are formatted once, in lib/format.ts, shared with the pages, the cards and the CLI.
export { formatDuration, formatNumber, formatPValue } from "@/lib/format";

/** "5.2 %", "420 ms", "503". */
export function formatValue(value: number, unit: CauseItem["unit"]): string {
  return formatMeasure(value, unit);
}

/** "a", "a and b", "a, b and c". */
export function joinWords(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** "1 error", "4 errors". */
const plural = (n: number, word: string) => `${count(n)} ${word}${n === 1 ? "" : "s"}`;

/**
 * One breached test in words, with its evidence: "error rate 1.2 % > 0.8 %", "error rate 80 % (95 % lower bound
 * 34.26 %) over the 1 % limit, 4 errors in 5 requests", "error rate 4.2 %, 3.8 points above blue's 0.4 %
 * (more than the 0.5 allowed; p < 0.001)", "health status 503, expected 200".
 */
export function describeBreach(item: CauseItem, oldColour = "the old colour"): string {
  const label = METRIC_LABELS[item.metric];
  if (item.unit === "status") return `${label} ${item.observed}, expected ${item.threshold}`;
  const value = formatValue(item.observed, item.unit);
  const test = item.test;
  const stage = (scope: "sample" | "stage", requests: number, errors: number) =>
    `${plural(errors, "error")} in ${plural(requests, "request")}${scope === "stage" ? " of the stage so far" : ""}`;
  if (test?.kind === "bound") {
    return `${label} ${value} (${formatNumber(test.confidence * 100)} % lower bound ${formatValue(test.lowerPct, "%")}) over the ${formatValue(item.threshold, "%")} limit, ${stage(test.scope, test.requests, test.errors)}${versus(item, oldColour)}`;
  }
  if (test?.kind === "baseline" && test.test === "two-proportion") {
    return `${label} ${value}, ${formatNumber(test.effect)} points above ${possessive(oldColour)} ${formatValue(item.baseline ?? 0, "%")} (more than the ${formatNumber(test.margin)} allowed; ${formatPValue(test.pValue)})`;
  }
  if (test?.kind === "baseline") {
    const over = test.samples ? ` over ${test.samples.canary} and ${test.samples.baseline} samples` : "";
    return `${label} ${value} (median of the stage's samples), ${formatNumber(test.effect)} % above ${possessive(oldColour)} ${formatValue(item.baseline ?? 0, "ms")} (more than the ${formatNumber(test.margin)} % allowed; Mann–Whitney ${formatPValue(test.pValue)}${over})`;
  }
  const sign = (item.metric === "cpu" || item.metric === "memory") && item.observed === item.threshold ? "≥" : ">";
  const scope =
    test?.kind === "limit" && test.scope === "stage" && test.requests !== undefined ? ` over the ${count(test.requests)} requests of the stage so far` : "";
  return `${label} ${value} ${sign} ${formatValue(item.threshold, item.unit)}${scope}${versus(item, oldColour)}`;
}

/** ", 1.14 points above blue's 0.06 % (p < 0.001)" when the same metric is also significantly worse than the old colour. */
function versus(item: CauseItem, oldColour: string): string {
  const v = item.versus;
  if (!v || item.baseline === null) return "";
  if (v.test === "two-proportion") {
    // The test runs on the stage's counts: when the stage's rate is not the value shown, say so.
    const stageRate = item.baseline + v.effect;
    if (Math.abs(stageRate - item.observed) >= 0.005) {
      return `, ${formatValue(stageRate, "%")} over the stage so far against ${possessive(oldColour)} ${formatValue(item.baseline, "%")} (${formatNumber(v.effect)} points more; ${formatPValue(v.pValue)})`;
    }
    return `, ${formatNumber(v.effect)} points above ${possessive(oldColour)} ${formatValue(item.baseline, "%")} (${formatPValue(v.pValue)})`;
  }
  return `, its median ${formatNumber(v.effect)} % above ${possessive(oldColour)} (Mann–Whitney ${formatPValue(v.pValue)})`;
}

const possessive = (name: string) => (name.endsWith("s") ? `${name}'` : `${name}'s`);

/**
 * The cause in one sentence part: "error rate 1.2 % > 0.8 % at the 25 % stage", plus a note when the old
 * colour shows the same, because then the release may not be the cause.
 */
export function describeCause(cause: CauseItem[], stage: StageSpec | undefined, oldColour: Colour): string {
  const what = cause.length > 0 ? joinWords(cause.map((c) => describeBreach(c, oldColour))) : "a threshold breach";
  const where = stage ? ` at the ${stage.percent} % stage` : "";
  const same = cause.filter((c) => c.baselineAlsoBreaches && c.baseline !== null);
  const note =
    same.length > 0
      ? `; ${oldColour} shows the same (${joinWords(same.map((c) => `${METRIC_LABELS[c.metric]} ${formatValue(c.baseline as number, c.unit)}`))}), so the release may not be the cause`
      : "";
  return `${what}${where}${note}`;
}

/** "25 % stage", or "stage 3" when the plan no longer has it. */
export function stageName(stage: StageSpec | undefined, index: number): string {
  return stage ? `${stage.percent} % stage` : `stage ${index + 1}`;
}

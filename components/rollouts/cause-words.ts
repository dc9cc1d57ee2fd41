/**
 * A rollback's cause, in words, with the evidence of each test: "error rate 1.2 % over the 0.8 % limit
 * (baseline 0.3 %)", "error rate 80 % over the 1 % limit (95 % lower bound 34.26 %, 4 errors in 5 requests)",
 * "error rate 0.9 %, 0.8 points above the baseline's 0.1 % (more than the 0.5 allowed; p = 0.017)".
 */
import { formatCount as count, formatPercentNumber, formatPValue as pWords } from "@/lib/format";
import type { RollbackCause } from "@/server/services/rollout-view";

const METRIC_WORDS: Record<string, string> = {
  error_rate: "error rate",
  latency_p95: "p95 latency",
  cpu: "CPU",
  memory: "memory",
  health: "health check status",
};

/** Percentages and latencies to two significant digits, no float noise (lib/format.ts, as the cards and the CLI). */
const num = (v: number) => formatPercentNumber(v);

function baselineTest(c: RollbackCause, metric: string, unit: string): string | null {
  const t = c.test;
  if (t?.kind !== "baseline") return null;
  const base = c.baseline ?? 0;
  if (t.test === "two-proportion")
    return `${metric} ${num(c.observed)}${unit}, ${num(t.effect)} points above the baseline's ${num(base)}${unit} (more than the ${num(t.margin)} allowed; ${pWords(t.pValue)})`;
  return `${metric} ${num(c.observed)}${unit} (median), ${num(t.effect)} % above the baseline's ${num(base)}${unit} (more than the ${num(t.margin)} % allowed; Mann–Whitney ${pWords(t.pValue)})`;
}

function evidence(c: RollbackCause): string {
  const t = c.test;
  const parts: string[] = [];
  if (t?.kind === "bound")
    parts.push(
      `${num(t.confidence * 100)} % lower bound ${num(t.lowerPct)} %, ${count(t.errors)} errors in ${count(t.requests)} requests${t.scope === "stage" ? " of the stage so far" : ""}`,
    );
  if (t?.kind === "limit" && t.scope === "stage" && t.requests !== undefined) parts.push(`over the ${count(t.requests)} requests of the stage so far`);
  if (c.versus)
    parts.push(
      c.versus.test === "two-proportion"
        ? `${num(c.versus.effect)} points above the baseline, ${pWords(c.versus.pValue)}`
        : `${num(c.versus.effect)} % above the baseline, ${pWords(c.versus.pValue)}`,
    );
  return parts.length > 0 ? `; ${parts.join("; ")}` : "";
}

export function causeWords(cause: readonly RollbackCause[] | null): string | null {
  if (!cause || cause.length === 0) return null;
  return cause
    .map((c) => {
      const metric = METRIC_WORDS[c.metric] ?? c.metric.replace(/_/g, " ");
      if (c.unit === "status") return `${metric} ${c.observed} instead of ${c.threshold}`;
      const unit = c.unit === "%" ? " %" : ` ${c.unit}`;
      const compared = baselineTest(c, metric, unit);
      if (compared) return compared;
      const atLimit = (c.metric === "cpu" || c.metric === "memory") && c.observed === c.threshold ? "at" : "over";
      const baseline =
        c.baseline === undefined || c.baseline === null
          ? ""
          : c.baselineAlsoBreaches
            ? `, the baseline was also over it, at ${num(c.baseline)}${unit}`
            : `, baseline ${num(c.baseline)}${unit}`;
      const detail = `${baseline}${evidence(c)}`.replace(/^, |^; /, "");
      return `${metric} ${num(c.observed)}${unit} ${atLimit} the ${num(c.threshold)}${unit} limit${detail ? ` (${detail})` : ""}`;
    })
    .join("; ");
}

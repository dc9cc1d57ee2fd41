/** A rollback's cause, in words: "error rate 1.2 % over the 0.8 % limit (baseline 0.3 %)". */
import type { RollbackCause } from "@/server/services/rollout-view";

const METRIC_WORDS: Record<string, string> = {
  error_rate: "error rate",
  latency_p95: "p95 latency",
  cpu: "CPU",
  memory: "memory",
  health: "health check status",
};

export function causeWords(cause: readonly RollbackCause[] | null): string | null {
  if (!cause || cause.length === 0) return null;
  return cause
    .map((c) => {
      const metric = METRIC_WORDS[c.metric] ?? c.metric.replace(/_/g, " ");
      if (c.unit === "status") return `${metric} ${c.observed} instead of ${c.threshold}`;
      const unit = c.unit === "%" ? " %" : ` ${c.unit}`;
      const baseline =
        c.baseline === undefined || c.baseline === null
          ? ""
          : c.baselineAlsoBreaches
            ? ` (the baseline was also over it, at ${c.baseline}${unit})`
            : ` (baseline ${c.baseline}${unit})`;
      return `${metric} ${c.observed}${unit} over the ${c.threshold}${unit} limit${baseline}`;
    })
    .join("; ");
}

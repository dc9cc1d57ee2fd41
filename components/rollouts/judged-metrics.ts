/**
 * The metrics a stage judges, in words and as chart series: what the stage cards list ("error rate 0.04 % / max
 * 0.5 %", "CPU 41 % / below 70 %", "health 200 / expect 200") and which charts a region shows. Pure, so the
 * browser bundle and the tests share it; the list itself comes from the read model (rollout-view.ts judgedMetrics).
 */
import { formatMeasure } from "@/lib/format";
import type { JudgedMetric, SamplePoint } from "@/server/services/rollout-view";

export type MetricName = JudgedMetric["metric"];
type NumberKey = { [K in keyof SamplePoint]: SamplePoint[K] extends number | null ? K : never }[keyof SamplePoint];

/** Per metric: its label in a sentence, its chart title, the engine's rule, and the sample point's canary, baseline and limit fields. */
export const METRICS: Record<
  MetricName,
  { label: string; title: string; unit: JudgedMetric["unit"]; rule: JudgedMetric["rule"]; canary: NumberKey; baseline: NumberKey; limit: NumberKey }
> = {
  error_rate: {
    label: "error rate",
    title: "Error rate",
    unit: "%",
    rule: "atMost",
    canary: "canaryErrorRatePct",
    baseline: "baselineErrorRatePct",
    limit: "maxErrorRatePct",
  },
  latency_p95: { label: "p95", title: "p95 latency", unit: "ms", rule: "atMost", canary: "canaryP95Ms", baseline: "baselineP95Ms", limit: "maxLatencyP95Ms" },
  cpu: { label: "CPU", title: "CPU", unit: "%", rule: "below", canary: "canaryCpuPct", baseline: "baselineCpuPct", limit: "maxCpuPct" },
  memory: { label: "memory", title: "Memory", unit: "%", rule: "below", canary: "canaryMemoryPct", baseline: "baselineMemoryPct", limit: "maxMemoryPct" },
  health: {
    label: "health",
    title: "Health status",
    unit: "status",
    rule: "equal",
    canary: "canaryHealthStatus",
    baseline: "baselineHealthStatus",
    limit: "healthStatus",
  },
};

const ORDER: MetricName[] = ["error_rate", "latency_p95", "cpu", "memory", "health"];

/** "max 0.5 %" (at most), "below 70 %" (equal fails), "expect 200" (a status). */
export function limitWords(m: Pick<JudgedMetric, "limit" | "rule" | "unit">): string {
  const value = formatMeasure(m.limit, m.unit);
  return m.rule === "equal" ? `expect ${value}` : `${m.rule === "below" ? "below" : "max"} ${value}`;
}

/** The newest canary value of a metric in one stage, or null before its first sample with data. */
export function latestValue(points: readonly SamplePoint[], stageIndex: number, metric: MetricName): number | null {
  const key = METRICS[metric].canary;
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i];
    if (p.stageIndex === stageIndex && p[key] !== null) return p[key];
  }
  return null;
}

/** Whether a value breaks a limit under the engine's rule: over (at most), at or over (below), different (equal). */
export function breaks(m: Pick<JudgedMetric, "limit" | "rule">, value: number): boolean {
  return m.rule === "equal" ? value !== m.limit : m.rule === "below" ? value >= m.limit : value > m.limit;
}

export type MetricLine = { metric: MetricName; text: string; over: boolean };

/** A stage card's lines: each judged metric with its newest value and its limit, or the limit alone before any sample. */
export function stageMetricLines(judges: readonly JudgedMetric[], points: readonly SamplePoint[], stageIndex: number): MetricLine[] {
  return judges.map((m) => {
    const value = latestValue(points, stageIndex, m.metric);
    const label = METRICS[m.metric].label;
    if (value === null) return { metric: m.metric, text: `${label}: ${limitWords(m)}`, over: false };
    return { metric: m.metric, text: `${label} ${formatMeasure(value, m.unit)} / ${limitWords(m)}`, over: breaks(m, value) };
  });
}

/** The metrics a region's charts show: every one some stage of it judges, in a fixed order. */
export function chartedMetrics(stages: ReadonlyArray<{ judges: readonly JudgedMetric[] }>): MetricName[] {
  const judged = new Set(stages.flatMap((s) => s.judges.map((j) => j.metric)));
  return ORDER.filter((m) => judged.has(m));
}

/** The percents of the stages that judge a metric ("100 %"), for a chart's caption when not every stage does. */
export function judgedAt(stages: ReadonlyArray<{ percent: number; judges: readonly JudgedMetric[] }>, metric: MetricName): string | null {
  const at = stages.filter((s) => s.judges.some((j) => j.metric === metric));
  return at.length === stages.length ? null : `judged at ${at.map((s) => `${s.percent} %`).join(", ")}`;
}

/** How a sample reads on one metric's chart: a breach of this metric, inconclusive where it is judged, or plain. */
export function markOf(point: SamplePoint, metric: MetricName): "breach" | "inconclusive" | null {
  if (point[METRICS[metric].limit] === null) return null;
  if (point.verdict === "breach" && point.breached.includes(metric)) return "breach";
  return point.verdict === "inconclusive" ? "inconclusive" : null;
}

/**
 * The words beside and behind a sparkline: the newest value against the limit in force ("0.42 % / max 0.8 %"),
 * and the label a screen reader reads instead of the drawing, with the numbers a sighted reader gets from it.
 */
import { formatMeasure } from "@/lib/format";
import type { SparkPoint } from "./sparkline-geometry";

export type SparkUnit = "%" | "ms";

/** Error rates to two significant digits (0.42 %, 5.2 %); latencies in whole milliseconds (212 ms): lib/format.ts. */
export function formatMetric(value: number, unit: SparkUnit): string {
  return formatMeasure(value, unit);
}

/** "0.42 % / max 0.8 %"; "no data" when the newest sample had no value, "no limit" before the first stage. */
export function sparklineReadout(current: number | null, max: number | null, unit: SparkUnit): string {
  const value = current === null ? "no data" : formatMetric(current, unit);
  const limit = max === null ? "no limit" : `max ${formatMetric(max, unit)}`;
  return `${value} / ${limit}`;
}

export type SparklineLabelInput = {
  /** What is measured, capitalised: "Error rate", "p95 latency". */
  metric: string;
  unit: SparkUnit;
  points: SparkPoint[];
  /** The current stage's limit (it may differ from the newest sample's once a new stage started). */
  max: number | null;
  past: boolean;
};

export function sparklineLabel({ metric, unit, points, max, past }: SparklineLabelInput): string {
  const limit = max === null ? "no limit yet" : `limit ${formatMetric(max, unit)}`;
  if (points.length === 0) return `${metric}: no canary samples yet, ${limit}.`;

  const whose = past ? " of the last rollout" : "";
  const count = points.length === 1 ? "the last canary sample" : `the last ${points.length} canary samples`;
  const values = points.map((p) => p.value).filter((v): v is number => v !== null);
  const newest = points.at(-1)!.value;
  const over = points.filter((p) => p.value !== null && p.threshold !== null && p.value > p.threshold).length;

  const parts = [`newest ${newest === null ? "no data" : formatMetric(newest, unit)}`, limit];
  if (values.length > 1) parts.push(`range ${formatMetric(Math.min(...values), unit)} to ${formatMetric(Math.max(...values), unit)}`);
  parts.push(over === 0 ? "none over its threshold" : `${over} over ${over === 1 ? "its" : "their"} threshold`);
  return `${metric} over ${count}${whose}: ${parts.join(", ")}.`;
}

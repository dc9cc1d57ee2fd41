"use client";
/**
 * The drawing of one metric of one region over time (recharts, loaded lazily by metric-panel.tsx so the page's
 * first load carries no chart code): the new colour (canary) beside the old one (baseline) in their own colours,
 * the stage's limit as a stepped line (absent at stages that do not judge the metric), breaches in red and
 * inconclusive samples as amber rings. Not a Tab stop: the panel gives it its name and a table of its samples.
 */
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatClock, formatMeasure } from "@/lib/format";
import type { SamplePoint } from "@/server/services/rollout-view";
import { markOf, METRICS, type MetricName } from "./judged-metrics";

/** The colours by name: blue is blue and green is green, whichever of them is the canary. */
export const COLOUR_HEX: Record<string, string> = { blue: "#2563eb", green: "#059669" };

type DotProps = { cx?: number; cy?: number; payload?: SamplePoint; index?: number };

export default function MetricChart({
  metric,
  points,
  fromColour,
  toColour,
}: {
  metric: MetricName;
  points: SamplePoint[];
  fromColour: string;
  toColour: string;
}) {
  const keys = METRICS[metric];
  // Breaches get a red dot and inconclusive samples an amber ring; passes stay unmarked so the line reads calmly.
  const dot = ({ cx, cy, payload, index }: DotProps) => {
    const mark = payload ? markOf(payload, metric) : null;
    if (cx === undefined || cy === undefined || !mark) return <g key={`dot-${index}`} />;
    return mark === "breach" ? (
      <circle key={`dot-${index}`} cx={cx} cy={cy} r={5} fill="#dc2626" stroke="#fff" strokeWidth={1.5} />
    ) : (
      <circle key={`dot-${index}`} cx={cx} cy={cy} r={4} fill="#fff" stroke="#d97706" strokeWidth={2} />
    );
  };
  return (
    <ResponsiveContainer width="100%" height="100%">
      <LineChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: -12 }} accessibilityLayer={false}>
        <CartesianGrid stroke="#e2e8f0" vertical={false} />
        <XAxis
          dataKey="at"
          type="number"
          scale="time"
          domain={["dataMin", "dataMax"]}
          tickFormatter={(at) => formatClock(Number(at))}
          tick={{ fontSize: 11, fill: "currentColor" }}
          stroke="#64748b"
        />
        <YAxis tick={{ fontSize: 11, fill: "currentColor" }} stroke="#64748b" domain={metric === "health" ? ["auto", "auto"] : [0, "auto"]} />
        <Tooltip
          labelFormatter={(at) => formatClock(Number(at))}
          formatter={(value) => (typeof value === "number" ? formatMeasure(value, keys.unit) : String(value))}
        />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Line
          name={`${toColour} (canary)`}
          dataKey={keys.canary}
          stroke={COLOUR_HEX[toColour] ?? "#059669"}
          strokeWidth={2}
          dot={dot}
          isAnimationActive={false}
          connectNulls
        />
        <Line
          name={`${fromColour} (baseline)`}
          dataKey={keys.baseline}
          stroke={COLOUR_HEX[fromColour] ?? "#2563eb"}
          strokeWidth={1.5}
          strokeDasharray="2 3"
          dot={false}
          isAnimationActive={false}
          connectNulls
        />
        <Line
          name={metric === "health" ? "expected" : "limit"}
          type="stepAfter"
          dataKey={keys.limit}
          stroke="#dc2626"
          strokeWidth={1.5}
          strokeDasharray="6 4"
          dot={false}
          isAnimationActive={false}
        />
      </LineChart>
    </ResponsiveContainer>
  );
}

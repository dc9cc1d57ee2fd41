"use client";
/**
 * One metric of one region over time: the new colour (canary) and the old one (baseline), the stage's limit
 * as a stepped line that comes down as stages advance, breaches marked in red and inconclusive samples in amber.
 */
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { SamplePoint } from "@/server/services/rollout-view";

type Metric = "errorRate" | "p95";

const KEYS: Record<Metric, { canary: keyof SamplePoint; baseline: keyof SamplePoint; limit: keyof SamplePoint; title: string; unit: string }> = {
  errorRate: { canary: "canaryErrorRatePct", baseline: "baselineErrorRatePct", limit: "maxErrorRatePct", title: "Error rate", unit: "%" },
  p95: { canary: "canaryP95Ms", baseline: "baselineP95Ms", limit: "maxLatencyP95Ms", title: "p95 latency", unit: "ms" },
};

/** Times in the viewer's zone; with seconds when the samples span a few minutes, so the ticks differ. */
const clockFor = (points: SamplePoint[]) => {
  const span = points.length > 1 ? points[points.length - 1].at - points[0].at : 0;
  const options: Intl.DateTimeFormatOptions =
    span < 10 * 60_000 ? { hour: "2-digit", minute: "2-digit", second: "2-digit" } : { hour: "2-digit", minute: "2-digit" };
  return (at: number) => new Date(at).toLocaleTimeString([], options);
};

type DotProps = { cx?: number; cy?: number; payload?: SamplePoint; index?: number };

/** Breaches get a red dot and inconclusive samples an amber ring; passes stay unmarked so the line reads calmly. */
function BreachDot({ cx, cy, payload, index }: DotProps) {
  if (cx === undefined || cy === undefined) return <g key={`dot-${index}`} />;
  if (payload?.verdict === "breach")
    return <circle key={`dot-${index}`} cx={cx} cy={cy} r={5} fill="#dc2626" stroke="#fff" strokeWidth={1.5} aria-label="breach" />;
  if (payload?.verdict === "inconclusive")
    return <circle key={`dot-${index}`} cx={cx} cy={cy} r={4} fill="#fff" stroke="#d97706" strokeWidth={2} aria-label="inconclusive" />;
  return <g key={`dot-${index}`} />;
}

export function MetricChart({ metric, points, toColour }: { metric: Metric; points: SamplePoint[]; toColour: string }) {
  const keys = KEYS[metric];
  const breaches = points.filter((p) => p.verdict === "breach").length;
  const clock = clockFor(points);
  return (
    <figure className="flex min-w-0 flex-col gap-2">
      <figcaption className="flex items-baseline justify-between text-sm">
        <span className="font-medium text-slate-800">
          {keys.title} <span className="font-normal text-slate-500">({keys.unit})</span>
        </span>
        {breaches > 0 ? (
          <span className="text-xs font-medium text-red-700">
            {breaches} breach{breaches === 1 ? "" : "es"}
          </span>
        ) : null}
      </figcaption>
      <div className="h-56 w-full">
        {points.length === 0 ? (
          <p className="flex h-full items-center justify-center rounded-md border border-dashed border-slate-200 text-sm text-slate-500">No samples yet.</p>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: -12 }}>
              <CartesianGrid stroke="#e2e8f0" vertical={false} />
              <XAxis dataKey="at" type="number" scale="time" domain={["dataMin", "dataMax"]} tickFormatter={clock} tick={{ fontSize: 11 }} stroke="#94a3b8" />
              <YAxis tick={{ fontSize: 11 }} stroke="#94a3b8" />
              <Tooltip labelFormatter={(at) => clock(Number(at))} formatter={(value) => `${value} ${keys.unit}`} />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              <Line
                name={`${toColour} (canary)`}
                dataKey={keys.canary}
                stroke={toColour === "green" ? "#059669" : "#0284c7"}
                strokeWidth={2}
                dot={BreachDot}
                isAnimationActive={false}
                connectNulls
              />
              <Line
                name="baseline"
                dataKey={keys.baseline}
                stroke="#64748b"
                strokeWidth={1.5}
                strokeDasharray="2 3"
                dot={false}
                isAnimationActive={false}
                connectNulls
              />
              <Line
                name="stage limit"
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
        )}
      </div>
    </figure>
  );
}

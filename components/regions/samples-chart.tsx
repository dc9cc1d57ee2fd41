"use client";
/** Recent canary samples of one region: error rate (left axis) and p95 latency (right axis). */
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export type ChartSample = { takenAt: number; errorRatePct: number | null; latencyP95Ms: number | null };

const time = (at: number) => new Date(at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });

export function SamplesChart({ samples }: { samples: ChartSample[] }) {
  if (samples.length === 0) {
    return (
      <p className="flex h-56 items-center justify-center rounded-lg border border-dashed border-slate-300 text-sm text-slate-500">
        No canary samples yet in this region.
      </p>
    );
  }
  return (
    // Fixed height: the chart fills in without moving anything below it.
    <div className="h-56 w-full" role="img" aria-label={`Error rate and p95 latency of the last ${samples.length} canary samples`}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={samples} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" />
          <XAxis dataKey="takenAt" tickFormatter={time} tick={{ fontSize: 11 }} minTickGap={40} />
          <YAxis yAxisId="err" tick={{ fontSize: 11 }} width={56} unit="%" />
          <YAxis yAxisId="p95" orientation="right" tick={{ fontSize: 11 }} width={52} unit="ms" />
          <Tooltip labelFormatter={(v) => time(Number(v))} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Line yAxisId="err" type="linear" dataKey="errorRatePct" name="error rate %" stroke="#dc2626" dot={false} isAnimationActive={false} connectNulls />
          <Line yAxisId="p95" type="linear" dataKey="latencyP95Ms" name="p95 ms" stroke="#2563eb" dot={false} isAnimationActive={false} connectNulls />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

"use client";
/** The drawing of a region's recent canary samples (recharts, loaded lazily by samples-chart.tsx); not a Tab stop. */
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatClock } from "@/lib/format";
import type { ChartSample } from "./samples-chart";

export default function SamplesChartCanvas({ samples }: { samples: ChartSample[] }) {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <LineChart data={samples} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
        <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" />
        <XAxis dataKey="takenAt" tickFormatter={(v) => formatClock(Number(v))} tick={{ fontSize: 11, fill: "currentColor" }} minTickGap={40} />
        <YAxis yAxisId="err" tick={{ fontSize: 11, fill: "currentColor" }} width={56} unit="%" />
        <YAxis yAxisId="p95" orientation="right" tick={{ fontSize: 11, fill: "currentColor" }} width={52} unit="ms" />
        <Tooltip labelFormatter={(v) => formatClock(Number(v))} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Line yAxisId="err" type="linear" dataKey="errorRatePct" name="error rate %" stroke="#dc2626" dot={false} isAnimationActive={false} connectNulls />
        <Line yAxisId="p95" type="linear" dataKey="latencyP95Ms" name="p95 ms" stroke="#2563eb" dot={false} isAnimationActive={false} connectNulls />
      </LineChart>
    </ResponsiveContainer>
  );
}

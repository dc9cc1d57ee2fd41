"use client";
/**
 * Recent canary samples of one region: error rate (left axis) and p95 latency (right axis). A named image whose
 * drawing loads after the page (next/dynamic, in a placeholder of its size), and "Show as table" with the samples.
 */
import dynamic from "next/dynamic";
import { useState } from "react";
import { formatClock, formatMeasure } from "@/lib/format";

export type ChartSample = { takenAt: number; errorRatePct: number | null; latencyP95Ms: number | null };

const BOX = "h-56 w-full";
const Canvas = dynamic(() => import("./samples-chart-canvas"), { ssr: false, loading: () => <div className={`${BOX} rounded-lg bg-slate-50`} /> });

const shown = (v: number | null, unit: "%" | "ms") => (v === null ? "no data" : formatMeasure(v, unit));

export function SamplesChart({ samples }: { samples: ChartSample[] }) {
  // Rows drawn when opened: the times are in the reader's zone, which the server cannot know.
  const [open, setOpen] = useState(false);
  if (samples.length === 0) {
    return (
      <p className="flex h-56 items-center justify-center rounded-lg border border-dashed border-slate-300 text-sm text-slate-600">
        No canary samples yet in this region.
      </p>
    );
  }
  const last = samples[samples.length - 1];
  const label = `Error rate and p95 latency of the last ${samples.length} canary samples; newest ${shown(last.errorRatePct, "%")} and ${shown(last.latencyP95Ms, "ms")}`;
  return (
    <div className="flex flex-col gap-2">
      {/* Fixed height: the chart fills in without moving anything below it. */}
      <div className={`${BOX} text-slate-600`} role="img" aria-label={label}>
        <Canvas samples={samples} />
      </div>
      <details className="text-sm" onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary className="w-fit cursor-pointer rounded text-sky-800 focus-visible:outline-2 focus-visible:outline-sky-700">Show as table</summary>
        {open ? (
          <div className="mt-2 max-h-64 overflow-auto">
            <table className="min-w-full text-xs tabular-nums">
              <caption className="sr-only">{label}</caption>
              <thead>
                <tr className="text-left text-slate-600">
                  <th scope="col" className="pr-3 font-medium">
                    Time
                  </th>
                  <th scope="col" className="pr-3 font-medium">
                    Error rate
                  </th>
                  <th scope="col" className="font-medium">
                    p95 latency
                  </th>
                </tr>
              </thead>
              <tbody>
                {samples.map((s) => (
                  <tr key={s.takenAt} className="border-t border-slate-100">
                    <td className="pr-3">{formatClock(s.takenAt)}</td>
                    <td className="pr-3">{shown(s.errorRatePct, "%")}</td>
                    <td>{shown(s.latencyP95Ms, "ms")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </details>
    </div>
  );
}

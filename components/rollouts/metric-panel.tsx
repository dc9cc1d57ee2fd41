"use client";
/**
 * One judged metric of one region: a named figure (its caption, and the chart as an image with a summary for
 * screen readers), the chart itself loaded only in the browser after the page (next/dynamic: recharts is most of
 * the page's JavaScript otherwise) in a placeholder of its size, and "Show as table" with every sample.
 */
import dynamic from "next/dynamic";
import { useState } from "react";
import { formatClock, formatMeasure } from "@/lib/format";
import type { JudgedMetric, SamplePoint } from "@/server/services/rollout-view";
import { limitWords, markOf, METRICS, type MetricName } from "./judged-metrics";

const CHART_BOX = "h-56 w-full";

const MetricChart = dynamic(() => import("./metric-chart"), {
  ssr: false,
  loading: () => <div className={`${CHART_BOX} rounded-md bg-slate-50`} />,
});

type Props = {
  regionName: string;
  metric: MetricName;
  points: SamplePoint[];
  fromColour: string;
  toColour: string;
  /** "judged at 100 %" when only some stages judge it. */
  judgedAt: string | null;
  /** Each stage's percent, by index, for the table. */
  stagePercents: number[];
};

const value = (v: number | null, unit: JudgedMetric["unit"]) => (v === null ? "no data" : formatMeasure(v, unit));

/** The limit of a sample's stage in words ("max 0.5 %"), or "not judged" at a stage that does not judge the metric. */
function limitOf(point: SamplePoint, metric: MetricName): string {
  const keys = METRICS[metric];
  const limit = point[keys.limit];
  if (limit === null) return "not judged";
  return limitWords({ limit, rule: keys.rule, unit: keys.unit });
}

/** A sample's verdict on this metric: not judged at its stage, a breach of it, inconclusive, or within it. */
function verdictOf(point: SamplePoint, metric: MetricName): string {
  if (point[METRICS[metric].limit] === null) return "not judged";
  const mark = markOf(point, metric);
  if (mark) return mark;
  if (point.verdict === "breach") return "within (another metric breached)";
  return point.verdict ?? "not judged yet";
}

/** What a screen reader hears for the chart: the colours, the newest values, the limit, and the marks. */
export function chartSummary({ regionName, metric, points, fromColour, toColour }: Omit<Props, "judgedAt" | "stagePercents">): string {
  const keys = METRICS[metric];
  const title = `${keys.title} in ${regionName}`;
  if (points.length === 0) return `${title}: no samples yet`;
  const last = points[points.length - 1];
  const marks = points.map((p) => markOf(p, metric));
  const breaches = marks.filter((m) => m === "breach").length;
  const inconclusive = marks.filter((m) => m === "inconclusive").length;
  return (
    `${title}, ${points.length} sample${points.length === 1 ? "" : "s"}: newest ${toColour} (canary) ${value(last[keys.canary], keys.unit)}, ` +
    `${fromColour} (baseline) ${value(last[keys.baseline], keys.unit)}, limit ${limitOf(last, metric)}; ` +
    `${breaches} breach${breaches === 1 ? "" : "es"}, ${inconclusive} inconclusive`
  );
}

export function MetricPanel(props: Props) {
  const { metric, points, regionName } = props;
  const keys = METRICS[metric];
  const breaches = points.filter((p) => markOf(p, metric) === "breach").length;
  // The rows are drawn when the table is opened: times are in the reader's zone, which the server cannot know.
  const [open, setOpen] = useState(false);
  return (
    <figure className="flex min-w-0 flex-col gap-2" data-testid={`chart-${metric}`}>
      <figcaption className="flex flex-wrap items-baseline justify-between gap-x-2 text-sm">
        <span className="font-medium text-slate-800">
          {keys.title} in {regionName}
          {keys.unit === "status" ? null : <span className="font-normal text-slate-600"> ({keys.unit})</span>}
          {props.judgedAt ? <span className="font-normal text-slate-600">, {props.judgedAt}</span> : null}
        </span>
        {breaches > 0 ? (
          <span className="text-xs font-medium text-red-700">
            {breaches} breach{breaches === 1 ? "" : "es"}
          </span>
        ) : null}
      </figcaption>
      {/* The axes' text takes this colour (currentColor), so it follows the theme. */}
      <div className={`${CHART_BOX} text-slate-600`} role="img" aria-label={chartSummary(props)}>
        {points.length === 0 ? (
          <p className="flex h-full items-center justify-center rounded-md border border-dashed border-slate-300 text-sm text-slate-600">No samples yet.</p>
        ) : (
          <MetricChart metric={metric} points={points} fromColour={props.fromColour} toColour={props.toColour} />
        )}
      </div>
      {points.length > 0 ? (
        <details className="text-sm" onToggle={(e) => setOpen(e.currentTarget.open)}>
          <summary className="w-fit cursor-pointer rounded text-sky-800 focus-visible:outline-2 focus-visible:outline-sky-700">Show as table</summary>
          {open ? (
            <div className="mt-2 max-h-64 overflow-auto">
              <table className="min-w-full text-xs tabular-nums">
                <caption className="sr-only">{chartSummary(props)}</caption>
                <thead>
                  <tr className="text-left text-slate-600">
                    <th scope="col" className="pr-3 font-medium">
                      Time
                    </th>
                    <th scope="col" className="pr-3 font-medium">
                      Stage
                    </th>
                    <th scope="col" className="pr-3 font-medium">
                      {props.toColour} (canary)
                    </th>
                    <th scope="col" className="pr-3 font-medium">
                      {props.fromColour} (baseline)
                    </th>
                    <th scope="col" className="pr-3 font-medium">
                      Limit
                    </th>
                    <th scope="col" className="font-medium">
                      Verdict
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {points.map((p) => (
                    <tr key={`${p.stageIndex}-${p.at}`} className="border-t border-slate-100">
                      <td className="pr-3">{formatClock(p.at)}</td>
                      <td className="pr-3">{props.stagePercents[p.stageIndex] ?? "?"} %</td>
                      <td className="pr-3">{value(p[keys.canary], keys.unit)}</td>
                      <td className="pr-3">{value(p[keys.baseline], keys.unit)}</td>
                      <td className="pr-3">{limitOf(p, metric)}</td>
                      <td>{verdictOf(p, metric)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </details>
      ) : null}
    </figure>
  );
}

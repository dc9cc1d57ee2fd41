/**
 * What a backtest found, stage by stage: the summary line, the first breach, the windows' verdicts and a strip of
 * the period (each cell the worst verdict of its stretch, a ring where a rollback happened), the false alarms and
 * the holds. Rendered on the server; the strip is described in words too, for screen readers.
 */
import { formatCount, formatDuration, formatTimestamp } from "@/lib/format";
import type { BacktestBucket, BacktestReport, StageBacktest } from "@/server/services/backtest";

const CELL: Record<BacktestBucket["worst"], string> = {
  none: "bg-slate-100",
  pass: "bg-emerald-400",
  inconclusive: "bg-amber-300",
  breach: "bg-rose-500",
};
const at = (ms: number) => formatTimestamp(ms, "UTC");

export function BacktestReportView({ report }: { report: BacktestReport }) {
  const against = report.baselineColour ? ` against ${report.baselineColour}` : "";
  return (
    <section aria-labelledby="backtest-result" className="mt-6">
      <h2 id="backtest-result" className="text-lg font-semibold text-slate-900">
        {report.summary}
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        {report.regionId} · {report.serviceId} · {report.colour}
        {against} · {at(report.from)} to {at(report.to)} · {formatCount(report.windowCount)} windows of {formatDuration(report.intervalMs)}
        {report.incident ? ` · incident ${at(report.incident.from)} to ${at(report.incident.to)}` : ""}
      </p>
      <ol className="mt-4 space-y-3">
        {report.stages.map((stage) => (
          <li key={stage.index}>
            <StageCard stage={stage} incident={report.incident !== null} />
          </li>
        ))}
      </ol>
    </section>
  );
}

function StageCard({ stage, incident }: { stage: StageBacktest; incident: boolean }) {
  const good = incident ? stage.detection !== null && stage.falseAlarms === 0 : stage.rollbacks.length === 0;
  const falseAlarms = stage.rollbacks.filter((r) => r.falseAlarm);
  return (
    <article className="rounded-xl border border-slate-200 bg-white p-4">
      <h3 className="text-sm font-semibold text-slate-900">
        {stage.percent} % stage{" "}
        <span className="font-normal text-slate-500">
          ({stage.limits}; {formatDuration(stage.durationMs)})
        </span>
      </h3>
      <p className={`mt-1 text-sm font-medium ${good ? "text-emerald-800" : "text-rose-800"}`}>{stage.summary}</p>
      {stage.firstBreach ? (
        <p className="mt-1 text-sm text-slate-700">
          First breach: {at(stage.firstBreach.to)}: {stage.firstBreach.words}
        </p>
      ) : null}
      <p className="mt-1 text-xs text-slate-600">
        Windows: {formatCount(stage.windows.pass)} passed, {formatCount(stage.windows.breach)} breached, {formatCount(stage.windows.inconclusive)} inconclusive
        · {formatCount(stage.rollbacks.length)} rollback(s) · {formatCount(stage.holds.length)} hold(s)
      </p>
      <Strip buckets={stage.strip} />
      {falseAlarms.length > 0 ? (
        <ul className="mt-2 list-disc pl-5 text-xs text-slate-700">
          {falseAlarms.slice(0, 5).map((r) => (
            <li key={r.to}>
              False alarm at {at(r.to)}: {r.words}
            </li>
          ))}
        </ul>
      ) : null}
      {stage.holds[0] ? (
        <p className="mt-2 text-xs text-amber-900">
          First hold at {at(stage.holds[0].at)}: {stage.holds[0].reason}
        </p>
      ) : null}
    </article>
  );
}

function Strip({ buckets }: { buckets: BacktestBucket[] }) {
  const breached = buckets.filter((b) => b.worst === "breach").length;
  const rolled = buckets.filter((b) => b.rolledBack).length;
  return (
    <div className="mt-2">
      <p className="sr-only">
        Over the period in {buckets.length} stretches: {breached} with a breach, {rolled} with a rollback.
      </p>
      <div aria-hidden="true" className="flex h-4 gap-px overflow-hidden rounded">
        {buckets.map((b) => (
          <span
            key={b.from}
            title={`${at(b.from)} to ${at(b.to)}: ${b.worst === "none" ? "no window" : b.worst}${b.rolledBack ? ", rolled back" : ""}`}
            className={`flex-1 ${CELL[b.worst]} ${b.rolledBack ? "ring-2 ring-inset ring-rose-900" : ""}`}
          />
        ))}
      </div>
    </div>
  );
}

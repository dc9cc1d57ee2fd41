/**
 * The engine's plan of what the form says, before anything starts: the expected duration, a timeline, and
 * each region in order with its wave, when it starts and ends, and its gate. Approval gates wait for people,
 * so their time is not in the estimate; the panel says so.
 */
import type { ReactNode } from "react";
import { formatDuration } from "./format";
import { reviewersWords, type PlanPreview } from "./new-rollout-values";
import { PlanTimeline } from "./plan-timeline";

type Plan = NonNullable<PlanPreview["plan"]>;

/** "at start", "+1 h 50 min". */
export const offsetWords = (ms: number) => (ms === 0 ? "at start" : `+${formatDuration(ms)}`);

export function PlanPreviewPanel({ preview, updating, children }: { preview: PlanPreview | undefined; updating: boolean; children: ReactNode }) {
  const plan = preview?.plan ?? null;
  return (
    <section
      data-testid="plan-preview"
      aria-labelledby="plan-preview-title"
      aria-busy={updating || !preview}
      className="flex flex-col rounded-xl border border-slate-200 bg-white shadow-sm"
    >
      <header className="border-b border-slate-100 px-5 py-4">
        <h2 id="plan-preview-title" className="text-sm font-semibold text-slate-700">
          Plan {updating ? <span className="ml-1 text-xs font-normal text-slate-500">updating…</span> : null}
        </h2>
        {plan ? <Total plan={plan} /> : null}
      </header>
      <div className={`flex flex-col gap-5 px-5 py-4 transition-opacity ${updating ? "opacity-60" : ""}`}>
        {!preview ? (
          <p className="text-sm text-slate-500">Working out the plan…</p>
        ) : plan ? (
          <>
            <PlanTimeline regions={plan.regions} totalMs={plan.expectedDurationMs} />
            <RegionSteps plan={plan} />
          </>
        ) : (
          <p className="rounded-md border border-dashed border-slate-300 p-4 text-sm text-slate-600">
            No plan until the form&apos;s regions and delay are right: see what it points out.
          </p>
        )}
      </div>
      <footer className="mt-auto border-t border-slate-100 px-5 py-4">{children}</footer>
    </section>
  );
}

function Total({ plan }: { plan: Plan }) {
  const gates = plan.regions.filter((r) => r.reviewers).length;
  return (
    <>
      <p className="mt-1 text-3xl font-semibold tracking-tight text-slate-900 tabular-nums">
        <span className="sr-only">Expected duration: </span>
        <span data-testid="plan-total-duration">{formatDuration(plan.expectedDurationMs)}</span>
      </p>
      <p className="mt-1 text-xs text-slate-500">
        expected if every stage passes at its first chance
        {gates > 0 ? `, plus the time reviewers take at ${gates === 1 ? "1 gate" : `${gates} gates`}` : ""}.
      </p>
    </>
  );
}

function RegionSteps({ plan }: { plan: Plan }) {
  return (
    <ol className="flex flex-col gap-3">
      {plan.regions.map((r) => {
        const gate = reviewersWords(r.reviewers);
        return (
          <li key={r.regionId} className="grid grid-cols-[auto_1fr] gap-x-3">
            <span className="mt-0.5 self-start rounded-full bg-slate-100 px-2 py-0.5 text-[11px] font-semibold whitespace-nowrap text-slate-600">
              Wave {r.wave}
            </span>
            <div className="min-w-0 text-sm">
              <p className="flex flex-wrap items-baseline justify-between gap-x-3">
                <span className="font-medium text-slate-900">
                  {r.name} <span className="font-mono text-xs font-normal text-slate-500">{r.environment}</span>
                </span>
                <span className="text-xs text-slate-600 tabular-nums">
                  {offsetWords(r.expectedStartMs)} → {offsetWords(r.expectedEndMs)}
                </span>
              </p>
              <p className="mt-0.5 text-xs text-slate-500">
                {r.observeBeforeMs > 0 ? `after ${formatDuration(r.observeBeforeMs)} of observation · ` : ""}
                deploy {formatDuration(r.deployMs)} · {r.stages.map((s) => s.percent).join(" → ")} %
              </p>
              <p className={`mt-0.5 text-xs ${gate ? "text-amber-800" : "text-slate-500"}`}>
                {gate ? `Gate: waits for ${gate} before it deploys` : "No approval gate"}
              </p>
            </div>
          </li>
        );
      })}
    </ol>
  );
}

/**
 * The plan as a Gantt chart: one row per region, its observation period before it (delayed), its deploy and
 * each canary stage to scale. Decorative: the list beside it says the same in words for screen readers.
 */
import { formatDuration } from "./format";
import type { PlanPreview } from "./new-rollout-values";

type PlannedRegion = NonNullable<PlanPreview["plan"]>["regions"][number];

const STAGE_LOOK = ["bg-sky-200", "bg-sky-300", "bg-sky-400", "bg-sky-500", "bg-sky-600"];
// Seconds first: a short test fleet's plan (stages of 6 s) would otherwise get only its "0" tick.
const TICK_STEPS_MS = [...[5, 10, 15, 30].map((s) => s * 1000), ...[1, 2, 5, 10, 15, 30, 60, 120, 240, 480].map((m) => m * 60_000)];

/** Axis ticks at a round step, at most six, none so near the end that its label would run off the chart. */
function ticks(totalMs: number): number[] {
  const step = TICK_STEPS_MS.find((s) => totalMs / s <= 6) ?? TICK_STEPS_MS[TICK_STEPS_MS.length - 1];
  const out: number[] = [];
  for (let t = 0; t <= totalMs * 0.88; t += step) out.push(t);
  return out;
}

const pct = (part: number, total: number) => `${total > 0 ? (part / total) * 100 : 0}%`;

export function PlanTimeline({ regions, totalMs }: { regions: PlannedRegion[]; totalMs: number }) {
  return (
    <div aria-hidden="true" className="flex flex-col gap-1.5">
      {regions.map((r) => (
        <div key={r.regionId} className="grid grid-cols-[7.5rem_1fr] items-center gap-2">
          <span className="truncate text-xs font-medium text-slate-600">{r.name}</span>
          <div className="relative h-4 rounded bg-slate-100">
            {r.observeBeforeMs > 0 ? (
              <div
                title={`${formatDuration(r.observeBeforeMs)} observation`}
                className="absolute inset-y-0.5 rounded-sm bg-[repeating-linear-gradient(135deg,var(--color-amber-200)_0_4px,var(--color-amber-50)_4px_8px)]"
                style={{ left: pct(r.expectedStartMs - r.observeBeforeMs, totalMs), width: pct(r.observeBeforeMs, totalMs) }}
              />
            ) : null}
            <div
              className="absolute inset-y-0 flex overflow-hidden rounded"
              style={{ left: pct(r.expectedStartMs, totalMs), width: pct(r.expectedEndMs - r.expectedStartMs, totalMs) }}
            >
              <div title={`deploy ${formatDuration(r.deployMs)}`} className="h-full bg-slate-400" style={{ flexGrow: r.deployMs, minWidth: 2 }} />
              {r.stages.map((s, i) => (
                <div
                  key={s.percent}
                  title={`${s.percent} % for ${formatDuration(s.durationMs)}`}
                  className={`h-full border-l border-white/70 ${s.percent === 100 ? "bg-emerald-500" : STAGE_LOOK[Math.min(i, STAGE_LOOK.length - 1)]}`}
                  style={{ flexGrow: s.durationMs }}
                />
              ))}
            </div>
          </div>
        </div>
      ))}
      <div className="grid grid-cols-[7.5rem_1fr] gap-2">
        <span />
        <div className="relative h-4 text-[10px] text-slate-500 tabular-nums">
          {ticks(totalMs).map((t) => (
            <span key={t} className={`absolute whitespace-nowrap ${t === 0 ? "" : "-translate-x-1/2"}`} style={{ left: pct(t, totalMs) }}>
              {t === 0 ? "0" : formatDuration(t)}
            </span>
          ))}
        </div>
      </div>
      <p className="mt-1 flex flex-wrap gap-x-3 gap-y-1 text-[11px] text-slate-500">
        <Legend look="bg-slate-400">deploy</Legend>
        <Legend look="bg-sky-400">canary 10 → 75 %</Legend>
        <Legend look="bg-emerald-500">validation at 100 %</Legend>
        {regions.some((r) => r.observeBeforeMs > 0) ? <Legend look="bg-amber-200">observation</Legend> : null}
      </p>
    </div>
  );
}

function Legend({ look, children }: { look: string; children: React.ReactNode }) {
  return (
    <span className="inline-flex items-center gap-1">
      <span className={`inline-block size-2.5 rounded-sm ${look}`} />
      {children}
    </span>
  );
}

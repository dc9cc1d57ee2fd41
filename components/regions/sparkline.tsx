/**
 * A card-sized line of recent canary samples against the threshold in force at each one, as plain inline SVG:
 * the overview must stay light, so no chart library here (the region and rollout pages have the big charts).
 * Always the same size, empty or not, so a sample arriving live never moves anything.
 */
import { sparklineGeometry, type SparkPoint } from "./sparkline-geometry";
import { formatMetric, sparklineLabel, sparklineReadout, type SparkUnit } from "./sparkline-text";

const WIDTH = 112;
const HEIGHT = 28;
const BOX = { width: WIDTH, height: HEIGHT, pad: 3, slots: 30 }; // 30: the most samples the overview sends a region

const LOOK = {
  live: { line: "#0369a1", threshold: "#d97706" }, // sky-700, amber-600
  past: { line: "#94a3b8", threshold: "#cbd5e1" }, // slate-400, slate-300: the last rollout, no longer running
};
const BREACH = "#dc2626"; // red-600

export type SparklineProps = {
  /** Capitalised, for the accessible label: "Error rate", "p95 latency". */
  metric: string;
  unit: SparkUnit;
  /** Oldest first, each with the threshold of the stage it was judged at. */
  points: SparkPoint[];
  /** The current stage's limit, shown beside the newest value. */
  max: number | null;
  past: boolean;
  testId?: string;
};

/** The readout wraps onto a second line on a narrow card rather than cut the limit off ("0.04 % / max 0…"). */
export function Sparkline({ metric, unit, points, max, past, testId }: SparklineProps) {
  const label = sparklineLabel({ metric, unit, points, max, past });
  const current = points.at(-1)?.value ?? null;
  const over = current !== null && max !== null && current > max;

  if (points.length === 0) {
    return (
      <div data-testid={testId} className="flex h-7 min-w-0 items-center gap-3">
        <span
          role="img"
          aria-label={label}
          style={{ width: WIDTH, height: HEIGHT }}
          className="flex shrink-0 items-center justify-center rounded border border-dashed border-slate-200 text-[11px] text-slate-400"
        >
          no samples yet
        </span>
        <span className="min-w-0 text-xs leading-3.5 text-slate-500 tabular-nums">{max === null ? "" : `max ${formatMetric(max, unit)}`}</span>
      </div>
    );
  }

  const g = sparklineGeometry(points, BOX);
  const look = past ? LOOK.past : LOOK.live;
  const readout = sparklineReadout(current, max, unit);
  return (
    <div data-testid={testId} className="flex h-7 min-w-0 items-center gap-3">
      <svg role="img" aria-label={label} width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} className="shrink-0">
        <path d={g.threshold} fill="none" stroke={look.threshold} strokeWidth={1} strokeDasharray="3 2" />
        <path d={g.line} fill="none" stroke={look.line} strokeWidth={1.5} strokeLinejoin="round" strokeLinecap="round" />
        {g.dots.map((p, i) => (
          <circle key={`dot-${i}`} cx={p.x} cy={p.y} r={1.5} fill={look.line} />
        ))}
        {g.last ? <circle cx={g.last.x} cy={g.last.y} r={2} fill={look.line} /> : null}
        {g.breaches.map((p, i) => (
          <circle key={`breach-${i}`} data-breach="" cx={p.x} cy={p.y} r={2.5} fill={BREACH} stroke="#fff" strokeWidth={0.75} />
        ))}
      </svg>
      <span
        title={readout}
        className={`min-w-0 text-xs leading-3.5 tabular-nums ${over ? "font-medium text-red-700" : past ? "text-slate-500" : "text-slate-800"}`}
      >
        {readout}
      </span>
    </div>
  );
}

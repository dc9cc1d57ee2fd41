/** The traffic split of a region as a bar (green on the left, blue on the right) and as text. */
export function TrafficSplit({ regionId, greenPct, bluePct }: { regionId: string; greenPct: number; bluePct: number }) {
  return (
    <div className="flex items-center gap-3">
      <div aria-hidden="true" className="flex h-2.5 min-w-0 flex-1 overflow-hidden rounded-full bg-slate-100 ring-1 ring-slate-200 ring-inset">
        <div className="h-full bg-emerald-500 transition-[width] duration-700 ease-out motion-reduce:transition-none" style={{ width: `${greenPct}%` }} />
        <div className="h-full bg-sky-500 transition-[width] duration-700 ease-out motion-reduce:transition-none" style={{ width: `${bluePct}%` }} />
      </div>
      {/* Fixed width: the text changes as traffic moves, the bar must not. */}
      <span data-testid={`split-${regionId}`} className="w-40 shrink-0 text-right text-sm tabular-nums text-slate-700">
        green {greenPct}% / blue {bluePct}%
      </span>
    </div>
  );
}

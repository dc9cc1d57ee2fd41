/** The traffic split of a region as text and as a bar (green from the left, blue to the right). */
export function TrafficSplit({ regionId, greenPct, bluePct }: { regionId: string; greenPct: number; bluePct: number }) {
  return (
    <div className="flex flex-col gap-1.5">
      <span data-testid={`split-${regionId}`} className="text-sm tabular-nums text-slate-800">
        {`${greenPct} % on green, ${bluePct} % on blue`}
      </span>
      <div aria-hidden="true" className="flex h-2 overflow-hidden rounded-full bg-slate-100">
        <div className="h-full bg-emerald-500 transition-[width] duration-700 ease-out motion-reduce:transition-none" style={{ width: `${greenPct}%` }} />
        <div className="h-full bg-sky-500 transition-[width] duration-700 ease-out motion-reduce:transition-none" style={{ width: `${bluePct}%` }} />
      </div>
    </div>
  );
}

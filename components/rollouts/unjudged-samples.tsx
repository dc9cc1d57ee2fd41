"use client";
/**
 * Every inconclusive sample of a region, with why: a stage passes only when enough of it was judged, so what
 * went unjudged (no data, too few requests, a metrics store error) is shown, not hidden in a count.
 */
import { RelativeTime } from "@/components/regions/relative-time";
import type { SamplePoint } from "@/server/services/rollout-view";
import { unjudgedSamples } from "./unjudged-list";

export function UnjudgedSamples({ regionId, points, stagePercents }: { regionId: string; points: SamplePoint[]; stagePercents: number[] }) {
  const list = unjudgedSamples(points);
  if (list.length === 0) return null;
  return (
    <details data-testid={`inconclusive-${regionId}`} className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
      <summary className="cursor-pointer font-medium">
        {list.length} inconclusive sample{list.length === 1 ? "" : "s"} (not judged, never a pass)
      </summary>
      <ul className="mt-2 flex max-h-64 flex-col gap-1 overflow-y-auto">
        {list.map((s) => (
          <li key={s.at} className="break-words">
            <RelativeTime at={s.at} /> at the {stagePercents[s.stageIndex] ?? "?"} % stage: {s.reasons.join("; ")}
          </li>
        ))}
      </ul>
    </details>
  );
}

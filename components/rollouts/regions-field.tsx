"use client";
/**
 * The regions to roll out to, in the fleet's order (the order a chained rollout follows), with what each serves
 * now. A region a rollout is running in starts unticked with the reason and a link; a chosen region the chosen
 * release is already live in gets a warning (the start is allowed: it would run a whole canary of the same build).
 */
import Link from "next/link";
import { FieldProblems } from "./field-problems";
import { freeRegionIds, reviewersWords, type ServiceOption } from "./new-rollout-values";

type Props = {
  service: ServiceOption;
  checked: string[];
  /** Chosen regions the chosen release is already live in. */
  alreadyLive: string[];
  version: string | null;
  problems: string[] | undefined;
  onToggle: (regionId: string, checked: boolean) => void;
  onAll: (all: boolean) => void;
};

export function RegionsField({ service, checked, alreadyLive, version, problems, onToggle, onAll }: Props) {
  const free = freeRegionIds(service);
  const all = free.length > 0 && free.every((id) => checked.includes(id));
  return (
    <fieldset aria-describedby={problems ? "regions-problems" : undefined} className="flex flex-col gap-1.5">
      <div className="flex items-baseline justify-between">
        <legend className="text-sm font-medium text-slate-800">Regions</legend>
        <button
          type="button"
          onClick={() => onAll(!all)}
          className="rounded text-xs font-medium text-sky-700 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600"
        >
          {all ? "Clear all" : free.length === service.regions.length ? "Select all" : "Select all free"}
        </button>
      </div>
      <ul className={`divide-y divide-slate-100 rounded-lg border bg-white ${problems ? "border-red-300" : "border-slate-200"}`}>
        {service.regions.map((region, i) => {
          const gate = reviewersWords(region.reviewers);
          return (
            <li key={region.id}>
              <label className="flex cursor-pointer items-start gap-3 px-3 py-2.5 hover:bg-slate-50 has-focus-visible:bg-slate-50">
                <input
                  type="checkbox"
                  data-testid={`new-rollout-region-${region.id}`}
                  checked={checked.includes(region.id)}
                  onChange={(e) => onToggle(region.id, e.target.checked)}
                  className="mt-0.5 size-4 rounded border-slate-300 accent-sky-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600"
                />
                <span className="min-w-0 flex-1 text-sm">
                  <span className="flex flex-wrap items-baseline gap-x-2">
                    <span className="text-xs text-slate-500 tabular-nums">{i + 1}.</span>
                    <span className="font-medium text-slate-900">{region.name}</span>
                    <span className="font-mono text-xs text-slate-500">{region.environment}</span>
                    {gate ? (
                      <span className="rounded-full bg-amber-50 px-2 py-0.5 text-[11px] font-medium text-amber-900 ring-1 ring-amber-200 ring-inset">
                        gate: {gate}
                      </span>
                    ) : null}
                  </span>
                  <span className="mt-0.5 block text-xs text-slate-500">
                    {region.live ? `serves ${region.live.version} on ${region.live.colour}` : "serves nothing yet"}
                  </span>
                  {region.activeRolloutId ? (
                    <span data-testid={`region-busy-${region.id}`} className="mt-0.5 block text-xs text-amber-900">
                      Busy, so not ticked: a rollout is running here now (
                      <Link
                        href={`/rollouts/${region.activeRolloutId}`}
                        className="rounded-sm font-medium underline underline-offset-2 focus-visible:outline-2 focus-visible:outline-sky-600"
                      >
                        see it
                      </Link>
                      ). A start that includes it is refused until that rollout ends.
                    </span>
                  ) : null}
                  {alreadyLive.includes(region.id) ? (
                    <span data-testid={`region-already-live-${region.id}`} className="mt-0.5 block text-xs font-medium text-amber-900">
                      ⚠ {version ?? "This release"} is already live here: starting runs a whole canary of the same build.
                    </span>
                  ) : null}
                </span>
              </label>
            </li>
          );
        })}
      </ul>
      <FieldProblems id="regions-problems" messages={problems} />
    </fieldset>
  );
}

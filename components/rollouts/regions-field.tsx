"use client";
/** The regions to roll out to, in the fleet's order (the order a chained rollout follows), with what each serves now. */
import Link from "next/link";
import { FieldProblems } from "./field-problems";
import { reviewersWords, type ServiceOption } from "./new-rollout-values";

type Props = {
  service: ServiceOption;
  checked: string[];
  problems: string[] | undefined;
  onToggle: (regionId: string, checked: boolean) => void;
  onAll: (all: boolean) => void;
};

export function RegionsField({ service, checked, problems, onToggle, onAll }: Props) {
  const all = checked.length === service.regions.length;
  return (
    <fieldset aria-describedby={problems ? "regions-problems" : undefined} className="flex flex-col gap-1.5">
      <div className="flex items-baseline justify-between">
        <legend className="text-sm font-medium text-slate-800">Regions</legend>
        <button
          type="button"
          onClick={() => onAll(!all)}
          className="rounded text-xs font-medium text-sky-700 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600"
        >
          {all ? "Clear all" : "Select all"}
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
                    <span className="text-xs text-slate-400 tabular-nums">{i + 1}.</span>
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
                    {region.activeRolloutId ? (
                      <>
                        {" · "}
                        <Link
                          href={`/rollouts/${region.activeRolloutId}`}
                          className="rounded-sm font-medium text-amber-800 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600"
                        >
                          in a rollout now
                        </Link>
                      </>
                    ) : null}
                  </span>
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

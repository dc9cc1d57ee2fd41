"use client";
/** The last look before a rollout starts: what goes where, in which order, and for how long. */
import type { Ref } from "react";
import { formatDuration } from "./format";
import { listWords, reviewersWords, shortDigest, STRATEGY_WORDS, type PlanPreview } from "./new-rollout-values";
import { offsetWords } from "./plan-preview";

type Props = {
  serviceName: string;
  artifact: { version: string; digest: string };
  plan: NonNullable<PlanPreview["plan"]>;
  pending: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  ref: Ref<HTMLDialogElement>;
};

const BUTTON =
  "rounded-md px-3 py-1.5 text-sm font-medium ring-1 ring-inset focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:opacity-50";

export function StartConfirmation({ serviceName, artifact, plan, pending, onConfirm, onCancel, ref }: Props) {
  const gated = plan.regions.filter((r) => r.reviewers).map((r) => r.name);
  const strategy = STRATEGY_WORDS[plan.strategy].label.toLowerCase();
  return (
    <dialog
      ref={ref}
      aria-labelledby="start-confirm-title"
      className="m-auto w-[min(34rem,calc(100vw-2rem))] rounded-xl p-0 shadow-xl backdrop:bg-slate-900/40"
    >
      <div className="flex flex-col gap-4 p-5">
        <h2 id="start-confirm-title" className="text-lg font-semibold text-slate-900">
          Start {serviceName} {artifact.version}?
        </h2>
        <p className="text-sm text-slate-700">
          Artifact{" "}
          <span className="font-mono text-xs" title={artifact.digest}>
            sha256:{shortDigest(artifact.digest)}
          </span>{" "}
          goes out {strategy}
          {plan.delayMinutes ? `, with ${formatDuration(plan.delayMinutes * 60_000)} of observation between regions` : ""}, to{" "}
          {listWords(plan.regions.map((r) => r.name))}. Traffic moves in canary stages; a region rolls back by itself when a threshold breaks.
        </p>
        <ol className="divide-y divide-slate-100 rounded-lg border border-slate-200 text-sm">
          {plan.regions.map((r) => (
            <li key={r.regionId} className="flex flex-wrap items-baseline justify-between gap-x-3 px-3 py-2">
              <span>
                <span className="mr-2 text-xs font-semibold text-slate-500">Wave {r.wave}</span>
                <span className="font-medium text-slate-900">{r.name}</span>
                {r.reviewers ? <span className="ml-2 text-xs text-amber-800">gate: {reviewersWords(r.reviewers)}</span> : null}
              </span>
              <span className="text-xs text-slate-600 tabular-nums">
                {offsetWords(r.expectedStartMs)} → {offsetWords(r.expectedEndMs)}
              </span>
            </li>
          ))}
        </ol>
        <p className="text-sm text-slate-700">
          Expected duration: <strong className="tabular-nums">{formatDuration(plan.expectedDurationMs)}</strong>
          {gated.length > 0 ? `, plus the time reviewers take to approve ${listWords(gated)}` : ""}.
        </p>
        <p className="text-xs text-slate-500">It is recorded in the event log under your name.</p>
        <div className="flex justify-end gap-2">
          <button type="button" autoFocus onClick={onCancel} className={`${BUTTON} bg-white text-slate-800 ring-slate-300 hover:bg-slate-50`}>
            Cancel
          </button>
          <button
            type="button"
            data-testid="confirm-start"
            disabled={pending}
            onClick={onConfirm}
            className={`${BUTTON} bg-sky-600 text-white ring-sky-700 hover:bg-sky-700`}
          >
            {pending ? "Starting…" : "Start rollout"}
          </button>
        </div>
      </div>
    </dialog>
  );
}

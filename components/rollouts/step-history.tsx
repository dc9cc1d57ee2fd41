"use client";
/**
 * A region's steps (deploy, each weight change, a move back), each with every attempt: when it started and how
 * it ended. Folded unless a step was tried more than once, as after a crash (an interrupted attempt, then one
 * that found its target already held).
 */
import { RelativeTime } from "@/components/regions/relative-time";
import type { StepHistory as Step } from "@/server/services/step-history";
import { attemptWords, stepWords, wasRetried } from "./step-words";

export function StepHistory({ regionId, steps }: { regionId: string; steps: Step[] }) {
  if (steps.length === 0) return null;
  const retried = steps.filter(wasRetried).length;
  return (
    <details open={retried > 0} data-testid={`steps-${regionId}`} className="rounded-md border border-slate-200 px-3 py-2 text-sm">
      <summary className="cursor-pointer text-slate-700 focus-visible:outline-2 focus-visible:outline-sky-600">
        Steps: {steps.length} effect{steps.length === 1 ? "" : "s"}
        {retried > 0 ? <span className="font-medium text-amber-800"> · {retried} tried more than once</span> : null}
      </summary>
      <ol aria-label="Steps" className="mt-2 flex flex-col gap-2">
        {steps.map((step) => (
          <li key={step.key} className="flex flex-col gap-0.5">
            <span className="font-medium text-slate-900">
              {stepWords(step)} <span className="font-normal text-slate-500">· {step.status}</span>
            </span>
            <ol aria-label={`Attempts of ${stepWords(step)}`} className="ml-4 list-decimal text-xs text-slate-600">
              {step.attempts.map((attempt, i) => (
                <li key={`${attempt.startedAt}-${i}`} className={attempt.outcome === "interrupted" ? "text-amber-800" : undefined}>
                  <RelativeTime at={attempt.startedAt} />: {attemptWords(attempt)}
                </li>
              ))}
            </ol>
          </li>
        ))}
      </ol>
    </details>
  );
}

/**
 * The delayed strategy's observation period, observed: a region that succeeded with regions after it keeps
 * being sampled (its now-live release, at 100 %, against the last stage's thresholds, judged by the same
 * `assessSample` as the canary) until `observeUntil`. A breach rolls it back to its previous release (the
 * emergency path) and so blocks the regions after it; the period ending quietly lets the next region start.
 *
 * The region's phase stays `succeeded` meanwhile (its release is live); the rollout stays `running` because the
 * next region has not finished, and the next region does not start before the observation ended.
 */
import { assessSample } from "./analysis";
import { describeCause, formatDuration } from "./messages";
import { event, transition, waitUntil } from "./patches";
import { observationRollbackEffect } from "./requested-actions";
import type { Action, DecideInput, Observation, StageSpec } from "./types";

/** The patch that starts an observation period, for a region that just succeeded (none when it needs none). */
export function observationStart(input: DecideInput): { observeUntil: number; breaches: number; inconclusive: number } | null {
  if (input.strategy !== "delayed" || !input.hasDownstream || input.delayMs <= 0) return null;
  return { observeUntil: input.now + input.delayMs, breaches: 0, inconclusive: 0 };
}

export function decideObservation(input: DecideInput): Action {
  const { state, stages, analysis, now } = input;
  const until = state.observeUntil ?? now;
  const stage = stages[stages.length - 1];
  const since = Math.max(state.lastSampleAt ?? 0, state.finishedAt ?? 0);
  if (stage && input.observation && input.observation.to > since) return judge(input, stage, input.observation);
  const nextSampleAt = since + analysis.intervalMs;
  if (stage && nextSampleAt <= Math.min(now, until)) return { kind: "observe", from: since, to: nextSampleAt };
  if (now < until) return waitUntil(Math.min(nextSampleAt, until));
  const watched = state.finishedAt === null ? "" : ` for ${formatDuration(until - state.finishedAt)}`;
  const unjudged = state.inconclusive > 0 ? ` (${state.inconclusive} of its samples could not be judged)` : "";
  return {
    kind: "transition",
    transition: transition({ observeUntil: null }, [
      event("region.observed", `${state.regionId} was observed${watched} after it succeeded with no breach${unjudged}; the next region may start.`, {
        breaches: state.breaches,
        inconclusive: state.inconclusive,
        until,
      }),
    ]),
  };
}

function judge(input: DecideInput, stage: StageSpec, observation: Observation): Action {
  const { state, analysis } = input;
  // Every window of the observation period is a look of its own: the strict interim level (compare-baseline.ts).
  const assessment = assessSample(stage, analysis, observation, [], { finalLook: false });
  const sample = { lastSampleAt: observation.to, lastVerdict: assessment.verdict };
  if (assessment.verdict === "inconclusive")
    return { kind: "transition", transition: transition({ ...sample, inconclusive: state.inconclusive + 1 }, []), assessment };
  if (assessment.verdict !== "breach") return { kind: "transition", transition: transition(sample, []), assessment };
  const breaches = state.breaches + 1;
  if (breaches >= analysis.failureLimit) return observationRollbackEffect(input, stage, assessment, { ...sample, breaches });
  return {
    kind: "transition",
    transition: transition({ ...sample, breaches }, [
      event(
        "analysis.breach",
        `${state.regionId}: ${describeCause(assessment.cause, stage, state.fromColour)} while it was observed after it succeeded (breach ${breaches}; rollback at ${analysis.failureLimit}).`,
        { cause: assessment.cause, breaches, observation: true },
      ),
    ]),
    assessment,
  };
}

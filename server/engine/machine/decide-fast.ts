/**
 * Fast breach detection between two regular samples (`metrics.fast`): the load balancer's own request and
 * error counters of the new colour since its stage started, read every few hundred ms. They only ever add the
 * breach that rolls back: never a pass, never coverage, never a verdict on latency, CPU or memory (the regular
 * metrics source stays the record). The breach is the same statistics as the regular error-rate verdict: the
 * one-sided lower confidence bound (Clopper–Pearson) of the stage's error rate over the stage's limit. When the
 * old colour's counts breach the same limit, it is left to the regular samples to call an environment problem.
 */
import { formatDuration } from "./messages";
import { rollbackEffect } from "./requested-actions";
import { rateBounds } from "./statistics";
import type { Action, Assessment, CauseItem, DecideInput, EffectResult, Observation, Transition } from "./types";

export type FastCounts = { requests: number; errors: number };

/**
 * What the load balancer counted from `since` to `at`, in the current stage only: the runner reads the base
 * counters just before the stage's traffic move (or, after a restart, at its first read in the stage).
 */
export type FastObservation = { since: number; at: number; canary: FastCounts; baseline: FastCounts | null };

/** Whether fast reads are of use now: a canary stage running with traffic on the new colour. */
export function wantsFastRead(input: Pick<DecideInput, "state">): boolean {
  const { state } = input;
  const rollingBack = (state.rollbackAttempts ?? 0) > 0;
  return (
    state.phase === "canary" &&
    !state.paused &&
    !rollingBack &&
    state.requestedAction === null &&
    state.stageIndex >= 0 &&
    state.stageStartedAt !== null &&
    state.canaryPct > 0
  );
}

/**
 * The rollback, when the stage's counts so far breach its error-rate limit and this breach is the one that
 * reaches `failureLimit`; otherwise null (nothing to do: the regular samples carry on).
 */
export function decideFast(input: DecideInput, fast: FastObservation): Action | null {
  const { state, stages, analysis } = input;
  const stage = stages[state.stageIndex];
  if (!wantsFastRead(input) || !stage || state.stageStartedAt === null) return null;
  if (fast.at <= state.stageStartedAt) return null;
  // A rollback already under way (breaches at the limit) is the regular path's to retry; below the limit, only
  // the breach that reaches it.
  if (state.breaches >= analysis.failureLimit || state.breaches + 1 < analysis.failureLimit) return null;
  const canary = boundsOf(fast.canary, analysis.confidence);
  if (!canary || canary.lower * 100 <= stage.maxErrorRatePct) return null;
  const baseline = fast.baseline ? boundsOf(fast.baseline, analysis.confidence) : null;
  if (baseline && baseline.lower * 100 > stage.maxErrorRatePct) return null;
  const { requests, errors } = fast.canary;
  const cause: CauseItem = {
    metric: "error_rate",
    observed: canary.rate * 100,
    threshold: stage.maxErrorRatePct,
    unit: "%",
    baseline: baseline ? baseline.rate * 100 : null,
    baselineAlsoBreaches: false,
    test: { kind: "bound", scope: "stage", requests, errors, lowerPct: canary.lower * 100, confidence: analysis.confidence },
  };
  const assessment: Assessment = {
    verdict: "breach",
    cause: [cause],
    reasons: [`the load balancer counted ${errors} errors in ${requests} requests on ${state.toColour} since the stage started`],
    judgement: {
      confidence: analysis.confidence,
      errorRate: [{ scope: "stage", requests, errors, ratePct: canary.rate * 100, lowerPct: canary.lower * 100, upperPct: canary.upper * 100 }],
      baseline: null,
      gaps: [],
      environment: false,
    },
  };
  return fromLoadBalancer(rollbackEffect(input, stage, assessment, { breaches: state.breaches + 1, lastVerdict: "breach" }), input.analysis.intervalMs);
}

/** The breach event says where its counts come from, so nobody looks for the Prometheus sample that caught it. */
function fromLoadBalancer(action: Action, intervalMs: number): Action {
  if (action.kind !== "effect") return action;
  const words = (t: Transition): Transition => ({
    ...t,
    events: t.events.map((e) =>
      e.type === "analysis.breach"
        ? {
            ...e,
            message: e.message.replace(
              /; rolling back/,
              ` (the load balancer's own counters, read between two ${formatDuration(intervalMs)} samples); rolling back`,
            ),
            data: { ...e.data, source: "load-balancer" },
          }
        : e,
    ),
  });
  const { onSuccess } = action;
  return {
    ...action,
    onSuccess: typeof onSuccess === "function" ? (result: EffectResult) => words(onSuccess(result)) : words(onSuccess),
    onFailure: (message) => words(action.onFailure(message)),
  };
}

/** The fast read as a sample to store with its verdict (counts only: no latency, CPU or memory). */
export function fastObservationOf(fast: FastObservation): Observation {
  const measurement = (c: FastCounts) => ({
    requests: c.requests,
    errors: c.errors,
    errorRatePct: c.requests > 0 ? (c.errors * 100) / c.requests : null,
    latencyP95Ms: null,
  });
  return { from: fast.since, to: fast.at, canary: measurement(fast.canary), baseline: fast.baseline ? measurement(fast.baseline) : null };
}

function boundsOf(c: FastCounts, confidence: number) {
  return c.requests > 0 && c.errors >= 0 && c.errors <= c.requests ? rateBounds(c.errors, c.requests, confidence) : null;
}

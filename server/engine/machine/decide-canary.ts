/**
 * The canary: move traffic stage by stage, sample the new colour every interval, judge each sample, and
 * complete a stage only when its time is up and its last sample passed. The window of a sample runs from the
 * previous sample, so after a restart the downtime is judged before anything is promoted.
 */
import { assessSample } from "./analysis";
import { describeCause, formatDuration, formatValue, joinWords, stageName } from "./messages";
import { event, pausePatch, SETTLED, transition, waitUntil } from "./patches";
import { rollbackEffect } from "./requested-actions";
import type { Action, Assessment, DecideInput, EventDraft, Observation, RegionRolloutState, StageSpec } from "./types";

export function decideCanary(input: DecideInput): Action {
  const { state, stages, analysis, now } = input;
  if (state.stageIndex < 0) return startStage(input, 0, []);
  const stage = stages[state.stageIndex];
  if (!stage) {
    return { kind: "transition", transition: transition(pausePatch(state, now, `stage ${state.stageIndex + 1} is not in this rollout's plan (it has ${stages.length} stages)`), []) };
  }
  // Breaches already at the limit: a rollback whose traffic move failed earlier is tried again.
  if (state.breaches >= analysis.failureLimit) return rollbackEffect(input, stage, null, {});

  const since = state.lastSampleAt ?? state.stageStartedAt ?? now;
  if (input.observation && input.observation.to > since) return judge(input, stage, input.observation);
  const nextSampleAt = since + analysis.intervalMs;
  if (now >= nextSampleAt) return { kind: "observe", from: since, to: now };

  const deadline = state.deadlineAt;
  const complete = deadline !== null && now >= deadline && state.lastVerdict === "pass" && state.lastSampleAt !== null && state.stageStartedAt !== null && state.lastSampleAt >= state.stageStartedAt;
  if (complete) {
    const passed = stagePassed(state, stage, now);
    const next = state.stageIndex + 1;
    return next < stages.length ? startStage(input, next, [passed]) : succeed(input, passed);
  }
  // Time is up but the last sample did not pass: the stage holds until one does.
  return waitUntil(deadline !== null && deadline > now ? Math.min(nextSampleAt, deadline) : nextSampleAt);
}

/** Move traffic to a stage's percent; the stage's clock starts once the provider verified the weight. */
function startStage(input: DecideInput, index: number, before: EventDraft[]): Action {
  const { state, stages, now } = input;
  const stage = stages[index];
  const limits = [`error rate ≤ ${formatValue(stage.maxErrorRatePct, "%")}`, `p95 latency ≤ ${formatValue(stage.maxLatencyP95Ms, "ms")}`];
  if (stage.maxCpuPct != null) limits.push(`CPU ≤ ${formatValue(stage.maxCpuPct, "%")}`);
  if (stage.maxMemoryPct != null) limits.push(`memory ≤ ${formatValue(stage.maxMemoryPct, "%")}`);
  if (stage.healthStatus != null) limits.push(`health ${stage.healthStatus}`);
  return {
    kind: "effect",
    stepKey: `${state.id}/a${state.attempt}/stage-${index}/weight-${stage.percent}`,
    effect: { kind: "setWeight", colour: state.toColour, canaryPct: stage.percent, reason: "stage" },
    onSuccess: transition(
      {
        stageIndex: index,
        stageStartedAt: now,
        deadlineAt: now + stage.durationMs,
        pausedRemainingMs: null,
        canaryPct: stage.percent,
        breaches: 0,
        inconclusive: 0,
        lastSampleAt: null,
        lastVerdict: null,
      },
      [
        ...before,
        event("stage.started", `${state.regionId}: ${stage.percent} % of traffic on ${state.toColour} for ${formatDuration(stage.durationMs)} (${joinWords(limits)}).`, {
          stageIndex: index,
          percent: stage.percent,
          durationMs: stage.durationMs,
        }),
      ],
    ),
    onFailure: (message) =>
      transition(pausePatch(state, now, `traffic could not be moved to ${stage.percent} % on ${state.toColour} (${message}); it stands at ${state.canaryPct} %`), [
        ...before,
        event("traffic.failed", `${state.regionId}: traffic could not be moved to ${stage.percent} % on ${state.toColour} (${message}); it stands at ${state.canaryPct} %. Paused; resume to try again.`, {
          stageIndex: index,
          percent: stage.percent,
          canaryPct: state.canaryPct,
          error: message,
          alert: true,
        }),
      ]),
  };
}

function stagePassed(state: RegionRolloutState, stage: StageSpec, now: number): EventDraft {
  const took = state.stageStartedAt === null ? "" : ` after ${formatDuration(now - state.stageStartedAt)}`;
  return event("stage.passed", `${state.regionId} passed the ${stage.percent} % stage${took}.`, { stageIndex: state.stageIndex, percent: stage.percent });
}

function succeed(input: DecideInput, passed: EventDraft): Action {
  const { state, stages, now } = input;
  const reason = `all ${stages.length} stages passed; ${state.toColour} is live`;
  return {
    kind: "transition",
    transition: transition({ ...SETTLED, phase: "succeeded", finishedAt: now, outcomeReason: reason }, [
      passed,
      event("region.succeeded", `${state.regionId} succeeded: ${reason}.`, { colour: state.toColour }),
    ]),
  };
}

function judge(input: DecideInput, stage: StageSpec, observation: Observation): Action {
  const { state, analysis, now } = input;
  const assessment = assessSample(stage, analysis, observation);
  const sample: Partial<RegionRolloutState> = { lastSampleAt: observation.to, lastVerdict: assessment.verdict };
  const at = `at the ${stageName(stage, state.stageIndex)}`;

  if (assessment.verdict === "pass") return judged(transition({ ...sample, inconclusive: 0 }, []), assessment);

  if (assessment.verdict === "inconclusive") {
    const inconclusive = state.inconclusive + 1;
    const why = assessment.gaps.join("; ");
    const events = [event("analysis.inconclusive", `${state.regionId}: sample ${at} is inconclusive (${why}); ${inconclusive} of ${analysis.inconclusiveLimit} in a row.`, { stageIndex: state.stageIndex, percent: stage.percent, reasons: assessment.reasons, inconclusive })];
    if (inconclusive < analysis.inconclusiveLimit) return judged(transition({ ...sample, inconclusive }, events), assessment);
    const reason = `${inconclusive} inconclusive samples in a row ${at} (${why}); the stage holds until someone looks`;
    events.push(event("analysis.inconclusive_limit", `${state.regionId}: ${reason}. Paused with ${state.canaryPct} % of traffic on ${state.toColour}.`, { stageIndex: state.stageIndex, percent: stage.percent, inconclusive, alert: true }));
    return judged(transition({ ...sample, inconclusive, ...pausePatch(state, now, reason) }, events), assessment);
  }

  const breaches = state.breaches + 1;
  const withBreach = { ...sample, breaches, inconclusive: 0 };
  if (breaches >= analysis.failureLimit) return rollbackEffect(input, stage, assessment, withBreach);
  const what = describeCause(assessment.cause, stage, state.fromColour);
  return judged(
    transition(withBreach, [
      event("analysis.breach", `${state.regionId}: ${what} (breach ${breaches}; rollback at ${analysis.failureLimit}).`, { stageIndex: state.stageIndex, percent: stage.percent, cause: assessment.cause, breaches }),
    ]),
    assessment,
  );
}

function judged(t: ReturnType<typeof transition>, assessment: Assessment): Action {
  return { kind: "transition", transition: t, assessment };
}

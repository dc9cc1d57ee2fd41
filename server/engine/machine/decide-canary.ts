/**
 * The canary: move traffic stage by stage, sample the new colour every interval, judge each sample with the
 * stage's earlier ones, and complete a stage only when its time is up, enough of it was judged
 * (`minJudgedFraction` of its expected samples) and its last sample passed. Otherwise the stage runs on one
 * interval at a time, up to `maxExtensionFactor` × its duration, then pauses with an alert that says what went
 * unjudged and why. The window of a sample runs from the previous sample, so after a restart the downtime is
 * judged before anything is promoted.
 */
import { assessSample } from "./analysis";
import { coverageMet, describeCoverage, stageCoverage, type Coverage } from "./coverage";
import { describeCause, formatDuration, formatValue, joinWords, stageName } from "./messages";
import { event, pausePatch, SETTLED, transition, waitUntil } from "./patches";
import { rollbackEffect } from "./requested-actions";
import { holdForFreeze } from "./freeze-hold";
import type { Action, Assessment, DecideInput, EventDraft, Observation, RegionRolloutState, StageSample, StageSpec } from "./types";

export function decideCanary(input: DecideInput): Action {
  const { state, stages, analysis, now } = input;
  if (state.stageIndex < 0) return holdForFreeze(input, `the ${stages[0]?.percent ?? 0} % stage`, null) ?? startStage(input, 0, []);
  const stage = stages[state.stageIndex];
  if (!stage) {
    return {
      kind: "transition",
      transition: transition(pausePatch(state, now, `stage ${state.stageIndex + 1} is not in this rollout's plan (it has ${stages.length} stages)`), []),
    };
  }
  // Breaches already at the limit: a rollback whose traffic move failed earlier is tried again.
  if (state.breaches >= analysis.failureLimit) return rollbackEffect(input, stage, null, {});

  const since = state.lastSampleAt ?? state.stageStartedAt ?? now;
  if (input.observation && input.observation.to > since) return judge(input, stage, input.observation);
  const nextSampleAt = since + analysis.intervalMs;
  if (now >= nextSampleAt) return { kind: "observe", from: since, to: Math.min(now, since + analysis.intervalMs) };

  const deadline = state.deadlineAt;
  if (deadline !== null && now < deadline) return waitUntil(Math.min(nextSampleAt, deadline));
  const sampled = state.lastSampleAt !== null && state.stageStartedAt !== null && state.lastSampleAt > state.stageStartedAt;
  if (deadline === null || !sampled) return waitUntil(nextSampleAt);
  const coverage = stageCoverage(stage, analysis, samplesOfStage(input));
  // A person's promotion waives the coverage of the rest of the stage, never a last sample that did not pass.
  const promoted = state.promotedAt != null && state.promotedAt >= (state.stageStartedAt ?? Infinity);
  if (state.lastVerdict === "pass" && (promoted || coverageMet(coverage))) {
    const passed = stagePassed(state, stage, now);
    const next = state.stageIndex + 1;
    if (next >= stages.length) return succeed(input, passed);
    // A freeze holds the traffic where it is; the stage is sampled on, so a breach still rolls back.
    return holdForFreeze(input, `the ${stages[next].percent} % stage`, nextSampleAt) ?? startStage(input, next, [passed]);
  }
  return extendOrPause(input, stage, coverage, nextSampleAt);
}

/** A window that ended an interval or more ago: missed while nobody sampled, so replayed from the metrics store's history. */
export function isPastWindow(to: number, now: number, intervalMs: number): boolean {
  return now - to >= intervalMs;
}

/** The current stage's judged samples, oldest first (the store may hand over older ones: they are left out). */
export function samplesOfStage(input: DecideInput): StageSample[] {
  const { stageStartedAt } = input.state;
  if (stageStartedAt === null) return [];
  return (input.stageSamples ?? []).filter((s) => s.takenAt > stageStartedAt);
}

/**
 * Time is up but the stage is not judged enough, or its last sample did not pass: one more interval, while the
 * extension lasts (`maxExtensionFactor` × the duration; a resume gives a fresh one); then pause with an alert.
 */
function extendOrPause(input: DecideInput, stage: StageSpec, coverage: Coverage, nextSampleAt: number): Action {
  const { state, analysis, now } = input;
  const extended = state.extendedMs ?? 0;
  const budget = Math.round(analysis.maxExtensionFactor * stage.durationMs);
  const name = stageName(stage, state.stageIndex);
  const last = state.lastVerdict === "pass" ? "" : `; its last sample was ${state.lastVerdict === "breach" ? "a breach" : "inconclusive"}`;
  const why = coverageMet(coverage)
    ? `its last sample was ${state.lastVerdict === "breach" ? "a breach" : "inconclusive"}`
    : `${describeCoverage(coverage)}${last}`;
  const data = {
    stageIndex: state.stageIndex,
    percent: stage.percent,
    expected: coverage.expected,
    judged: coverage.judged,
    needed: coverage.needed,
    inconclusive: coverage.inconclusive,
    byGap: coverage.byGap,
  };
  if (extended < budget) {
    const step = Math.max(1, nextSampleAt - now);
    const events =
      extended === 0
        ? [
            event(
              "stage.extended",
              `${state.regionId}: the ${name} runs on past its ${formatDuration(stage.durationMs)}, one sample at a time for at most ${formatDuration(budget)}: ${why}.`,
              { ...data, maxExtensionMs: budget },
            ),
          ]
        : [];
    return { kind: "transition", transition: transition({ deadlineAt: now + step, extendedMs: extended + step }, events) };
  }
  const reason = `the ${name} ran ${formatDuration(extended)} past its ${formatDuration(stage.durationMs)} and is still not judged: ${why}`;
  return {
    kind: "transition",
    transition: transition({ ...pausePatch(state, now, reason), pausedRemainingMs: 0 }, [
      event(
        "analysis.unjudged",
        `${state.regionId}: ${reason}. Paused with ${state.canaryPct} % of traffic on ${state.toColour}; resume to give it another ${formatDuration(budget)} once the metrics are fixed, or roll back.`,
        {
          ...data,
          extendedMs: extended,
          alert: true,
        },
      ),
    ]),
  };
}

/** Move traffic to a stage's percent; the stage's clock starts once the provider verified the weight. */
function startStage(input: DecideInput, index: number, before: EventDraft[]): Action {
  const { state, stages, now } = input;
  const stage = stages[index];
  const limits = [`error rate ≤ ${formatValue(stage.maxErrorRatePct, "%")}`, `p95 latency ≤ ${formatValue(stage.maxLatencyP95Ms, "ms")}`];
  if (stage.maxCpuPct != null) limits.push(`CPU < ${formatValue(stage.maxCpuPct, "%")}`);
  if (stage.maxMemoryPct != null) limits.push(`memory < ${formatValue(stage.maxMemoryPct, "%")}`);
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
        extendedMs: 0,
        promotedAt: null,
        canaryPct: stage.percent,
        breaches: 0,
        inconclusive: 0,
        lastSampleAt: null,
        lastVerdict: null,
      },
      [
        ...before,
        event(
          "stage.started",
          `${state.regionId}: ${stage.percent} % of traffic on ${state.toColour} for ${formatDuration(stage.durationMs)} (${joinWords(limits)}).`,
          {
            stageIndex: index,
            percent: stage.percent,
            durationMs: stage.durationMs,
          },
        ),
      ],
    ),
    onFailure: (message) =>
      transition(
        pausePatch(state, now, `traffic could not be moved to ${stage.percent} % on ${state.toColour} (${message}); it stands at ${state.canaryPct} %`),
        [
          ...before,
          event(
            "traffic.failed",
            `${state.regionId}: traffic could not be moved to ${stage.percent} % on ${state.toColour} (${message}); it stands at ${state.canaryPct} %. Paused; resume to try again.`,
            {
              stageIndex: index,
              percent: stage.percent,
              canaryPct: state.canaryPct,
              error: message,
              alert: true,
            },
          ),
        ],
      ),
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
  // The tests against the old colour take an interim look until the stage's time is up (compare-baseline.ts).
  const finalLook = state.deadlineAt === null || observation.to >= state.deadlineAt;
  const assessment = assessSample(stage, analysis, observation, samplesOfStage(input), { finalLook });
  const sample: Partial<RegionRolloutState> = { lastSampleAt: observation.to, lastVerdict: assessment.verdict };
  const at = `at the ${stageName(stage, state.stageIndex)}`;

  if (assessment.verdict === "pass") return judged(transition({ ...sample, inconclusive: 0 }, []), assessment);

  if (assessment.judgement.environment) {
    const what = describeCause(assessment.cause, undefined, state.fromColour);
    const reason = `environment problem ${at}: ${what}, and ${state.toColour} is not significantly worse than ${state.fromColour}; the release is not blamed`;
    return judged(
      transition({ ...sample, ...pausePatch(state, now, reason) }, [
        event(
          "analysis.environment_problem",
          `${state.regionId}: ${reason}. Paused with ${state.canaryPct} % of traffic on ${state.toColour}, nothing rolled back; resume once the environment is healthy, or roll back.`,
          {
            stageIndex: state.stageIndex,
            percent: stage.percent,
            cause: assessment.cause,
            alert: true,
          },
        ),
      ]),
      assessment,
    );
  }

  if (assessment.verdict === "inconclusive") {
    // Waiting for evidence (the window had its data, the stage so far is too small to bound the error rate) is
    // bounded by the stage's coverage and extension; it ends a run of samples with data missing. A past window
    // replayed from history (after a restart or a resume) that has no data is unjudged, as coverage counts, but
    // neither adds to nor ends the run: whether the metrics are missing now is for the live samples to say. Except
    // when the store could not be read at all (down, too slow, garbage): that is about now, and a store slower than
    // the interval leaves only past windows, so such a window adds to the run like a live one.
    const missing = assessment.gapKinds.some((k) => k !== "undecided");
    const replayed = isPastWindow(observation.to, now, analysis.intervalMs);
    const counted = missing && (!replayed || assessment.gapKinds.includes("metrics_error"));
    const inconclusive = counted ? state.inconclusive + 1 : missing ? state.inconclusive : 0;
    const why = assessment.gaps.join("; ");
    const run = counted
      ? `; ${inconclusive} of ${analysis.inconclusiveLimit} in a row${replayed ? " (a past window, replayed)" : ""}`
      : replayed
        ? " (a past window, replayed)"
        : "";
    const events: EventDraft[] = [
      event("analysis.inconclusive", `${state.regionId}: sample ${at} is inconclusive (${why})${run}.`, {
        stageIndex: state.stageIndex,
        percent: stage.percent,
        reasons: assessment.reasons,
        gaps: assessment.gapKinds,
        inconclusive,
      }),
    ];
    if (!counted || inconclusive < analysis.inconclusiveLimit) return judged(transition({ ...sample, inconclusive }, events), assessment);
    const reason = `${inconclusive} inconclusive samples in a row ${at} (${why}); the stage holds until someone looks`;
    events.push(
      event("analysis.inconclusive_limit", `${state.regionId}: ${reason}. Paused with ${state.canaryPct} % of traffic on ${state.toColour}.`, {
        stageIndex: state.stageIndex,
        percent: stage.percent,
        inconclusive,
        alert: true,
      }),
    );
    return judged(transition({ ...sample, inconclusive, ...pausePatch(state, now, reason) }, events), assessment);
  }

  const breaches = state.breaches + 1;
  const withBreach = { ...sample, breaches, inconclusive: 0 };
  if (breaches >= analysis.failureLimit) return rollbackEffect(input, stage, assessment, withBreach);
  const what = describeCause(assessment.cause, stage, state.fromColour);
  return judged(
    transition(withBreach, [
      event("analysis.breach", `${state.regionId}: ${what} (breach ${breaches}; rollback at ${analysis.failureLimit}).`, {
        stageIndex: state.stageIndex,
        percent: stage.percent,
        cause: assessment.cause,
        breaches,
      }),
    ]),
    assessment,
  );
}

function judged(t: ReturnType<typeof transition>, assessment: Assessment): Action {
  return { kind: "transition", transition: t, assessment };
}

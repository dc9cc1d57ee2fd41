/**
 * Moving traffic back to the old colour: the automatic rollback on a breach, a person's abort or rollback during
 * the canary, the emergency rollback of a region that already succeeded, and the rollback of a region whose
 * observation period found a breach. Each is a verified setWeight to 0 % under its own step key. A move that
 * fails is tried again with backoff until the provider verifies it (rollback-retry.ts): a rollback that did not
 * happen never looks like one that did, and never waits for a person.
 */
import type { EmergencyRollbackData, MoveBackData, ObservationRollbackData } from "./events";
import { describeCause, stageName } from "./messages";
import { event, SETTLED, transition, waitUntil } from "./patches";
import { failedRollbackTries, moveBackStepKey, rollbackTryFailed } from "./rollback-retry";
import type { Action, Assessment, DecideInput, RegionRolloutState, StageSpec, Transition } from "./types";

/** Carries out the request stored by the abort or rollback command (even when the region is paused). */
export function carryOutRequest(input: DecideInput): Action {
  const { state, now } = input;
  const by = state.requestedBy ?? "someone";
  if (state.requestedAction !== null && state.phase === "canary") return canaryMoveBackEffect(input, by, state.requestedAction);
  if (state.requestedAction === "rollback" && state.phase === "succeeded") return emergencyRollbackEffect(input, by);
  if (state.requestedAction === "abort" && (state.phase === "pending" || state.phase === "awaiting_approval" || state.phase === "deploying")) {
    const reason = `aborted by ${by} before any traffic moved`;
    return {
      kind: "transition",
      transition: transition({ ...SETTLED, phase: "aborted", finishedAt: now, outcomeReason: reason }, [
        event("region.aborted", `${state.regionId} ${reason}.`, { actor: by }),
      ]),
    };
  }
  // The region moved on (it finished) before the request was carried out: nothing left to do.
  return { kind: "transition", transition: transition({ requestedAction: null, requestedBy: null }, []) };
}

/**
 * A move back that failed before: wait for its next try, then make it again. Nothing else happens in the
 * region meanwhile, paused or not.
 */
export function retryMoveBack(input: DecideInput): Action {
  const { state, stages, now } = input;
  if (state.rollbackNextAt != null && now < state.rollbackNextAt) return waitUntil(state.rollbackNextAt);
  if (state.requestedAction !== null) return carryOutRequest(input);
  const stage = stages[state.stageIndex] ?? stages[stages.length - 1];
  if (stage && state.phase === "canary") return rollbackEffect(input, stage, null, {});
  if (stage && state.phase === "succeeded") return observationRollbackEffect(input, stage, null, {});
  // Nothing is left to move back (the region finished another way): forget the tries.
  return { kind: "transition", transition: transition({ ...SETTLED, phase: state.phase }, []) };
}

/** A failed try, with the events that go before it (the breach that called for the rollback). */
function failed(
  state: RegionRolloutState,
  now: number,
  message: string,
  before: Transition["events"],
  words: Parameters<typeof rollbackTryFailed>[3],
): Transition {
  const t = rollbackTryFailed(state, now, message, words);
  return transition(t.patch, [...before, ...t.events]);
}

/**
 * The automatic rollback after breaches reached the failure limit. `samplePatch` records the sample that
 * breached in both outcomes; with no assessment (a retried rollback) the stored cause is used.
 */
export function rollbackEffect(input: DecideInput, stage: StageSpec, assessment: Assessment | null, samplePatch: Partial<RegionRolloutState>): Action {
  const { state, now } = input;
  const cause = assessment?.cause ?? state.cause ?? [];
  const why = describeCause(cause, stage, state.fromColour);
  const data = { stageIndex: state.stageIndex, percent: stage.percent, cause };
  const breach = assessment ? [event("analysis.breach", `${state.regionId}: ${why}; rolling back to ${state.fromColour}.`, data)] : [];
  return {
    kind: "effect",
    stepKey: moveBackStepKey(state, "rollback"),
    effect: { kind: "setWeight", colour: state.toColour, canaryPct: 0, reason: "rollback" },
    onSuccess: transition({ ...samplePatch, ...SETTLED, phase: "rolled_back", canaryPct: 0, finishedAt: now, cause, outcomeReason: why }, [
      ...breach,
      event("region.rolled_back", `${state.regionId} rolled back: 100 % of traffic is on ${state.fromColour} again after ${why}${tries(state)}.`, data),
    ]),
    onFailure: (message) =>
      failed(state, now, message, breach, {
        stuck: `rollback failed: traffic could not be moved back to ${state.fromColour}`,
        data,
        patch: { ...samplePatch, cause },
      }),
    ...(assessment ? { assessment } : {}),
  };
}

/**
 * The observation period of a region that succeeded (delayed strategy) found a breach: the emergency path,
 * 100 % back on the old colour, which still holds the previous release. The regions after it are then blocked.
 */
export function observationRollbackEffect(
  input: DecideInput,
  stage: StageSpec,
  assessment: Assessment | null,
  samplePatch: Partial<RegionRolloutState>,
): Action {
  const { state, now } = input;
  const cause = assessment?.cause ?? state.cause ?? [];
  const why = describeCause(cause, stage, state.fromColour);
  const data: ObservationRollbackData = { stageIndex: state.stageIndex, percent: stage.percent, cause, observation: true };
  const breach = assessment
    ? [
        event(
          "analysis.breach",
          `${state.regionId}: ${why} while it was observed after it succeeded; rolling back to ${state.fromColour}, the previous release.`,
          data,
        ),
      ]
    : [];
  const reason = `rolled back during its observation period after ${why}; 100 % of traffic is back on ${state.fromColour}, the previous release`;
  return {
    kind: "effect",
    stepKey: moveBackStepKey(state, "observation-rollback"),
    effect: { kind: "setWeight", colour: state.toColour, canaryPct: 0, reason: "rollback" },
    onSuccess: transition({ ...samplePatch, ...SETTLED, phase: "rolled_back", canaryPct: 0, finishedAt: now, cause, outcomeReason: reason }, [
      ...breach,
      event("region.rolled_back", `${state.regionId} ${reason}${tries(state)}.`, data),
    ]),
    onFailure: (message) =>
      failed(state, now, message, breach, {
        stuck: `rollback during the observation period failed: traffic could not be moved back to ${state.fromColour}`,
        data,
        patch: { ...samplePatch, cause },
      }),
    ...(assessment ? { assessment } : {}),
  };
}

/** " (after 4 tries)" once a rollback needed more than one. */
function tries(state: RegionRolloutState): string {
  const failures = failedRollbackTries(state);
  return failures > 0 ? ` (after ${failures + 1} tries)` : "";
}

/**
 * A person's abort or rollback during the canary: the same verified move of all traffic back to the old colour,
 * ending the region aborted (stopped) or rolled back (the release judged bad). On failure the request stays and
 * is tried again until the move is verified.
 */
function canaryMoveBackEffect(input: DecideInput, by: string, how: "abort" | "rollback"): Action {
  const { state, stages, now } = input;
  const stage = state.stageIndex >= 0 ? stages[state.stageIndex] : undefined;
  const at = stage ? ` at the ${stageName(stage, state.stageIndex)}` : "";
  // "(manual)": a person's decision, not a breach the engine found (docs/glossary.md).
  const done = how === "abort" ? "aborted" : "rolled back";
  const reason = `${done} by ${by}${how === "rollback" ? " (manual)" : ""}${at}; 100 % of traffic is back on ${state.fromColour}`;
  const data: MoveBackData =
    how === "abort" ? { actor: by, stageIndex: state.stageIndex } : { actor: by, manual: true, stageIndex: state.stageIndex, percent: stage?.percent ?? null };
  return {
    kind: "effect",
    stepKey: moveBackStepKey(state, how),
    effect: { kind: "setWeight", colour: state.toColour, canaryPct: 0, reason: how },
    onSuccess: transition({ ...SETTLED, phase: how === "abort" ? "aborted" : "rolled_back", canaryPct: 0, finishedAt: now, outcomeReason: reason }, [
      event(how === "abort" ? "region.aborted" : "region.rolled_back", `${state.regionId} ${reason}${tries(state)}.`, data),
    ]),
    onFailure: (message) => failed(state, now, message, [], { stuck: `${how} by ${by} failed: traffic could not be moved back to ${state.fromColour}`, data }),
  };
}

/** Emergency rollback of a region that succeeded: 100 % back on the old colour, which still holds the previous release. */
function emergencyRollbackEffect(input: DecideInput, by: string): Action {
  const { state, now } = input;
  const reason = `emergency rollback by ${by}: 100 % of traffic is back on ${state.fromColour}, the previous release`;
  const data: EmergencyRollbackData = { actor: by, emergency: true };
  return {
    kind: "effect",
    stepKey: moveBackStepKey(state, "emergency-rollback"),
    effect: { kind: "setWeight", colour: state.toColour, canaryPct: 0, reason: "rollback" },
    onSuccess: transition({ ...SETTLED, phase: "rolled_back", canaryPct: 0, finishedAt: now, outcomeReason: reason }, [
      event("region.rolled_back", `${state.regionId}: ${reason}${tries(state)}.`, data),
    ]),
    onFailure: (message) =>
      failed(state, now, message, [], { stuck: `emergency rollback by ${by} failed: traffic could not be moved back to ${state.fromColour}`, data }),
  };
}

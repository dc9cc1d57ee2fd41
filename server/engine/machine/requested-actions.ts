/**
 * Moving traffic back to the old colour: the automatic rollback on a breach, a person's abort during the
 * canary, and the emergency rollback of a region that already succeeded. Each is a verified setWeight to 0 %
 * under its own step key; when the move fails the region stays where it is, paused, with a reason that says
 * where traffic stands, because a rollback that did not happen must never look like one that did.
 */
import { describeCause, stageName } from "./messages";
import { event, pausePatch, SETTLED, transition } from "./patches";
import type { Action, Assessment, DecideInput, RegionRolloutState, StageSpec } from "./types";

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
      transition: transition({ ...SETTLED, phase: "aborted", finishedAt: now, outcomeReason: reason }, [event("region.aborted", `${state.regionId} ${reason}.`, { actor: by })]),
    };
  }
  // The region moved on (it finished) before the request was carried out: nothing left to do.
  return { kind: "transition", transition: transition({ requestedAction: null, requestedBy: null }, []) };
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
  const stuck = `rollback failed: traffic could not be moved back to ${state.fromColour}`;
  return {
    kind: "effect",
    stepKey: `${state.id}/a${state.attempt}/rollback`,
    effect: { kind: "setWeight", colour: state.toColour, canaryPct: 0, reason: "rollback" },
    onSuccess: transition({ ...samplePatch, ...SETTLED, phase: "rolled_back", canaryPct: 0, finishedAt: now, cause, outcomeReason: why }, [
      ...breach,
      event("region.rolled_back", `${state.regionId} rolled back: 100 % of traffic is on ${state.fromColour} again after ${why}.`, data),
    ]),
    onFailure: (message) =>
      transition({ ...samplePatch, cause, ...pausePatch(state, now, `${stuck} (${message}); ${state.canaryPct} % of traffic is still on ${state.toColour}`) }, [
        ...breach,
        event("traffic.failed", `${state.regionId}: ${stuck} (${message}); ${state.canaryPct} % of traffic is still on ${state.toColour}. Paused; resume to try the rollback again.`, {
          ...data,
          canaryPct: state.canaryPct,
          error: message,
          alert: true,
        }),
      ]),
    ...(assessment ? { assessment } : {}),
  };
}

/**
 * A person's abort or rollback during the canary: the same verified move of all traffic back to the old colour,
 * ending the region aborted (stopped) or rolled back (the release judged bad). On failure the request is cleared
 * (so the runner does not retry in a tight loop) and the reason tells the person to ask again.
 */
function canaryMoveBackEffect(input: DecideInput, by: string, how: "abort" | "rollback"): Action {
  const { state, stages, now } = input;
  const stage = state.stageIndex >= 0 ? stages[state.stageIndex] : undefined;
  const at = stage ? ` at the ${stageName(stage, state.stageIndex)}` : "";
  const done = how === "abort" ? "aborted" : "rolled back";
  const reason = `${done} by ${by}${at}; 100 % of traffic is back on ${state.fromColour}`;
  const stuck = `${how} by ${by} failed: traffic could not be moved back to ${state.fromColour}`;
  const again = how === "abort" ? "Abort again to retry" : "Roll back again to retry";
  const data = how === "abort" ? { actor: by, stageIndex: state.stageIndex } : { actor: by, manual: true, stageIndex: state.stageIndex, percent: stage?.percent ?? null };
  return {
    kind: "effect",
    stepKey: `${state.id}/a${state.attempt}/${how}`,
    effect: { kind: "setWeight", colour: state.toColour, canaryPct: 0, reason: how },
    onSuccess: transition({ ...SETTLED, phase: how === "abort" ? "aborted" : "rolled_back", canaryPct: 0, finishedAt: now, outcomeReason: reason }, [
      event(how === "abort" ? "region.aborted" : "region.rolled_back", `${state.regionId} ${reason}.`, data),
    ]),
    onFailure: (message) =>
      transition({ requestedAction: null, requestedBy: null, ...pausePatch(state, now, `${stuck} (${message}); ${state.canaryPct} % of traffic is still on ${state.toColour}; ${again.toLowerCase()}`) }, [
        event("traffic.failed", `${state.regionId}: ${stuck} (${message}); ${state.canaryPct} % of traffic is still on ${state.toColour}. ${again}.`, {
          actor: by,
          canaryPct: state.canaryPct,
          error: message,
          alert: true,
        }),
      ]),
  };
}

/** Emergency rollback of a region that succeeded: 100 % back on the old colour, which still holds the previous release. */
function emergencyRollbackEffect(input: DecideInput, by: string): Action {
  const { state, now } = input;
  const reason = `emergency rollback by ${by}: 100 % of traffic is back on ${state.fromColour}, the previous release`;
  const stuck = `emergency rollback by ${by} failed: traffic could not be moved back to ${state.fromColour}`;
  return {
    kind: "effect",
    stepKey: `${state.id}/a${state.attempt}/emergency-rollback`,
    effect: { kind: "setWeight", colour: state.toColour, canaryPct: 0, reason: "rollback" },
    onSuccess: transition({ ...SETTLED, phase: "rolled_back", canaryPct: 0, finishedAt: now, outcomeReason: reason }, [
      event("region.rolled_back", `${state.regionId}: ${reason}.`, { actor: by, emergency: true }),
    ]),
    onFailure: (message) =>
      transition({ requestedAction: null, requestedBy: null, paused: true, pauseReason: `${stuck} (${message}); ${state.canaryPct} % of traffic is still on ${state.toColour}; roll back again to retry` }, [
        event("traffic.failed", `${state.regionId}: ${stuck} (${message}); ${state.canaryPct} % of traffic is still on ${state.toColour}. Roll back again to retry.`, {
          actor: by,
          emergency: true,
          canaryPct: state.canaryPct,
          error: message,
          alert: true,
        }),
      ]),
  };
}

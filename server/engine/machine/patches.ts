/** Small builders shared by decide and the commands: actions, events, and the patches several paths use. */
import type { Action, EventDraft, RegionRolloutState, Transition } from "./types";

export const WAIT_FOR_COMMAND: Action = { kind: "wait", until: null };

export function waitUntil(until: number | null): Action {
  return { kind: "wait", until };
}

export function event(type: string, message: string, data?: Record<string, unknown>): EventDraft {
  return data ? { type, message, data } : { type, message };
}

export function transition(patch: Partial<RegionRolloutState>, events: EventDraft[]): Transition {
  return { patch, events };
}

/**
 * Pause and keep what is left of the current wait, so a resume gives the stage its remaining time rather
 * than a fresh one. Already paused: the stored remainder stays.
 */
export function pausePatch(state: RegionRolloutState, now: number, reason: string): Partial<RegionRolloutState> {
  return {
    paused: true,
    pauseReason: reason,
    pausedRemainingMs: state.deadlineAt === null ? state.pausedRemainingMs : Math.max(0, state.deadlineAt - now),
    deadlineAt: null,
  };
}

/** Everything a finished region no longer waits for. */
export const SETTLED: Partial<RegionRolloutState> = {
  paused: false,
  pauseReason: null,
  deadlineAt: null,
  pausedRemainingMs: null,
  requestedAction: null,
  requestedBy: null,
};

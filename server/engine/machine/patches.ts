/** Small builders shared by decide and the commands: actions, events, and the patches several paths use. */
import type { EventDataMap, EventOf, EventType } from "./events";
import type { Action, EffectResult, EventDraft, RegionRolloutState, Transition } from "./types";

export const WAIT_FOR_COMMAND: Action = { kind: "wait", until: null };

export function waitUntil(until: number | null): Action {
  return { kind: "wait", until };
}

/** One event, checked against the union in ./events.ts: its data must be the data of its type. */
export function event<K extends EventType>(type: K, message: string, data: EventDataMap[K]): EventOf<K> {
  return { type, message, data } as EventOf<K>;
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

/** No failed try of a move back to the old colour (see rollback-retry.ts). */
export const NO_ROLLBACK_RETRY: Partial<RegionRolloutState> = {
  rollbackAttempts: 0,
  rollbackNextAt: null,
  rollbackLastError: null,
  rollbackFirstFailedAt: null,
  rollbackLastAlertAt: null,
};

/** Everything a finished region no longer waits for (a region that succeeds gets its observation period after this). */
export const SETTLED: Partial<RegionRolloutState> = {
  paused: false,
  pauseReason: null,
  deadlineAt: null,
  pausedRemainingMs: null,
  requestedAction: null,
  requestedBy: null,
  observeUntil: null,
  freezeHeldAt: null,
  ...NO_ROLLBACK_RETRY,
};

/** The change an effect's success calls for, given what the provider reported back. */
export function successOf(action: Extract<Action, { kind: "effect" }>, result: EffectResult = {}): Transition {
  return typeof action.onSuccess === "function" ? action.onSuccess(result) : action.onSuccess;
}

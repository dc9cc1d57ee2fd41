/**
 * A freeze as a decision input: a region under one holds before its next step forward (its start, its deploy,
 * each traffic increase) and says so once; everything else goes on, so a running stage keeps being sampled and
 * judged, a breach still rolls back, and a person's rollback or abort is carried out. When the freeze is over,
 * the region says so and goes on from where it held.
 */
import { describeFreeze, freezeRef } from "./freeze";
import { formatDuration } from "./messages";
import { event, transition, waitUntil } from "./patches";
import { TERMINAL_PHASES, type Action, type DecideInput } from "./types";

/**
 * Hold before `next` ("the 25 % stage") while a freeze is in force: first a change that records the hold and its
 * event, then waits until `retryAt` (the next sample of a running stage) or the freeze's end, whichever is first.
 * Null when no freeze is in force.
 */
export function holdForFreeze(input: DecideInput, next: string, retryAt: number | null): Action | null {
  const { freeze, state, now } = input;
  if (!freeze) return null;
  if (state.freezeHeldAt == null) {
    const goesOn = retryAt === null ? "" : " Its current stage goes on being judged: a breach still rolls it back.";
    return {
      kind: "transition",
      transition: transition({ freezeHeldAt: now }, [
        event("region.freeze_held", `${state.regionId} holds before ${next}: ${describeFreeze(freeze)}.${goesOn}`, { freeze: freezeRef(freeze), next }),
      ]),
    };
  }
  if (freeze.until === null) return waitUntil(retryAt);
  return waitUntil(retryAt === null ? freeze.until : Math.min(retryAt, freeze.until));
}

/** The freeze that held the region is over (lifted, or its window ended): record it, and the region goes on. */
export function releaseFromFreeze(input: DecideInput): Action | null {
  const { freeze, state, now } = input;
  if (freeze || state.freezeHeldAt == null || TERMINAL_PHASES.includes(state.phase)) return null;
  const heldMs = Math.max(0, now - state.freezeHeldAt);
  return {
    kind: "transition",
    transition: transition({ freezeHeldAt: null }, [
      event("region.freeze_released", `${state.regionId} goes on: the freeze that held it for ${formatDuration(heldMs)} is over.`, { heldMs }),
    ]),
  };
}

/**
 * A move of all traffic back to the old colour (an automatic rollback, a person's abort or rollback, an
 * emergency rollback, an observation breach) that failed is tried again until the provider verifies it, never
 * given up and never left waiting for a person: capped exponential backoff (1 s doubling to 60 s) with ±20 %
 * jitter. The jitter is drawn from the region rollout's id and the try's number, so `decide` stays pure and a
 * replay decides the same. An alert goes out on the first failure and then every 5 minutes; meanwhile nothing
 * else happens in the region (no samples, no stage moves).
 */
import type { MoveBackData } from "./events";
import { formatDuration } from "./messages";
import { event, transition } from "./patches";
import type { RegionRolloutState, Transition } from "./types";

export const ROLLBACK_RETRY = { firstDelayMs: 1_000, maxDelayMs: 60_000, jitter: 0.2, alertEveryMs: 5 * 60_000 } as const;

export const failedRollbackTries = (state: RegionRolloutState): number => state.rollbackAttempts ?? 0;

/** A number in [0, 1) from a string (FNV-1a): the same region rollout and try always get the same jitter. */
function unitHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 2 ** 32;
}

/** The wait after the `failures`-th failed try: 1 s, 2 s, 4 s … capped at 60 s, each ±20 % (never above the cap). */
export function rollbackRetryDelayMs(regionRolloutId: string, failures: number): number {
  const { firstDelayMs, maxDelayMs, jitter } = ROLLBACK_RETRY;
  const base = Math.min(maxDelayMs, firstDelayMs * 2 ** Math.min(30, Math.max(0, failures - 1)));
  const factor = 1 + jitter * (2 * unitHash(`${regionRolloutId}/${failures}`) - 1);
  return Math.round(Math.min(maxDelayMs, base * factor));
}

/** The step key of a try: the first keeps its plain key, each retry gets its own, so every try runs and is recorded. */
export function moveBackStepKey(state: RegionRolloutState, what: string): string {
  const failures = failedRollbackTries(state);
  return `${state.id}/a${state.attempt}/${what}${failures > 0 ? `/retry-${failures}` : ""}`;
}

/**
 * A failed try: the retry state, and an event that says where traffic stands and when the next try is. It is
 * an alert (`traffic.failed`, which makes a card) on the first failure and every 5 minutes after; the tries in
 * between are recorded as `rollback.retry_failed`, which makes none.
 */
export function rollbackTryFailed(
  state: RegionRolloutState,
  now: number,
  message: string,
  words: { stuck: string; data: MoveBackData; patch?: Partial<RegionRolloutState> },
): Transition {
  const failures = failedRollbackTries(state) + 1;
  const delay = rollbackRetryDelayMs(state.id, failures);
  const nextAt = now + delay;
  const firstFailedAt = state.rollbackFirstFailedAt ?? now;
  const lastAlertAt = state.rollbackLastAlertAt ?? null;
  const alert = lastAlertAt === null || now - lastAlertAt >= ROLLBACK_RETRY.alertEveryMs;
  const failing = failures === 1 ? "" : ` It has failed ${failures} times over ${formatDuration(now - firstFailedAt)}.`;
  const message_ = `${state.regionId}: ${words.stuck} (${message}); ${state.canaryPct} % of traffic is still on ${state.toColour}. Trying again in ${formatDuration(delay)}, until it is verified.${failing}`;
  const data = { ...words.data, canaryPct: state.canaryPct, error: message, rollbackAttempts: failures, nextRetryAt: nextAt, failingSinceAt: firstFailedAt };
  return transition(
    {
      ...words.patch,
      rollbackAttempts: failures,
      rollbackNextAt: nextAt,
      rollbackLastError: message,
      rollbackFirstFailedAt: firstFailedAt,
      rollbackLastAlertAt: alert ? now : lastAlertAt,
    },
    [alert ? event("traffic.failed", message_, { ...data, alert: true }) : event("rollback.retry_failed", message_, data)],
  );
}

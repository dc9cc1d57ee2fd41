import { describe, expect, it } from "vitest";
import { decide } from "./decide";
import { ROLLBACK_RETRY, rollbackRetryDelayMs } from "./rollback-retry";
import { apply, decideInput, healthy, inStage, MIN, observation, T0, transitionOf } from "./test-fixtures";
import type { EventDraft, RegionRolloutState } from "./types";

describe("the retry schedule of a failed rollback", () => {
  it.each([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [4, 8_000],
    [5, 16_000],
    [6, 32_000],
    [7, 60_000],
    [8, 60_000],
    [50, 60_000],
  ])("after failure %i waits about %i ms (±20 %, never over 60 s)", (failures, base) => {
    for (const id of ["rr_eu", "rr_us", "rr_ap", "01J9ZQ5W"]) {
      const delay = rollbackRetryDelayMs(id, failures);
      expect(delay).toBeGreaterThanOrEqual(base * 0.8);
      expect(delay).toBeLessThanOrEqual(Math.min(ROLLBACK_RETRY.maxDelayMs, base * 1.2));
      // Pure: the same region rollout and try always wait the same.
      expect(rollbackRetryDelayMs(id, failures)).toBe(delay);
    }
  });

  it("spreads region rollouts that fail together (jitter from the id)", () => {
    const delays = new Set(["rr_1", "rr_2", "rr_3", "rr_4", "rr_5", "rr_6"].map((id) => rollbackRetryDelayMs(id, 4)));
    expect(delays.size).toBeGreaterThan(3);
  });
});

/** Drives decide() in virtual time for one region whose traffic moves fail until `healAt`. */
function runUntilSettled(state: RegionRolloutState, start: number, healAt: number, measureBreach = true) {
  let now = start;
  let s = state;
  const events: Array<EventDraft & { at: number }> = [];
  const stepKeys: string[] = [];
  const observed: number[] = [];
  for (let i = 0; i < 10_000; i++) {
    const action = decide(
      decideInput({ now, state: s, observation: measureBreach && i === 0 ? observation(now - 30_000, now, healthy({ errorRatePct: 5 })) : undefined }),
    );
    if (action.kind === "wait") {
      if (action.until === null) return { state: s, events, stepKeys, observed, now };
      now = action.until;
      continue;
    }
    if (action.kind === "observe") {
      observed.push(now);
      s = apply(s, { patch: { lastSampleAt: action.to }, events: [] });
      continue;
    }
    if (action.kind === "effect") stepKeys.push(action.stepKey);
    const t = action.kind === "effect" && now < healAt ? transitionOf(action, { failure: "HAProxy runtime API: timeout after 2 s" }) : transitionOf(action);
    events.push(...t.events.map((e) => ({ ...e, at: now })));
    s = apply(s, t);
  }
  throw new Error("no end");
}

describe("a rollback whose traffic move keeps failing", () => {
  const breachAt = T0 + 2 * MIN;
  const state = inStage(1, { lastSampleAt: breachAt - 30_000, lastVerdict: "pass" });

  it("is tried again until verified, alerting on the first failure and every 5 minutes, and nothing else happens meanwhile", () => {
    const healAt = breachAt + 12 * MIN;
    const run = runUntilSettled(state, breachAt, healAt);
    expect(run.state).toMatchObject({ phase: "rolled_back", canaryPct: 0, rollbackAttempts: 0, rollbackNextAt: null, paused: false });
    expect(run.now).toBeGreaterThanOrEqual(healAt);
    expect(run.now - healAt).toBeLessThanOrEqual(60_000);

    const alerts = run.events.filter((e) => e.data?.alert === true);
    expect(alerts.map((e) => e.type)).toEqual(["traffic.failed", "traffic.failed", "traffic.failed"]);
    expect(alerts[0].at).toBe(breachAt);
    expect(alerts[1].at - alerts[0].at).toBeGreaterThanOrEqual(5 * MIN);
    expect(alerts[1].at - alerts[0].at).toBeLessThan(6 * MIN);
    expect(alerts[2].at - alerts[1].at).toBeGreaterThanOrEqual(5 * MIN);
    expect(alerts[2].at - alerts[1].at).toBeLessThan(6 * MIN);

    // Every try has its own step key, so a failed one is run again rather than replayed.
    expect(new Set(run.stepKeys).size).toBe(run.stepKeys.length);
    expect(run.stepKeys[0]).toBe("rr_eu/a1/rollback");
    expect(run.stepKeys[1]).toBe("rr_eu/a1/rollback/retry-1");
    // No sample and no stage move while the rollback was failing.
    expect(run.observed).toEqual([]);
    expect(run.stepKeys.every((k) => k.includes("/rollback"))).toBe(true);
    const failures = run.events.filter((e) => e.type === "traffic.failed" || e.type === "rollback.retry_failed");
    expect(failures.length).toBe(run.stepKeys.length - 1);
    expect(run.events.at(-1)).toMatchObject({ type: "region.rolled_back" });
    expect(run.events.at(-1)!.message).toContain(`(after ${run.stepKeys.length} tries)`);
  });

  it("is not held by a pause: the retries go on and the region ends rolled back", () => {
    const retrying = {
      ...state,
      breaches: 1,
      rollbackAttempts: 1,
      rollbackNextAt: breachAt + 1_000,
      rollbackFirstFailedAt: breachAt,
      rollbackLastAlertAt: breachAt,
      paused: true,
      pauseReason: "paused by user:bob",
    };
    const run = runUntilSettled(retrying, breachAt, breachAt + 30_000, false);
    expect(run.state).toMatchObject({ phase: "rolled_back", paused: false });
  });

  it("says in its alert how long it has been failing", () => {
    const run = runUntilSettled(state, breachAt, breachAt + 6 * MIN);
    const second = run.events.filter((e) => e.data?.alert === true)[1];
    expect(second.message).toMatch(/still on green\. Trying again in \d+ s, until it is verified\. It has failed \d+ times over [56] min\.$/);
    expect(second.data).toMatchObject({ error: "HAProxy runtime API: timeout after 2 s", canaryPct: 25 });
  });
});

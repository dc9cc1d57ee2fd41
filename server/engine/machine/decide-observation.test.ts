import { describe, expect, it } from "vitest";
import { decide } from "./decide";
import { observationStart } from "./decide-observation";
import { apply, decideInput, eventTypes, healthy, MIN, observation, regionState, STAGES, T0, transitionOf } from "./test-fixtures";
import type { DecideInput } from "./types";

const DELAY = 90 * MIN;
const last = STAGES.length - 1;
/** us-east succeeded at T0 under the delayed strategy and is observed for 90 minutes. */
const observed = regionState({
  id: "rr_us",
  regionId: "us-east",
  position: 0,
  phase: "succeeded",
  stageIndex: last,
  canaryPct: 100,
  finishedAt: T0,
  lastSampleAt: T0 - 10_000,
  lastVerdict: "pass",
  observeUntil: T0 + DELAY,
});
const at = (now: number, extra: Partial<DecideInput> = {}) =>
  decideInput({ now, state: observed, strategy: "delayed", delayMs: DELAY, hasDownstream: true, ...extra });

describe("the observation period of a delayed rollout", () => {
  it("starts only for a region with regions after it, under the delayed strategy", () => {
    expect(observationStart(decideInput({ now: T0, strategy: "delayed", delayMs: DELAY, hasDownstream: true }))).toEqual({
      observeUntil: T0 + DELAY,
      breaches: 0,
      inconclusive: 0,
    });
    expect(observationStart(decideInput({ now: T0, strategy: "delayed", delayMs: DELAY, hasDownstream: false }))).toBeNull();
    expect(observationStart(decideInput({ now: T0, strategy: "sequential", delayMs: 0, hasDownstream: true }))).toBeNull();
  });

  it("samples the succeeded region every interval, from the moment it succeeded", () => {
    expect(decide(at(T0 + 10_000))).toEqual({ kind: "wait", until: T0 + 30_000 });
    expect(decide(at(T0 + 30_000))).toEqual({ kind: "observe", from: T0, to: T0 + 30_000 });
  });

  it("judges a sample against the last stage's thresholds and records it, no event when it passes", () => {
    const action = decide(at(T0 + 30_000, { observation: observation(T0, T0 + 30_000, healthy()) }));
    expect(action).toMatchObject({ kind: "transition", assessment: { verdict: "pass" } });
    expect(transitionOf(action)).toEqual({ patch: { lastSampleAt: T0 + 30_000, lastVerdict: "pass" }, events: [] });
  });

  it("rolls the region back to its previous release on a breach, naming the cause", () => {
    const now = T0 + 40 * MIN;
    const action = decide(
      at(now, { state: { ...observed, lastSampleAt: now - 30_000 }, observation: observation(now - 30_000, now, healthy({ errorRatePct: 4 })) }),
    );
    expect(action).toMatchObject({
      kind: "effect",
      stepKey: "rr_us/a1/observation-rollback",
      effect: { kind: "setWeight", colour: "green", canaryPct: 0, reason: "rollback" },
    });
    const t = transitionOf(action);
    expect(t.patch).toMatchObject({ phase: "rolled_back", canaryPct: 0, finishedAt: now, observeUntil: null, lastVerdict: "breach" });
    expect(t.patch.outcomeReason).toMatch(
      /^rolled back during its observation period after error rate 4 % .*; 100 % of traffic is back on blue, the previous release$/,
    );
    expect(t.patch.cause).toEqual([expect.objectContaining({ metric: "error_rate", observed: 4 })]);
    expect(eventTypes(t)).toEqual(["analysis.breach", "region.rolled_back"]);
  });

  it("a rollback there that fails is retried like any other, and the observation waits for it", () => {
    const now = T0 + 40 * MIN;
    const action = decide(
      at(now, { state: { ...observed, lastSampleAt: now - 30_000 }, observation: observation(now - 30_000, now, healthy({ errorRatePct: 4 })) }),
    );
    const failed = apply(observed, transitionOf(action, { failure: "Cloudflare API 502" }));
    expect(failed).toMatchObject({ phase: "succeeded", rollbackAttempts: 1, observeUntil: T0 + DELAY });
    expect(decide(at(failed.rollbackNextAt!, { state: failed }))).toMatchObject({ kind: "effect", stepKey: "rr_us/a1/observation-rollback/retry-1" });
  });

  it("ends quietly once the period is over and every window was judged", () => {
    const done = { ...observed, lastSampleAt: T0 + DELAY };
    const t = transitionOf(decide(at(T0 + DELAY + 5_000, { state: done })));
    expect(t.patch).toEqual({ observeUntil: null });
    expect(t.events).toEqual([
      expect.objectContaining({
        type: "region.observed",
        message: "us-east was observed for 1 h 30 min after it succeeded with no breach; the next region may start.",
      }),
    ]);
  });

  it("counts the samples it could not judge, and says so at the end", () => {
    const noData = observation(T0, T0 + 30_000, healthy({ requests: null, errorRatePct: null, latencyP95Ms: null }));
    const action = decide(at(T0 + 30_000, { observation: noData }));
    expect(transitionOf(action).patch).toEqual({ lastSampleAt: T0 + 30_000, lastVerdict: "inconclusive", inconclusive: 1 });
    const done = { ...observed, lastSampleAt: T0 + DELAY, inconclusive: 4 };
    expect(transitionOf(decide(at(T0 + DELAY, { state: done }))).events[0].message).toBe(
      "us-east was observed for 1 h 30 min after it succeeded with no breach (4 of its samples could not be judged); the next region may start.",
    );
  });

  it("keeps the next region waiting until it ended, then blocked if it rolled back", () => {
    const next = regionState({ id: "rr_eu", position: 1, deadlineAt: T0 + DELAY });
    const upstream = { regionId: "us-east", phase: "succeeded" as const, finishedAt: T0, observeUntil: T0 + DELAY };
    expect(decide(decideInput({ now: T0 + DELAY, state: next, strategy: "delayed", delayMs: DELAY, upstream }))).toEqual({
      kind: "wait",
      until: T0 + DELAY + 1_000,
    });
    expect(
      decide(decideInput({ now: T0 + DELAY, state: next, strategy: "delayed", delayMs: DELAY, upstream: { ...upstream, observeUntil: null } })),
    ).toMatchObject({ kind: "transition", transition: { patch: { phase: "deploying" } } });
    const blocked = transitionOf(
      decide(
        decideInput({
          now: T0 + 41 * MIN,
          state: next,
          strategy: "delayed",
          delayMs: DELAY,
          upstream: { ...upstream, phase: "rolled_back", observeUntil: null },
        }),
      ),
    );
    expect(blocked.patch).toMatchObject({ phase: "blocked", outcomeReason: "blocked because us-east was rolled back" });
  });
});

import { describe, expect, it } from "vitest";
import { decideFast, fastObservationOf, wantsFastRead, type FastObservation } from "./decide-fast";
import { ANALYSIS, decideInput, eventTypes, inStage, T0, transitionOf } from "./test-fixtures";

const SEC = 1000;
/** 10 % stage started at T0; the counts from just before the move to `at`. */
const fast = (requests: number, errors: number, at = T0 + 500, baseline: FastObservation["baseline"] = { requests: 45, errors: 0 }): FastObservation => ({
  since: T0 - 5,
  at,
  canary: { requests, errors },
  baseline,
});
const input = (overrides: Parameters<typeof inStage>[1] = {}, extra: Partial<Parameters<typeof decideInput>[0]> = {}) =>
  decideInput({ now: T0 + 500, state: inStage(0, overrides), ...extra });

describe("fast breach detection from the load balancer's counters", () => {
  it("the bad release's first request failing (1 error in 1) breaches the 1 % limit at once: a rollback, with the counts as its cause", () => {
    const action = decideFast(input(), fast(1, 1));
    expect(action).toMatchObject({ kind: "effect", effect: { kind: "setWeight", colour: "green", canaryPct: 0, reason: "rollback" } });
    const t = transitionOf(action!);
    expect(eventTypes(t)).toEqual(["analysis.breach", "region.rolled_back"]);
    expect(t.patch).toMatchObject({ phase: "rolled_back", canaryPct: 0, breaches: 1, lastVerdict: "breach" });
    const [cause] = t.patch.cause!;
    expect(cause).toMatchObject({
      metric: "error_rate",
      observed: 100,
      threshold: 1,
      test: { kind: "bound", scope: "stage", requests: 1, errors: 1, confidence: 0.95 },
    });
    expect(cause.test?.kind === "bound" && cause.test.lowerPct).toBeCloseTo(5, 6);
    expect(t.events[0].message).toMatch(
      /^eu-west: error rate 100 % \(95 % lower bound 5 %\) over the 1 % limit, 1 errors? in 1 requests? of the stage so far at the 10 % stage \(the load balancer's own counters, read between two 30 s samples\); rolling back to blue\.$/,
    );
    expect(t.events[0].data).toMatchObject({ source: "load-balancer" });
    expect(eventTypes(transitionOf(action!, { failure: "timeout" }))[0]).toBe("analysis.breach");
    expect(transitionOf(action!, { failure: "timeout" }).events[0].message).toMatch(/load balancer's own counters/);
  });

  it("5 % errors over 200 requests breaches 1 %; 1 error in 200 (0.5 %) does nothing: never a pass", () => {
    expect(decideFast(input(), fast(200, 10))).not.toBeNull();
    expect(decideFast(input(), fast(200, 1))).toBeNull();
    expect(decideFast(input(), fast(0, 0))).toBeNull();
    // 2 errors in 100 is 2 % observed, but its 95 % lower bound (0.36 %) is under the limit: left to the regular samples.
    expect(decideFast(input(), fast(100, 2))).toBeNull();
  });

  it("when the old colour's counts breach the same limit, it is not the release's fault to call here", () => {
    expect(decideFast(input(), fast(10, 5, T0 + 500, { requests: 90, errors: 40 }))).toBeNull();
  });

  it("only the breach that reaches failureLimit: with a limit of 2 and no breach yet, nothing; after one, the rollback", () => {
    const limit2 = { analysis: { ...ANALYSIS, failureLimit: 2 } };
    expect(decideFast(input({}, limit2), fast(5, 5))).toBeNull();
    expect(decideFast(input({ breaches: 1 }, limit2), fast(5, 5))).not.toBeNull();
  });

  it("counts read before the stage, a paused region, one being rolled back, or no traffic on the new colour do nothing", () => {
    expect(decideFast(input(), { ...fast(5, 5), at: T0 - 1 })).toBeNull();
    expect(decideFast(input({ breaches: 1 }), fast(5, 5))).toBeNull();
    expect(decideFast(input({ rollbackAttempts: 2 }), fast(5, 5))).toBeNull();
    expect(decideFast(input({ paused: true }), fast(5, 5))).toBeNull();
    expect(decideFast(input({ requestedAction: "rollback" }), fast(5, 5))).toBeNull();
    expect(decideFast(input({ canaryPct: 0 }), fast(5, 5))).toBeNull();
    expect(wantsFastRead({ state: inStage(0) })).toBe(true);
    expect(wantsFastRead({ state: inStage(0, { phase: "succeeded" }) })).toBe(false);
  });

  it("the counts become a sample with no latency, CPU or memory", () => {
    expect(fastObservationOf(fast(20, 1, T0 + 2 * SEC))).toEqual({
      from: T0 - 5,
      to: T0 + 2 * SEC,
      canary: { requests: 20, errors: 1, errorRatePct: 5, latencyP95Ms: null },
      baseline: { requests: 45, errors: 0, errorRatePct: 0, latencyP95Ms: null },
    });
  });
});

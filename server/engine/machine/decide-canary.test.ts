import { describe, expect, it } from "vitest";
import { decide } from "./decide";
import { ANALYSIS, decideInput, eventTypes, healthy, inStage, MIN, observation, regionState, stageSamples, STAGES, T0, transitionOf } from "./test-fixtures";
import type { Action, CauseItem, DecideInput, RegionRolloutState } from "./types";

const SEC = 1000;
const at = (now: number, state: RegionRolloutState, extra: Partial<DecideInput> = {}) => decide(decideInput({ now, state, ...extra }));
/** The spec's example against a healthy blue: over the limit, and significantly worse than blue (both tests named). */
const SPEC_CAUSE: CauseItem[] = [
  {
    metric: "error_rate",
    observed: 1.2,
    threshold: 0.8,
    unit: "%",
    baseline: 0.06,
    baselineAlsoBreaches: false,
    test: { kind: "limit", scope: "sample", requests: 5000, errors: 60 },
    versus: {
      kind: "baseline",
      test: "two-proportion",
      pValue: expect.any(Number) as unknown as number,
      effect: expect.closeTo(1.14, 9) as unknown as number,
      margin: 0.5,
    },
  },
];
/** The same cause as stored on the region rollout (concrete numbers). */
const STORED_CAUSE: CauseItem[] = [{ ...SPEC_CAUSE[0], versus: { kind: "baseline", test: "two-proportion", pValue: 1e-12, effect: 1.14, margin: 0.5 } }];
const SPEC_WHY = "error rate 1.2 % > 0.8 %, 1.14 points above blue's 0.06 % (p < 0.001) at the 25 % stage";

describe("canary: moving traffic to a stage", () => {
  it("once deployed, starts stage 0 by moving 10 % to the new colour; the stage clock starts on success", () => {
    const action = at(T0, regionState({ phase: "canary", stageIndex: -1 }));
    expect(action).toMatchObject({
      kind: "effect",
      stepKey: "rr_eu/a1/stage-0/weight-10",
      effect: { kind: "setWeight", colour: "green", canaryPct: 10, reason: "stage" },
    });
    const t = transitionOf(action);
    expect(t.patch).toEqual({
      stageIndex: 0,
      stageStartedAt: T0,
      deadlineAt: T0 + 5 * MIN,
      pausedRemainingMs: null,
      extendedMs: 0,
      promotedAt: null,
      canaryPct: 10,
      breaches: 0,
      inconclusive: 0,
      lastSampleAt: null,
      lastVerdict: null,
    });
    expect(t.events).toEqual([
      expect.objectContaining({ type: "stage.started", message: "eu-west: 10 % of traffic on green for 5 min (error rate ≤ 1 % and p95 latency ≤ 500 ms)." }),
    ]);
  });

  it("a traffic move that fails pauses where traffic stands", () => {
    const state = inStage(0, { lastSampleAt: T0 + 5 * MIN, lastVerdict: "pass" });
    const t = transitionOf(at(T0 + 5 * MIN, state, { stageSamples: stageSamples(10) }), { failure: "haproxy: no such server" });
    expect(t.patch).toMatchObject({
      paused: true,
      pauseReason: "traffic could not be moved to 25 % on green (haproxy: no such server); it stands at 10 %",
      pausedRemainingMs: 0,
    });
    expect(eventTypes(t)).toEqual(["stage.passed", "traffic.failed"]);
  });

  it("a stage index the plan does not have pauses instead of guessing", () => {
    const t = transitionOf(at(T0, regionState({ phase: "canary", stageIndex: 7, stageStartedAt: T0 })));
    expect(t.patch).toMatchObject({ paused: true, pauseReason: "stage 8 is not in this rollout's plan (it has 5 stages)" });
  });
});

describe("canary: sampling", () => {
  const stage0 = inStage(0);
  it.each<[string, RegionRolloutState, number, Action]>([
    ["the first sample is due one interval after the stage started", stage0, T0 + 30 * SEC, { kind: "observe", from: T0, to: T0 + 30 * SEC }],
    ["before it, the region waits for it", stage0, T0 + 10 * SEC, { kind: "wait", until: T0 + 30 * SEC }],
    [
      "later samples cover the window since the previous one",
      inStage(0, { lastSampleAt: T0 + 60 * SEC, lastVerdict: "pass" }),
      T0 + 90 * SEC,
      { kind: "observe", from: T0 + 60 * SEC, to: T0 + 90 * SEC },
    ],
    [
      "after a restart the missed windows are judged one interval at a time, before anything is promoted",
      inStage(0, { lastSampleAt: T0 + 60 * SEC, lastVerdict: "pass" }),
      T0 + 20 * MIN,
      { kind: "observe", from: T0 + 60 * SEC, to: T0 + 90 * SEC },
    ],
    [
      "near the end it waits for the deadline if that comes first",
      inStage(0, { lastSampleAt: T0 + 280 * SEC, lastVerdict: "pass" }),
      T0 + 290 * SEC,
      { kind: "wait", until: T0 + 5 * MIN },
    ],
  ])("%s", (_name, state, now, expected) => {
    expect(at(now, state, { analysis: { ...ANALYSIS, failureLimit: 2 } })).toEqual(expected);
  });

  it("a passing sample records the verdict, resets the inconclusive run, and logs no event", () => {
    const action = at(T0 + 30 * SEC, inStage(0, { inconclusive: 2 }), { observation: observation(T0, T0 + 30 * SEC) });
    expect(action).toMatchObject({ kind: "transition", assessment: { verdict: "pass" } });
    expect(transitionOf(action)).toEqual({ patch: { lastSampleAt: T0 + 30 * SEC, lastVerdict: "pass", inconclusive: 0 }, events: [] });
  });

  it("an observation older than the last sample is ignored", () => {
    const state = inStage(0, { lastSampleAt: T0 + 60 * SEC, lastVerdict: "pass" });
    expect(at(T0 + 70 * SEC, state, { observation: observation(T0, T0 + 30 * SEC) })).toEqual({ kind: "wait", until: T0 + 90 * SEC });
  });
});

describe("canary: completing a stage", () => {
  const done = (stageIndex: number, overrides: Partial<RegionRolloutState> = {}) =>
    inStage(stageIndex, { lastSampleAt: T0 + STAGES[stageIndex].durationMs, lastVerdict: "pass", ...overrides });
  /** Every expected sample of the stage judged and passed. */
  const judged = (stageIndex: number) => ({ stageSamples: stageSamples(STAGES[stageIndex].durationMs / ANALYSIS.intervalMs) });

  it("time up, every sample judged and the last one passed: the next stage's traffic move, stage.passed then stage.started", () => {
    const action = at(T0 + 5 * MIN, done(1), judged(1));
    expect(action).toMatchObject({ kind: "effect", stepKey: "rr_eu/a1/stage-2/weight-50", effect: { canaryPct: 50 } });
    const t = transitionOf(action);
    expect(eventTypes(t)).toEqual(["stage.passed", "stage.started"]);
    expect(t.events[0].message).toBe("eu-west passed the 25 % stage after 5 min.");
    expect(t.patch).toMatchObject({ stageIndex: 2, canaryPct: 50, stageStartedAt: T0 + 5 * MIN, deadlineAt: T0 + 10 * MIN });
  });

  it("the validation stage names its extra checks", () => {
    const t = transitionOf(at(T0 + 5 * MIN, done(3), judged(3)));
    expect(t.events[1].message).toBe(
      "eu-west: 100 % of traffic on green for 30 min (error rate ≤ 0.2 %, p95 latency ≤ 300 ms, CPU < 70 %, memory < 70 % and health 200).",
    );
  });

  it("after the last stage the region succeeded and the new colour is live", () => {
    const t = transitionOf(at(T0 + 30 * MIN, done(4), judged(4)));
    expect(t.patch).toMatchObject({ phase: "succeeded", finishedAt: T0 + 30 * MIN, deadlineAt: null, outcomeReason: "all 5 stages passed; green is live" });
    expect(eventTypes(t)).toEqual(["stage.passed", "region.succeeded"]);
  });

  it("a last sample from before the stage started does not count", () => {
    const state = inStage(1, { lastSampleAt: T0 - SEC, lastVerdict: "pass" }, T0);
    expect(at(T0 + 5 * MIN, state, judged(1))).toEqual({ kind: "observe", from: T0 - SEC, to: T0 + 29 * SEC });
  });
});

describe("canary: inconclusive samples", () => {
  const lowTraffic = (to: number) => observation(to - 30 * SEC, to, healthy({ requests: 4 }));

  it("counts an inconclusive sample and says why", () => {
    const t = transitionOf(at(T0 + 30 * SEC, inStage(1), { observation: lowTraffic(T0 + 30 * SEC) }));
    expect(t.patch).toEqual({ lastSampleAt: T0 + 30 * SEC, lastVerdict: "inconclusive", inconclusive: 1 });
    expect(t.events).toEqual([
      expect.objectContaining({
        type: "analysis.inconclusive",
        message:
          "eu-west: sample at the 25 % stage is inconclusive (error rate 0 % over 4 requests: its 95 % upper bound 52.7 % is above the 0.8 % limit, too few requests to tell; only 4 requests in the window, fewer than the 20 needed, so p95 latency cannot be judged); 1 of 3 in a row.",
      }),
    ]);
  });

  it("at the limit the stage pauses, keeps its remaining time and raises an alert", () => {
    const state = inStage(1, { inconclusive: 2, lastSampleAt: T0 + 60 * SEC, lastVerdict: "inconclusive" });
    const t = transitionOf(at(T0 + 90 * SEC, state, { observation: lowTraffic(T0 + 90 * SEC) }));
    expect(t.patch).toMatchObject({ paused: true, inconclusive: 3, deadlineAt: null, pausedRemainingMs: 5 * MIN - 90 * SEC });
    expect(t.patch.pauseReason).toMatch(/^3 inconclusive samples in a row at the 25 % stage \(error rate 0 % over 4 requests: .*only 4 requests in the window/);
    expect(eventTypes(t)).toEqual(["analysis.inconclusive", "analysis.inconclusive_limit"]);
    expect(t.events[1].data).toMatchObject({ alert: true });
  });

  it("a past window replayed from history with no data (a restart or resume after a metrics outage) is unjudged but does not add to the run", () => {
    const noData = observation(T0 + 60 * SEC, T0 + 90 * SEC, { requests: null, errorRatePct: null, latencyP95Ms: null }, null);
    const state = inStage(1, { inconclusive: 2, lastSampleAt: T0 + 60 * SEC, lastVerdict: "inconclusive" });
    const replayed = transitionOf(at(T0 + 10 * MIN, state, { observation: noData }));
    expect(replayed.patch).toEqual({ lastSampleAt: T0 + 90 * SEC, lastVerdict: "inconclusive", inconclusive: 2 });
    expect(replayed.events[0].message).toContain("(a past window, replayed)");
    // The same window judged live is the third in a row: the stage pauses.
    expect(transitionOf(at(T0 + 90 * SEC, state, { observation: noData })).patch).toMatchObject({ paused: true, inconclusive: 3 });
  });

  it("no data at all is inconclusive too", () => {
    const obs = observation(T0, T0 + 30 * SEC, { requests: null, errorRatePct: null, latencyP95Ms: null }, null);
    expect(transitionOf(at(T0 + 30 * SEC, inStage(0), { observation: obs })).patch.lastVerdict).toBe("inconclusive");
  });
});

describe("canary: breaches and the automatic rollback", () => {
  const spec = (to: number) => observation(to - 30 * SEC, to, healthy({ errorRatePct: 1.2, latencyP95Ms: 420 }));

  it("spec example: at the 25 % stage an error rate of 1.2 % rolls back, blaming the error rate only", () => {
    const now = T0 + 2 * MIN;
    const action = at(now, inStage(1, { lastSampleAt: now - 30 * SEC, lastVerdict: "pass" }), { observation: spec(now) });
    expect(action).toMatchObject({
      kind: "effect",
      stepKey: "rr_eu/a1/rollback",
      effect: { kind: "setWeight", colour: "green", canaryPct: 0, reason: "rollback" },
      assessment: { verdict: "breach", cause: SPEC_CAUSE },
    });
    const t = transitionOf(action);
    expect(t.patch).toMatchObject({
      phase: "rolled_back",
      canaryPct: 0,
      finishedAt: now,
      cause: SPEC_CAUSE,
      outcomeReason: SPEC_WHY,
      lastSampleAt: now,
      lastVerdict: "breach",
      breaches: 1,
      deadlineAt: null,
    });
    expect(t.events.map((e) => [e.type, e.message])).toEqual([
      ["analysis.breach", `eu-west: ${SPEC_WHY}; rolling back to blue.`],
      ["region.rolled_back", `eu-west rolled back: 100 % of traffic is on blue again after ${SPEC_WHY}.`],
    ]);
  });

  it("with a failure limit of 2 the first breach is counted and the stage goes on", () => {
    const action = at(T0 + 30 * SEC, inStage(1), { observation: spec(T0 + 30 * SEC), analysis: { ...ANALYSIS, failureLimit: 2 } });
    expect(action.kind).toBe("transition");
    const t = transitionOf(action);
    expect(t.patch).toEqual({ lastSampleAt: T0 + 30 * SEC, lastVerdict: "breach", breaches: 1, inconclusive: 0 });
    expect(t.events[0]).toMatchObject({ type: "analysis.breach", message: `eu-west: ${SPEC_WHY} (breach 1; rollback at 2).` });
  });

  it("with a failure limit of 2 the second breach rolls back", () => {
    const state = inStage(1, { breaches: 1, lastSampleAt: T0 + 30 * SEC, lastVerdict: "breach" });
    const action = at(T0 + 60 * SEC, state, { observation: spec(T0 + 60 * SEC), analysis: { ...ANALYSIS, failureLimit: 2 } });
    expect(action).toMatchObject({ kind: "effect", stepKey: "rr_eu/a1/rollback" });
    expect(transitionOf(action).patch).toMatchObject({ phase: "rolled_back", breaches: 2 });
  });

  it("a rollback whose traffic move fails stays in canary, not paused, and is tried again (see rollback-retry.test.ts)", () => {
    const now = T0 + 2 * MIN;
    const action = at(now, inStage(1), { observation: spec(now) });
    const t = transitionOf(action, { failure: "stats socket refused the connection" });
    expect(t.patch.phase).toBeUndefined();
    expect(t.patch.paused).toBeUndefined();
    expect(t.patch).toMatchObject({
      cause: SPEC_CAUSE,
      breaches: 1,
      lastVerdict: "breach",
      rollbackAttempts: 1,
      rollbackLastError: "stats socket refused the connection",
    });
    expect(t.events[1].message).toContain(
      "rollback failed: traffic could not be moved back to blue (stats socket refused the connection); 25 % of traffic is still on green. Trying again in",
    );
    expect(eventTypes(t)).toEqual(["analysis.breach", "traffic.failed"]);
  });

  it("after that failure a resume tries the rollback again with the stored cause", () => {
    const state = inStage(1, { breaches: 1, lastVerdict: "breach", lastSampleAt: T0 + 2 * MIN, cause: STORED_CAUSE });
    const action = at(T0 + 10 * MIN, state);
    expect(action).toMatchObject({ kind: "effect", stepKey: "rr_eu/a1/rollback", effect: { canaryPct: 0 } });
    expect(action).not.toHaveProperty("assessment");
    const t = transitionOf(action);
    expect(t.patch).toMatchObject({ phase: "rolled_back", cause: STORED_CAUSE, outcomeReason: SPEC_WHY });
    expect(eventTypes(t)).toEqual(["region.rolled_back"]);
  });

  it("while paused after that failure it waits for a person", () => {
    const state = inStage(1, { breaches: 1, paused: true, pauseReason: "rollback failed", cause: STORED_CAUSE });
    expect(at(T0 + 10 * MIN, state)).toEqual({ kind: "wait", until: null });
  });

  it("with compareToBaseline off, a baseline that breaches too is noted in the outcome", () => {
    const obs = observation(T0, T0 + 30 * SEC, healthy({ errorRatePct: 1.2 }), healthy({ errorRatePct: 1.5 }));
    const t = transitionOf(at(T0 + 30 * SEC, inStage(1), { observation: obs, analysis: { ...ANALYSIS, compareToBaseline: false } }));
    expect(t.patch.outcomeReason).toBe(
      "error rate 1.2 % > 0.8 % at the 25 % stage; blue shows the same (error rate 1.5 %), so the release may not be the cause",
    );
  });
});

import { describe, expect, it } from "vitest";
import { decide } from "./decide";
import { ANALYSIS, decideInput, eventTypes, healthy, inStage, MIN, observation, stageSamples, T0, transitionOf } from "./test-fixtures";
import type { Action, DecideInput, RegionRolloutState, StageSample } from "./types";

const SEC = 1000;
const at = (now: number, state: RegionRolloutState, extra: Partial<DecideInput> = {}) => decide(decideInput({ now, state, ...extra }));
/** The 25 % stage (5 min, 10 samples expected, 8 needed) at its deadline, its last sample at the deadline. */
const atDeadline = (overrides: Partial<RegionRolloutState> = {}) => inStage(1, { lastSampleAt: T0 + 5 * MIN, lastVerdict: "pass", ...overrides });
const mix = (...parts: StageSample[][]): StageSample[] => parts.flat().map((s, i) => ({ ...s, takenAt: T0 + (i + 1) * 30 * SEC }));
const inconclusive = (n: number, gap: StageSample["gaps"][number]) => stageSamples(n, "inconclusive", T0, [gap]);
/** inconclusive, inconclusive, pass, repeated. */
const twoThirdsUnjudged = (n: number) => mix(...Array.from({ length: n }, (_, i) => (i % 3 === 2 ? stageSamples(1) : inconclusive(1, "no_data"))));

describe("coverage: a stage passes only when its time is up, enough of it was judged and its last sample passed", () => {
  it.each<[string, StageSample[], Partial<RegionRolloutState>, Action["kind"]]>([
    ["10 of 10 samples judged and the last passed: the next stage starts", stageSamples(10), {}, "effect"],
    ["8 of 10 judged (the 80 % minimum) is enough", mix(inconclusive(2, "no_data"), stageSamples(8)), {}, "effect"],
    ["7 of 10 judged is not: the stage runs on", mix(inconclusive(3, "no_data"), stageSamples(7)), {}, "transition"],
    ["inconclusive, inconclusive, pass repeated is never a pass, however the last sample went", twoThirdsUnjudged(10), {}, "transition"],
    ["every sample judged but the last inconclusive: the stage runs on", mix(stageSamples(10)), { lastVerdict: "inconclusive" }, "transition"],
  ])("%s", (_name, samples, overrides, kind) => {
    const action = at(T0 + 5 * MIN, atDeadline(overrides), { stageSamples: samples });
    expect(action.kind).toBe(kind);
    if (kind === "effect") expect(action).toMatchObject({ effect: { kind: "setWeight", canaryPct: 50 } });
  });

  it("runs on one interval at a time, with one event that says how much went unjudged and why", () => {
    const samples = mix(inconclusive(2, "no_data"), inconclusive(1, "metrics_error"), stageSamples(7));
    const t = transitionOf(at(T0 + 5 * MIN + 10 * SEC, atDeadline(), { stageSamples: samples }));
    expect(t.patch).toEqual({ deadlineAt: T0 + 5 * MIN + 30 * SEC, extendedMs: 20 * SEC });
    expect(t.events).toEqual([
      expect.objectContaining({
        type: "stage.extended",
        message:
          "eu-west: the 25 % stage runs on past its 5 min, one sample at a time for at most 5 min: 7 of its 10 expected samples were judged (70 %), 8 needed (3 inconclusive: 2 with no data and 1 with a metrics store error).",
        data: expect.objectContaining({
          expected: 10,
          judged: 7,
          needed: 8,
          inconclusive: 3,
          byGap: { no_data: 2, few_requests: 0, undecided: 0, metrics_error: 1 },
        }),
      }),
    ]);
  });

  it("later extensions add an interval without another event", () => {
    const t = transitionOf(
      at(T0 + 6 * MIN, atDeadline({ lastSampleAt: T0 + 6 * MIN, deadlineAt: T0 + 6 * MIN, extendedMs: MIN }), { stageSamples: twoThirdsUnjudged(12) }),
    );
    expect(t).toEqual({ patch: { deadlineAt: T0 + 6 * MIN + 30 * SEC, extendedMs: MIN + 30 * SEC }, events: [] });
  });

  it("the extension ends the stage as soon as enough is judged", () => {
    const samples = mix(inconclusive(3, "few_requests"), stageSamples(8));
    expect(
      at(T0 + 5.5 * MIN, atDeadline({ lastSampleAt: T0 + 5.5 * MIN, deadlineAt: T0 + 5.5 * MIN, extendedMs: 30 * SEC }), { stageSamples: samples }),
    ).toMatchObject({ kind: "effect", effect: { canaryPct: 50 } });
  });

  it("at the end of the extension (the stage's duration again) it pauses with an alert that counts what went unjudged", () => {
    const samples = mix(twoThirdsUnjudged(18), inconclusive(2, "undecided"));
    const state = atDeadline({ lastSampleAt: T0 + 10 * MIN, deadlineAt: T0 + 10 * MIN, extendedMs: 5 * MIN, lastVerdict: "inconclusive" });
    const t = transitionOf(at(T0 + 10 * MIN, state, { stageSamples: samples }));
    expect(t.patch).toMatchObject({ paused: true, deadlineAt: null, pausedRemainingMs: 0 });
    expect(t.patch.pauseReason).toBe(
      "the 25 % stage ran 5 min past its 5 min and is still not judged: 6 of its 10 expected samples were judged (60 %), 8 needed (14 inconclusive: 12 with no data and 2 with too few requests so far to bound the error rate); its last sample was inconclusive",
    );
    expect(eventTypes(t)).toEqual(["analysis.unjudged"]);
    expect(t.events[0].data).toMatchObject({ alert: true, judged: 6, expected: 10, extendedMs: 5 * MIN });
  });

  it("maxExtensionFactor 0 pauses at the deadline", () => {
    const t = transitionOf(at(T0 + 5 * MIN, atDeadline(), { stageSamples: twoThirdsUnjudged(10), analysis: { ...ANALYSIS, maxExtensionFactor: 0 } }));
    expect(t.patch).toMatchObject({ paused: true });
    expect(eventTypes(t)).toEqual(["analysis.unjudged"]);
  });

  it("samples of an earlier stage do not count for this one", () => {
    const earlier = stageSamples(10, "pass", T0 - 5 * MIN);
    expect(at(T0 + 5 * MIN, atDeadline(), { stageSamples: earlier }).kind).toBe("transition");
  });

  it("a sample is judged with the stage's earlier ones: windows of 1 error in 6 requests breach together on the third", () => {
    const window = healthy({ requests: 6, errors: 1, errorRatePct: 16.7 });
    const oneIn6 = (takenAt: number): StageSample => ({
      takenAt,
      verdict: "inconclusive",
      gaps: ["undecided"],
      canary: { requests: 6, errors: 1, latencyP95Ms: 180 },
      baseline: null,
    });
    const earlier = [oneIn6(T0 + 30 * SEC), oneIn6(T0 + 60 * SEC)];
    const state = inStage(0, { lastSampleAt: T0 + 60 * SEC, lastVerdict: "inconclusive" });
    const action = at(T0 + 90 * SEC, state, { stageSamples: earlier, observation: observation(T0 + 60 * SEC, T0 + 90 * SEC, window, null) });
    expect(action).toMatchObject({ kind: "effect", stepKey: "rr_eu/a1/rollback", assessment: { verdict: "breach" } });
  });
});

describe("inconclusive samples: waiting for evidence is not missing data", () => {
  it("a sample with its data but a stage too small to bound the error rate ends the run of missing data", () => {
    const state = inStage(0, { inconclusive: 2, lastSampleAt: T0 + 60 * SEC, lastVerdict: "inconclusive" });
    const t = transitionOf(
      at(T0 + 90 * SEC, state, { observation: observation(T0 + 60 * SEC, T0 + 90 * SEC, healthy({ requests: 60, errorRatePct: 0 }), null) }),
    );
    expect(t.patch).toEqual({ lastSampleAt: T0 + 90 * SEC, lastVerdict: "inconclusive", inconclusive: 0 });
    expect(t.events[0]).toMatchObject({ type: "analysis.inconclusive", data: { gaps: ["undecided"] } });
    expect(t.events[0].message).toBe(
      "eu-west: sample at the 10 % stage is inconclusive (error rate 0 % over 60 requests: its 95 % upper bound 4.9 % is above the 1 % limit, too few requests to tell).",
    );
  });
});

describe("environment problem: both colours over the limit and the new one no worse", () => {
  const bothBad = observation(T0, T0 + 30 * SEC, healthy({ errorRatePct: 1.5 }), healthy({ errorRatePct: 1.6 }));

  it("pauses with an alert instead of rolling back, and does not blame the release", () => {
    const action = at(T0 + 30 * SEC, inStage(1), { observation: bothBad });
    expect(action).toMatchObject({ kind: "transition", assessment: { verdict: "inconclusive", judgement: { environment: true } } });
    const t = transitionOf(action);
    expect(t.patch).toMatchObject({ paused: true, lastVerdict: "inconclusive", lastSampleAt: T0 + 30 * SEC });
    expect(t.patch.phase).toBeUndefined();
    expect(t.patch.pauseReason).toBe(
      "environment problem at the 25 % stage: error rate 1.5 % > 0.8 %; blue shows the same (error rate 1.6 %), so the release may not be the cause, and green is not significantly worse than blue; the release is not blamed",
    );
    expect(eventTypes(t)).toEqual(["analysis.environment_problem"]);
    expect(t.events[0].data).toMatchObject({ alert: true, cause: [expect.objectContaining({ metric: "error_rate", baselineAlsoBreaches: true })] });
  });

  it("a new colour significantly worse than the old one is a breach even when both are over the limit", () => {
    const worse = observation(T0, T0 + 30 * SEC, healthy({ errorRatePct: 3 }), healthy({ errorRatePct: 1.5 }));
    expect(at(T0 + 30 * SEC, inStage(1), { observation: worse })).toMatchObject({ kind: "effect", stepKey: "rr_eu/a1/rollback" });
  });
});

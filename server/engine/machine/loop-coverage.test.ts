import { describe, expect, it } from "vitest";
import { foldedTrace, runRollout, type FakeRegion } from "./test-fake-runner";
import { healthy, MIN, regionState, T0 } from "./test-fixtures";
import type { Measurement } from "./types";

const region = (extra: Omit<FakeRegion, "state"> = {}): FakeRegion => ({
  state: regionState({ id: "rr_eu-west", regionId: "eu-west", position: 0 }),
  ...extra,
});
const NO_DATA: Measurement = { requests: null, errorRatePct: null, latencyP95Ms: null, cpuPct: null, memoryPct: null, healthStatus: null };

/** no data, no data, healthy, repeated: the pattern that used to pass every stage two-thirds unjudged. */
function twoOfThreeMissing(): (state: unknown) => Measurement {
  let n = 0;
  return () => (++n % 3 === 0 ? healthy() : NO_DATA);
}

describe("coverage in virtual time: no stage passes unjudged", () => {
  it("inconclusive, inconclusive, pass repeated never succeeds: the first stage runs on, then pauses with an alert", () => {
    const result = runRollout({ strategy: "sequential", regions: [region({ measure: twoOfThreeMissing() })], start: T0 });
    const [state] = result.states;
    expect(state).toMatchObject({ phase: "canary", stageIndex: 0, canaryPct: 10, paused: true, extendedMs: 5 * MIN });
    expect(state.pauseReason).toMatch(
      /^the 10 % stage ran 5 min past its 5 min and is still not judged: 6 of its 10 expected samples were judged \(60 %\), 8 needed \(14 inconclusive: 14 with no data\)/,
    );
    // Never three missing in a row, so the old limit alone would have let every stage through.
    expect(foldedTrace(result, "eu-west").filter((l) => l.includes("inconclusive_limit"))).toEqual([]);
    expect(result.end - T0).toBe(10 * MIN);
  });

  it("4 errors in 5 requests rolls back at the first sample of the 10 % stage", () => {
    const result = runRollout({ strategy: "sequential", regions: [region({ measure: () => healthy({ requests: 5, errorRatePct: 80 }) })], start: T0 });
    expect(result.states[0]).toMatchObject({ phase: "rolled_back", stageIndex: 0, finishedAt: T0 + 30_000 });
    expect(result.states[0].outcomeReason).toMatch(/^error rate 80 % \(95 % lower bound 34.3 %\) over the 1 % limit, 4 errors in 5 requests/);
  });

  it("100 healthy requests a sample: each stage runs on until the stage so far bounds its error rate, then succeeds (56.5 min)", () => {
    const result = runRollout({ strategy: "sequential", regions: [region({ measure: () => healthy({ requests: 100, errorRatePct: 0 }) })], start: T0 });
    expect(result.states[0].phase).toBe("succeeded");
    // 0 errors bound below 1 % after 300 requests, 0.8 % after 374, 0.5 % after 598, 0.3 % after 998, 0.2 % after 1,497.
    expect(result.end - T0).toBe(56.5 * MIN);
  });
});

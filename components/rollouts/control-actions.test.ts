import { describe, expect, it } from "vitest";
import { availableActions, describeAction, rollbackIsAbort, type ControlRegion } from "./control-actions";
import { causeWords } from "./cause-words";

const region = (over: Partial<ControlRegion>): ControlRegion => ({
  regionId: "eu-west",
  regionName: "EU West",
  phase: "canary",
  paused: false,
  fromColour: "blue",
  toColour: "green",
  canaryPct: 25,
  stagePercent: 25,
  ...over,
});

describe("rollback cause in words", () => {
  it("names the metric, the observed value, the limit and the baseline", () => {
    expect(causeWords([{ metric: "error_rate", observed: 1.2, threshold: 0.8, unit: "%", baseline: 0.3, baselineAlsoBreaches: false }])).toBe(
      "error rate 1.2 % over the 0.8 % limit (baseline 0.3 %)",
    );
    expect(causeWords(null)).toBeNull();
  });
});

describe("controls", () => {
  it("offers a viewer nothing and a deployer what the phase allows", () => {
    expect(availableActions(region({}), { control: false, rollback: false })).toEqual([]);
    expect(availableActions(region({}), { control: true, rollback: true })).toEqual(["pause", "promote", "rollback"]);
    expect(availableActions(region({ paused: true }), { control: true, rollback: true })).toEqual(["resume", "promote", "rollback"]);
    expect(availableActions(region({ phase: "awaiting_approval" }), { control: true, rollback: true })).toEqual(["pause", "abort"]);
    expect(availableActions(region({ phase: "rolled_back" }), { control: true, rollback: true })).toEqual(["retry"]);
    expect(availableActions(region({ phase: "succeeded" }), { control: true, rollback: true })).toEqual(["rollback"]);
  });

  it("says where traffic goes on a rollback, and calls one of a succeeded region an emergency", () => {
    expect(describeAction("rollback", region({})).body).toBe(
      "Roll eu-west back: its 25 % on green returns to blue, which then serves 100 % of traffic. The region ends rolled back and the regions after it do not start.",
    );
    expect(describeAction("rollback", region({ phase: "deploying", canaryPct: 0 })).body).toBe(
      "Stop eu-west's deploy: no traffic has moved yet, so 100 % stays on blue. The regions after it do not start.",
    );
    expect(describeAction("rollback", region({ phase: "succeeded" })).title).toBe("Emergency rollback of eu-west");
    expect(rollbackIsAbort(region({ phase: "deploying" }))).toBe(true);
    expect(rollbackIsAbort(region({}))).toBe(false);
    expect(rollbackIsAbort(region({ phase: "succeeded" }))).toBe(false);
  });
});

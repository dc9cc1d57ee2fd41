import { describe, expect, it } from "vitest";
import { decide } from "./decide";
import { decideInput, healthy, inStage, MIN, observation, regionState, stageSamples, T0, transitionOf } from "./test-fixtures";
import type { DecideInput, EventDraft } from "./types";

const failureEvent = (input: Partial<DecideInput>, failure: string): EventDraft => {
  const events = transitionOf(decide(decideInput(input)), { failure }).events;
  return events[events.length - 1];
};
const breachAt = (to: number) => observation(to - 30_000, to, healthy({ errorRatePct: 1.2 }));

// A deploy or traffic move that fails leaves a region stuck until a person acts: each is flagged as an alert,
// as an inconclusive limit is, so whoever reads the events can tell what needs someone.
describe("provider failures are flagged as alerts", () => {
  it.each<[string, Partial<DecideInput>, string]>([
    ["a deploy that fails", { state: regionState({ phase: "deploying" }) }, "deploy.failed"],
    [
      "a move to the next stage that fails",
      { now: T0 + 5 * MIN, state: inStage(0, { lastSampleAt: T0 + 5 * MIN, lastVerdict: "pass" }), stageSamples: stageSamples(10) },
      "traffic.failed",
    ],
    [
      "a rollback after a breach that fails",
      { now: T0 + 2 * MIN, state: inStage(1, { lastSampleAt: T0 + MIN + 30_000, lastVerdict: "pass" }), observation: breachAt(T0 + 2 * MIN) },
      "traffic.failed",
    ],
    ["a requested abort that fails", { state: inStage(1, { requestedAction: "abort", requestedBy: "user:alice" }) }, "traffic.failed"],
    ["a requested rollback that fails", { state: inStage(1, { requestedAction: "rollback", requestedBy: "user:sam" }) }, "traffic.failed"],
    [
      "an emergency rollback that fails",
      { state: regionState({ phase: "succeeded", stageIndex: 4, canaryPct: 100, finishedAt: T0 - MIN, requestedAction: "rollback", requestedBy: "user:sam" }) },
      "traffic.failed",
    ],
  ])("%s", (_what, input, type) => {
    const event = failureEvent(input, "connection refused");
    expect(event.type).toBe(type);
    expect(event.data).toMatchObject({ alert: true, error: "connection refused" });
  });
});

import { describe, expect, it } from "vitest";
import { attemptWords, stepWords, wasRetried } from "./step-words";

describe("a step in words", () => {
  it.each([
    [{ kind: "deploy", colour: "green" }, "Deploy to green"],
    [{ kind: "setWeight", colour: "green", canaryPct: 50, reason: "stage" }, "Traffic: 50 % on green"],
    [{ kind: "setWeight", colour: "green", canaryPct: 0, reason: "rollback" }, "Rollback: 0 % on green"],
    [{ kind: "setWeight", colour: "blue", canaryPct: 0, reason: "abort" }, "Abort: 0 % on blue"],
    [null, "stage-2 / weight-50"],
  ] as const)("%j is %s", (effect, words) => {
    expect(stepWords({ key: "rr_1/a1/stage-2/weight-50", effect })).toBe(words);
  });

  it.each([
    [{ startedAt: 0, endedAt: null, outcome: "started" }, "in progress"],
    [{ startedAt: 0, endedAt: 20_000, outcome: "done" }, "done in 20 s"],
    [{ startedAt: 0, endedAt: 90_000, outcome: "interrupted" }, "interrupted (the process stopped; found 2 min later)"],
    [{ startedAt: 0, endedAt: 0, outcome: "found done after restart" }, "found done after restart"],
    [{ startedAt: 0, endedAt: 2_000, outcome: "failed: lb unreachable" }, "failed after 2 s: lb unreachable"],
  ])("attempt %j reads %s", (attempt, words) => {
    expect(attemptWords(attempt)).toBe(words);
  });

  it("a step tried more than once, or cut short, needs a second look", () => {
    const done = { startedAt: 0, endedAt: 1, outcome: "done" };
    expect(wasRetried({ attempts: [done] })).toBe(false);
    expect(wasRetried({ attempts: [{ ...done, outcome: "interrupted" }, done] })).toBe(true);
  });
});

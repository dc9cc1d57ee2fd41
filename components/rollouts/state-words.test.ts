import { describe, expect, it } from "vitest";
import { outcomeTone, pauseWords, rolloutStatusWords, stageWords } from "./state-words";

const byHand = { phase: "rolled_back" as const, rollback: { trigger: "manual" as const, by: "user:5c1a", byName: "Sam", at: 1 }, paused: false };
const byBreach = { phase: "rolled_back" as const, rollback: { trigger: "breach" as const, by: null, byName: null, at: 1 }, paused: false };
const succeeded = { phase: "succeeded" as const, rollback: null, paused: false };

describe("states in the right colours and words", () => {
  it("a person's rollback reads rolled back by name (manual), in amber, not a red failed", () => {
    expect(stageWords({ status: "failed" }, byHand)).toEqual({ words: "rolled back by Sam (manual)", box: expect.stringContaining("amber") });
    expect(outcomeTone(byHand)).toContain("amber");
    expect(rolloutStatusWords({ status: "failed", regions: [byHand, succeeded] })).toEqual({ words: "rolled back", look: expect.stringContaining("amber") });
  });

  it("a breach stays a red failure, on the stage and on the rollout", () => {
    expect(stageWords({ status: "failed" }, byBreach)).toEqual({ words: "failed", box: expect.stringContaining("red") });
    expect(outcomeTone(byBreach)).toContain("red");
    expect(rolloutStatusWords({ status: "failed", regions: [byHand, byBreach] }).words).toBe("failed");
  });

  it("success is green", () => {
    expect(outcomeTone(succeeded)).toContain("emerald");
    expect(rolloutStatusWords({ status: "succeeded", regions: [succeeded] }).look).toContain("emerald");
  });

  it("a paused region's running stage says paused", () => {
    expect(stageWords({ status: "running" }, { ...succeeded, phase: "canary" as const, paused: true }).words).toBe("paused");
    expect(stageWords({ status: "running" }, { ...succeeded, phase: "canary" as const }).words).toBe("running");
  });

  it("a pause reason that says who paused is not prefixed twice", () => {
    expect(pauseWords("paused by Sam: look at logs")).toBe("Paused by Sam: look at logs");
    expect(pauseWords("traffic could not be moved to 25 % on green")).toBe("Paused: traffic could not be moved to 25 % on green");
    expect(pauseWords(null)).toBe("Paused");
  });
});

import { describe, expect, it } from "vitest";
import type { SamplePoint } from "@/server/services/rollout-view";
import { availableActions, describeAction, inValidationStage, needsReason, type ControlRegion } from "./control-actions";
import { judgedWords, promotionWords } from "./stage-timeline";
import { unjudgedSamples } from "./unjudged-list";

const point = (at: number, verdict: SamplePoint["verdict"], reasons: string[] | null = null): SamplePoint => ({
  at,
  stageIndex: 1,
  canaryErrorRatePct: 0,
  canaryP95Ms: 100,
  baselineErrorRatePct: 0,
  baselineP95Ms: 100,
  maxErrorRatePct: 0.8,
  maxLatencyP95Ms: 450,
  canaryCpuPct: null,
  baselineCpuPct: null,
  canaryMemoryPct: null,
  baselineMemoryPct: null,
  canaryHealthStatus: null,
  baselineHealthStatus: null,
  maxCpuPct: null,
  maxMemoryPct: null,
  healthStatus: null,
  verdict,
  breached: [],
  reasons,
});

describe("the rollout page shows what went unjudged", () => {
  it("lists every inconclusive sample, newest first, with its reasons", () => {
    const list = unjudgedSamples([
      point(1, "inconclusive", ["no data for error rate"]),
      point(2, "pass"),
      point(3, "inconclusive", ["the metrics could not be read (timeout)"]),
      point(4, "breach", ["x"]),
    ]);
    expect(list).toEqual([
      { at: 3, stageIndex: 1, reasons: ["the metrics could not be read (timeout)"] },
      { at: 1, stageIndex: 1, reasons: ["no data for error rate"] },
    ]);
  });

  it.each([
    [{ pass: 0, breach: 0, inconclusive: 0 }, null],
    [{ pass: 8, breach: 0, inconclusive: 2 }, "8 of 10 samples judged, 2 inconclusive"],
    [{ pass: 1, breach: 0, inconclusive: 0 }, "1 of 1 sample judged"],
  ])("a stage with %j reads %s", (samples, words) => {
    expect(judgedWords(samples)).toBe(words);
  });

  it("names who promoted a stage, by name, and why", () => {
    const sam = { at: 1, actor: "user:5c1a", actorName: "Sam", regionId: "eu-west", stageIndex: 4, reason: "hotfix for INC-4211", validation: true };
    expect(promotionWords(sam)).toBe("validation skipped by Sam: “hotfix for INC-4211”");
    expect(promotionWords({ ...sam, actor: "user:9d2e", actorName: "Dana", stageIndex: 1, reason: null, validation: false })).toBe("promoted by Dana");
  });
});

describe("promote at the validation stage asks for the sre role and a reason", () => {
  const region = (stageIndex: number): ControlRegion => ({
    regionId: "eu-west",
    regionName: "EU West",
    phase: "canary",
    paused: false,
    fromColour: "blue",
    toColour: "green",
    canaryPct: 100,
    stagePercent: 100,
    stageIndex,
    stages: [1, 2, 3, 4, 5],
  });

  it("offers promote there only to an SRE, and asks for a reason", () => {
    expect(inValidationStage(region(4))).toBe(true);
    expect(availableActions(region(4), { control: true, rollback: true })).toEqual(["pause", "rollback"]);
    expect(availableActions(region(4), { control: true, rollback: true, skipValidation: true })).toEqual(["pause", "promote", "rollback"]);
    expect(needsReason("promote", region(4))).toBe(true);
    expect(describeAction("promote", region(4))).toMatchObject({ title: "Skip validation of eu-west", danger: true });
  });

  it("before the validation stage promote stays as it was, without a reason", () => {
    expect(availableActions(region(1), { control: true, rollback: true })).toEqual(["pause", "promote", "rollback"]);
    expect(needsReason("promote", region(1))).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { DEFAULT_ANALYSIS, DEFAULT_STAGES } from "@/server/config/schema";
import { analysisFromConfig, stagesFromConfig } from "./from-config";

describe("stagesFromConfig", () => {
  it("turns the spec's table into stage specs in milliseconds, validation checks only on the last", () => {
    const stages = stagesFromConfig(DEFAULT_STAGES);
    expect(stages.map((s) => [s.index, s.percent, s.maxErrorRatePct, s.maxLatencyP95Ms, s.durationMs / 60_000])).toEqual([
      [0, 10, 1.0, 500, 5],
      [1, 25, 0.8, 450, 5],
      [2, 50, 0.5, 400, 5],
      [3, 75, 0.3, 350, 5],
      [4, 100, 0.2, 300, 30],
    ]);
    expect(stages[0]).toMatchObject({ maxCpuPct: null, maxMemoryPct: null, healthStatus: null });
    expect(stages[4]).toMatchObject({ maxCpuPct: 70, maxMemoryPct: 70, healthStatus: 200 });
  });
});

describe("analysisFromConfig", () => {
  it("turns seconds into milliseconds and keeps the limits and the statistics' knobs, defaults as documented", () => {
    expect(analysisFromConfig(DEFAULT_ANALYSIS)).toEqual({
      intervalMs: 30_000,
      failureLimit: 1,
      inconclusiveLimit: 3,
      minRequests: 20,
      minJudgedFraction: 0.8,
      maxExtensionFactor: 1,
      confidence: 0.95,
      errorRatePass: "bound",
      compareToBaseline: true,
      maxErrorRateIncreasePct: 0.5,
      maxLatencyIncreasePct: 20,
    });
    expect(analysisFromConfig({ ...DEFAULT_ANALYSIS, intervalSeconds: 0.05 }).intervalMs).toBe(50);
  });
});

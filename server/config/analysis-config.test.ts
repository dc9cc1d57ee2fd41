import { describe, expect, it } from "vitest";
import { oneRegionDemoFleet } from "./config.fixtures";
import { parseConfig, regionSettings } from "./load";
import { DEFAULT_ANALYSIS } from "./schema";

const fleet = (analysis: string, regionAnalysis = "") => oneRegionDemoFleet({ top: analysis, region: regionAnalysis });

describe("analysis config: the statistics' knobs", () => {
  it("defaults: 80 % of a stage judged, one duration of extension, 95 % confidence, bounds to pass, compared with the old colour", () => {
    expect(DEFAULT_ANALYSIS).toEqual({
      intervalSeconds: 30,
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
    expect(parseConfig(fleet(""), {}).config!.analysis).toEqual(DEFAULT_ANALYSIS);
  });

  it("a region that sets one field keeps the fleet's others (not the defaults)", () => {
    const { config, problems } = parseConfig(fleet("analysis: { failureLimit: 2, confidence: 0.99 }", "    analysis: { intervalSeconds: 5 }"), {});
    expect(problems).toEqual([]);
    expect(regionSettings(config!, config!.regions[0]).analysis).toEqual({ ...DEFAULT_ANALYSIS, failureLimit: 2, confidence: 0.99, intervalSeconds: 5 });
  });

  it.each([
    ["minJudgedFraction: 1.5", "analysis.minJudgedFraction", "expected a number from 0 to 1, got 1.5"],
    ["confidence: 0.3", "analysis.confidence", "expected a number from 0.5 to 0.9999, got 0.3"],
    ["maxExtensionFactor: -1", "analysis.maxExtensionFactor", "expected a number from 0 to 10, got -1"],
    ["errorRatePass: always", "analysis.errorRatePass", 'expected "bound" or "observed", got "always"'],
    ["compareToBaseline: sometimes", "analysis.compareToBaseline", 'expected boolean, got "sometimes"'],
  ])("refuses %s with the path and what was expected", (field, path, message) => {
    expect(parseConfig(fleet(`analysis: { ${field} }`), {}).problems).toContainEqual({ path, message });
  });
});

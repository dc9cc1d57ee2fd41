import { describe, expect, it } from "vitest";
import { analyseCause, assessSample } from "./analysis";
import { describeCause } from "./messages";
import { ANALYSIS, healthy, observation, STAGES, T0 } from "./test-fixtures";
import type { Measurement } from "./types";

const judge = (stageIndex: number, canary: Measurement, baseline: Measurement | null = healthy()) =>
  assessSample(STAGES[stageIndex], ANALYSIS, observation(T0, T0 + 30_000, canary, baseline));

describe("assessSample: thresholds are 'at most', a value equal to the limit passes", () => {
  const errorRates = STAGES.map((s, i) => [i, s.percent, s.maxErrorRatePct] as const);
  it.each(errorRates)("stage %i (%i %): error rate at, just under and just over %f %", (i, _percent, limit) => {
    expect(judge(i, healthy({ errorRatePct: limit })).verdict).toBe("pass");
    expect(judge(i, healthy({ errorRatePct: limit - 0.01 })).verdict).toBe("pass");
    const over = judge(i, healthy({ errorRatePct: limit + 0.01 }));
    expect(over.verdict).toBe("breach");
    expect(over.cause.map((c) => c.metric)).toEqual(["error_rate"]);
  });

  const latencies = STAGES.map((s, i) => [i, s.percent, s.maxLatencyP95Ms] as const);
  it.each(latencies)("stage %i (%i %): p95 latency at, just under and just over %f ms", (i, _percent, limit) => {
    expect(judge(i, healthy({ latencyP95Ms: limit })).verdict).toBe("pass");
    expect(judge(i, healthy({ latencyP95Ms: limit - 0.1 })).verdict).toBe("pass");
    const over = judge(i, healthy({ latencyP95Ms: limit + 0.1 }));
    expect(over.verdict).toBe("breach");
    expect(over.cause).toEqual([expect.objectContaining({ metric: "latency_p95", threshold: limit, unit: "ms" })]);
  });

  it.each([
    ["cpu", { cpuPct: 70 }, "pass"],
    ["cpu", { cpuPct: 69.9 }, "pass"],
    ["cpu", { cpuPct: 70.1 }, "breach"],
    ["memory", { memoryPct: 70 }, "pass"],
    ["memory", { memoryPct: 69.9 }, "pass"],
    ["memory", { memoryPct: 70.1 }, "breach"],
    ["health", { healthStatus: 200 }, "pass"],
    ["health", { healthStatus: 503 }, "breach"],
    ["health", { healthStatus: 204 }, "breach"],
  ] as const)("validation stage at 100 %%: %s %j is a %s", (metric, values, verdict) => {
    const result = judge(4, healthy(values));
    expect(result.verdict).toBe(verdict);
    expect(result.cause.map((c) => c.metric)).toEqual(verdict === "breach" ? [metric] : []);
  });

  it("does not check CPU, memory or health before the validation stage", () => {
    expect(judge(0, healthy({ cpuPct: 95, memoryPct: 95, healthStatus: 500 })).verdict).toBe("pass");
  });

  it("gives reasons a person can read", () => {
    expect(judge(1, healthy({ errorRatePct: 0.4, latencyP95Ms: 300 })).reasons).toEqual(["error rate 0.4 % ≤ 0.8 %", "p95 latency 300 ms ≤ 450 ms"]);
    expect(judge(4, healthy({ healthStatus: 503 })).reasons).toContain("health status 503, expected 200");
  });
});

describe("assessSample: too little traffic or no data is inconclusive, never a pass", () => {
  it.each([
    ["fewer requests than minRequests", 0, { requests: 19 }, "inconclusive", "only 19 requests in the window, fewer than the 20 needed"],
    ["exactly minRequests", 0, { requests: 20 }, "pass", null],
    ["no request count", 0, { requests: null }, "inconclusive", "no request count"],
    ["no error rate", 0, { errorRatePct: null }, "inconclusive", "no data for error rate"],
    ["no p95 latency", 2, { latencyP95Ms: null }, "inconclusive", "no data for p95 latency"],
    ["a NaN latency", 2, { latencyP95Ms: Number.NaN }, "inconclusive", "no data for p95 latency"],
    ["no CPU at validation", 4, { cpuPct: null }, "inconclusive", "no data for CPU"],
    ["no memory at validation", 4, { memoryPct: undefined }, "inconclusive", "no data for memory"],
    ["no health at validation", 4, { healthStatus: null }, "inconclusive", "no data for health status"],
  ] as const)("%s → %s", (_name, stageIndex, values, verdict, gap) => {
    const result = judge(stageIndex, healthy(values));
    expect(result.verdict).toBe(verdict);
    if (gap) expect(result.gaps.join("; ")).toContain(gap);
    else expect(result.gaps).toEqual([]);
  });

  it("does not judge error rate on a handful of requests (5 requests, 1 error is no 20 % error rate)", () => {
    const result = judge(0, healthy({ requests: 5, errorRatePct: 20 }));
    expect(result.verdict).toBe("inconclusive");
    expect(result.cause).toEqual([]);
  });

  it("still judges health on little traffic: a failing health check is a breach", () => {
    const result = judge(4, healthy({ requests: 3, healthStatus: 503 }));
    expect(result.verdict).toBe("breach");
    expect(result.cause.map((c) => c.metric)).toEqual(["health"]);
  });

  it("a metrics store that could not be read is inconclusive, and the sample says what failed", () => {
    const none = { requests: null, errorRatePct: null, latencyP95Ms: null, cpuPct: null, memoryPct: null, healthStatus: null };
    const result = assessSample(STAGES[0], ANALYSIS, { ...observation(T0, T0 + 30_000, none, none), metricsError: "Prometheus at http://prom:9090 cannot be reached: ECONNREFUSED (is it down?)" });
    expect(result.verdict).toBe("inconclusive");
    expect(result.gaps[0]).toBe("the metrics could not be read (Prometheus at http://prom:9090 cannot be reached: ECONNREFUSED (is it down?))");
  });

  it("a breach beats missing data on another metric", () => {
    expect(judge(1, healthy({ errorRatePct: 2, latencyP95Ms: null })).verdict).toBe("breach");
  });
});

describe("analyseCause", () => {
  it("spec example: 25 % stage, error rate 1.2 % and p95 420 ms blames the error rate only", () => {
    const result = judge(1, healthy({ errorRatePct: 1.2, latencyP95Ms: 420 }), healthy({ errorRatePct: 0.1, latencyP95Ms: 200 }));
    expect(result.verdict).toBe("breach");
    expect(result.cause).toEqual([{ metric: "error_rate", observed: 1.2, threshold: 0.8, unit: "%", baseline: 0.1, baselineAlsoBreaches: false }]);
    expect(describeCause(result.cause, STAGES[1], "blue")).toBe("error rate 1.2 % > 0.8 % at the 25 % stage");
  });

  it("names every metric that truly breached", () => {
    const cause = analyseCause(STAGES[1], healthy({ errorRatePct: 1.2, latencyP95Ms: 480 }), null);
    expect(cause.map((c) => [c.metric, c.observed, c.threshold])).toEqual([
      ["error_rate", 1.2, 0.8],
      ["latency_p95", 480, 450],
    ]);
    expect(describeCause(cause, STAGES[1], "blue")).toBe("error rate 1.2 % > 0.8 % and p95 latency 480 ms > 450 ms at the 25 % stage");
  });

  it("notes when the old colour breaches the same limit: the release may not be the cause", () => {
    const cause = analyseCause(STAGES[1], healthy({ errorRatePct: 1.2 }), healthy({ errorRatePct: 1.5 }));
    expect(cause).toEqual([expect.objectContaining({ metric: "error_rate", baseline: 1.5, baselineAlsoBreaches: true })]);
    expect(describeCause(cause, STAGES[1], "blue")).toBe(
      "error rate 1.2 % > 0.8 % at the 25 % stage; blue shows the same (error rate 1.5 %), so the release may not be the cause",
    );
  });

  it.each([
    ["no baseline at all", null],
    ["a baseline without that metric", healthy({ errorRatePct: null })],
  ])("with %s the baseline is null and not blamed", (_name, baseline) => {
    expect(analyseCause(STAGES[1], healthy({ errorRatePct: 1.2 }), baseline)).toEqual([
      { metric: "error_rate", observed: 1.2, threshold: 0.8, unit: "%", baseline: null, baselineAlsoBreaches: false },
    ]);
  });

  it("a baseline within the limit does not share the blame", () => {
    const [item] = analyseCause(STAGES[4], healthy({ healthStatus: 503 }), healthy({ healthStatus: 200 }));
    expect(item).toEqual({ metric: "health", observed: 503, threshold: 200, unit: "status", baseline: 200, baselineAlsoBreaches: false });
  });
});

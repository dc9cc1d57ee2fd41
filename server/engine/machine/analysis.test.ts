import { describe, expect, it } from "vitest";
import { analyseCause, assessSample } from "./analysis";
import { describeCause } from "./messages";
import { ANALYSIS, healthy, observation, STAGES, T0 } from "./test-fixtures";
import type { AnalysisSpec, Measurement, StageSample } from "./types";

const judge = (
  stageIndex: number,
  canary: Measurement,
  baseline: Measurement | null = healthy(),
  earlier: StageSample[] = [],
  analysis: AnalysisSpec = ANALYSIS,
) => assessSample(STAGES[stageIndex], analysis, observation(T0, T0 + 30_000, canary, baseline), earlier);
/** An earlier sample of the stage with these counts (and p95s). */
const earlierSample = (
  requests: number,
  errors: number,
  p95 = 180,
  base: { requests: number; errors: number; p95: number } | null = { requests: 5000, errors: 3, p95: 180 },
  i = 0,
): StageSample => ({
  takenAt: T0 - (i + 1) * 30_000,
  verdict: "pass",
  gaps: [],
  canary: { requests, errors, latencyP95Ms: p95 },
  baseline: base && { requests: base.requests, errors: base.errors, latencyP95Ms: base.p95 },
});

describe("assessSample: the error rate is judged on counts with one-sided 95 % Clopper–Pearson bounds", () => {
  it.each<[string, number, Partial<Measurement>, "breach" | "pass" | "inconclusive"]>([
    ["4 errors in 5 requests breaches at once at the 1 % limit (lower bound 34 %)", 0, { requests: 5, errorRatePct: 80 }, "breach"],
    ["0 errors in 5 requests stays inconclusive (upper bound 45 %)", 0, { requests: 5, errorRatePct: 0 }, "inconclusive"],
    ["12 errors in 1,000 requests at the 0.8 % limit breaches", 1, { requests: 1000, errorRatePct: 1.2 }, "breach"],
    ["1 error in 5 requests breaches at 1 %: its lower bound 1.02 % is over the limit", 0, { requests: 5, errors: 1, errorRatePct: 20 }, "breach"],
    ["1 error in 6 requests is no breach: lower bound 0.85 %, fewer than minRequests", 0, { requests: 6, errors: 1, errorRatePct: 16.7 }, "inconclusive"],
    ["1 error in 20 requests breaches: from minRequests on, the observed 5 % counts", 0, { requests: 20, errors: 1, errorRatePct: 5 }, "breach"],
    ["0 errors in 60 requests cannot pass the 1 % limit (upper bound 4.9 %)", 0, { requests: 60, errorRatePct: 0 }, "inconclusive"],
    ["0 errors in 300 requests passes the 1 % limit (upper bound 0.99 %)", 0, { requests: 300, errorRatePct: 0 }, "pass"],
  ])("%s", (_name, stageIndex, values, verdict) => {
    expect(judge(stageIndex, healthy(values), null).verdict).toBe(verdict);
  });

  it("a breach on a handful of requests names the bound and the counts", () => {
    const result = judge(0, healthy({ requests: 5, errorRatePct: 80 }), null);
    expect(result.cause).toEqual([
      expect.objectContaining({
        metric: "error_rate",
        observed: 80,
        threshold: 1,
        test: expect.objectContaining({ kind: "bound", scope: "sample", requests: 5, errors: 4, confidence: 0.95 }),
      }),
    ]);
    expect(result.cause[0].test).toMatchObject({ lowerPct: expect.closeTo(34.259, 3) });
    expect(describeCause(result.cause, STAGES[0], "blue")).toBe(
      "error rate 80 % (95 % lower bound 34.3 %) over the 1 % limit, 4 errors in 5 requests at the 10 % stage",
    );
  });

  it("an undecided error rate says why, in numbers", () => {
    const result = judge(0, healthy({ requests: 60, errorRatePct: 0 }), null);
    expect(result.gapKinds).toEqual(["undecided"]);
    expect(result.gaps).toEqual(["error rate 0 % over 60 requests: its 95 % upper bound 4.9 % is above the 1 % limit, too few requests to tell"]);
  });

  it("accumulates the stage: three windows of 1 error in 6 requests breach together (3 in 18, lower bound 4.7 %)", () => {
    const first = judge(0, healthy({ requests: 6, errors: 1, errorRatePct: 16.7 }), null);
    expect(first.verdict).toBe("inconclusive");
    const third = judge(0, healthy({ requests: 6, errors: 1, errorRatePct: 16.7 }), null, [
      earlierSample(6, 1, 180, null, 1),
      earlierSample(6, 1, 180, null, 0),
    ]);
    expect(third.verdict).toBe("breach");
    expect(third.cause[0].test).toMatchObject({ kind: "bound", scope: "stage", requests: 18, errors: 3 });
    expect(describeCause(third.cause, STAGES[0], "blue")).toBe(
      "error rate 16.7 % (95 % lower bound 4.7 %) over the 1 % limit, 3 errors in 18 requests of the stage so far at the 10 % stage",
    );
  });

  it("accumulates the stage: 0 errors in 100 requests passes the 1 % limit on the third window (0 in 300)", () => {
    const window = healthy({ requests: 100, errorRatePct: 0 });
    expect(judge(0, window, null, [earlierSample(100, 0, 180, null)]).verdict).toBe("inconclusive");
    expect(judge(0, window, null, [earlierSample(100, 0, 180, null, 1), earlierSample(100, 0, 180, null, 0)]).verdict).toBe("pass");
  });

  it("errorRatePass 'observed' (labs, demo fleets): 0 errors in 60 requests passes over minRequests; breaches unchanged", () => {
    const observed = { ...ANALYSIS, errorRatePass: "observed" as const };
    expect(judge(0, healthy({ requests: 60, errorRatePct: 0 }), null, [], observed).verdict).toBe("pass");
    expect(judge(0, healthy({ requests: 19, errorRatePct: 0 }), null, [], observed).verdict).toBe("inconclusive");
    expect(judge(0, healthy({ requests: 5, errorRatePct: 80 }), null, [], observed).verdict).toBe("breach");
  });

  it("stores the figures behind the verdict: the window's and the stage's counts and bounds", () => {
    const result = judge(0, healthy({ requests: 100, errorRatePct: 0 }), null, [earlierSample(100, 0, 180, null)]);
    expect(result.judgement).toMatchObject({ confidence: 0.95, environment: false, gaps: ["undecided"] });
    expect(result.judgement.errorRate).toEqual([
      { scope: "sample", requests: 100, errors: 0, ratePct: 0, lowerPct: 0, upperPct: expect.closeTo(2.951, 3) },
      { scope: "stage", requests: 200, errors: 0, ratePct: 0, lowerPct: 0, upperPct: expect.closeTo(1.487, 3) },
    ]);
  });
});

describe("assessSample: limits are 'at most' for error rate and p95, 'below' for CPU and memory", () => {
  const errorRates = STAGES.map((s, i) => [i, s.percent, s.maxErrorRatePct] as const);
  it.each(errorRates)("stage %i (%i %): error rate at the %f % limit is no breach, a quarter of it passes, just over breaches", (i, _percent, limit) => {
    expect(judge(i, healthy({ errorRatePct: limit }), null).verdict).toBe("inconclusive");
    expect(judge(i, healthy({ errorRatePct: limit / 4 }), null).verdict).toBe("pass");
    const over = judge(i, healthy({ errorRatePct: limit + 0.01 }), null);
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
    ["cpu", { cpuPct: 70 }, "breach"],
    ["cpu", { cpuPct: 69.9 }, "pass"],
    ["cpu", { cpuPct: 70.1 }, "breach"],
    ["memory", { memoryPct: 70 }, "breach"],
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

  it("CPU and memory at exactly 70 % read as not below the limit", () => {
    const result = judge(4, healthy({ cpuPct: 70, memoryPct: 70 }));
    expect(describeCause(result.cause, STAGES[4], "blue")).toBe("CPU 70 % ≥ 70 % and memory 70 % ≥ 70 % at the 100 % stage");
    expect(judge(4, healthy({ cpuPct: 35 })).reasons).toContain("CPU 35 % < 70 %");
  });

  it("does not check CPU, memory or health before the validation stage", () => {
    expect(judge(0, healthy({ cpuPct: 95, memoryPct: 95, healthStatus: 500 })).verdict).toBe("pass");
  });

  it("gives reasons a person can read", () => {
    expect(judge(1, healthy({ errorRatePct: 0.2, latencyP95Ms: 300 })).reasons.slice(0, 2)).toEqual([
      "error rate 0.2 % ≤ 0.8 % (95 % upper bound 0.34 % over 5,000 requests)",
      "p95 latency 300 ms ≤ 450 ms",
    ]);
    expect(judge(4, healthy({ healthStatus: 503 })).reasons).toContain("health status 503, expected 200");
  });
});

describe("assessSample: too little traffic or no data is inconclusive, never a pass", () => {
  it.each([
    [
      "fewer requests than minRequests",
      0,
      { requests: 19 },
      "inconclusive",
      "only 19 requests in the window, fewer than the 20 needed, so p95 latency cannot be judged",
    ],
    ["no request count", 0, { requests: null }, "inconclusive", "no request count"],
    ["no requests at all", 0, { requests: 0 }, "inconclusive", "no requests in the window"],
    ["no error rate", 0, { errorRatePct: null }, "inconclusive", "no data for error rate"],
    ["no p95 latency", 2, { latencyP95Ms: null }, "inconclusive", "no data for p95 latency"],
    ["a NaN latency", 2, { latencyP95Ms: Number.NaN }, "inconclusive", "no data for p95 latency"],
    ["no CPU at validation", 4, { cpuPct: null }, "inconclusive", "no data for CPU"],
    ["no memory at validation", 4, { memoryPct: undefined }, "inconclusive", "no data for memory"],
    ["no health at validation", 4, { healthStatus: null }, "inconclusive", "no data for health status"],
    ["enough requests everywhere", 0, {}, "pass", null],
  ] as const)("%s → %s", (_name, stageIndex, values, verdict, gap) => {
    const result = judge(stageIndex, healthy(values));
    expect(result.verdict).toBe(verdict);
    if (gap) expect(result.gaps.join("; ")).toContain(gap);
    else expect(result.gaps).toEqual([]);
  });

  it("still judges health on little traffic: a failing health check is a breach", () => {
    const result = judge(4, healthy({ requests: 3, healthStatus: 503 }));
    expect(result.verdict).toBe("breach");
    expect(result.cause.map((c) => c.metric)).toEqual(["health"]);
  });

  it("a metrics store that could not be read is inconclusive, and the sample says what failed", () => {
    const none = { requests: null, errorRatePct: null, latencyP95Ms: null, cpuPct: null, memoryPct: null, healthStatus: null };
    const result = assessSample(STAGES[0], ANALYSIS, {
      ...observation(T0, T0 + 30_000, none, none),
      metricsError: "Prometheus at http://prom:9090 cannot be reached: ECONNREFUSED (is it down?)",
    });
    expect(result.verdict).toBe("inconclusive");
    expect(result.gaps[0]).toBe("the metrics could not be read (Prometheus at http://prom:9090 cannot be reached: ECONNREFUSED (is it down?))");
    expect(result.gapKinds).toEqual(["metrics_error", "no_data"]);
  });

  it("a breach beats missing data on another metric", () => {
    expect(judge(1, healthy({ errorRatePct: 2, latencyP95Ms: null })).verdict).toBe("breach");
  });
});

describe("assessSample: against the old colour", () => {
  const p95s = (canary: number[], base: number[]) => canary.map((c, i) => earlierSample(5000, 3, c, { requests: 5000, errors: 3, p95: base[i] }, i));

  it("an error rate 0.8 points above the old colour's on 5,000 requests each is a breach under the absolute limit (p = 0.017)", () => {
    const result = judge(0, healthy({ errorRatePct: 0.9 }), healthy({ errorRatePct: 0.1 }));
    expect(result.verdict).toBe("breach");
    expect(result.cause).toEqual([
      expect.objectContaining({
        metric: "error_rate",
        observed: expect.closeTo(0.9, 9),
        baseline: expect.closeTo(0.1, 9),
        test: expect.objectContaining({ kind: "baseline", test: "two-proportion", margin: 0.5 }),
      }),
    ]);
    expect(result.cause[0].test).toMatchObject({ pValue: expect.closeTo(0.0166, 4), effect: expect.closeTo(0.8, 9) });
    expect(describeCause(result.cause, STAGES[0], "blue")).toBe(
      "error rate 0.9 %, 0.8 points above blue's 0.1 % (more than the 0.5 allowed; p = 0.017) at the 10 % stage",
    );
  });

  it.each<[string, Partial<AnalysisSpec>, number]>([
    ["an excess within the 0.5 points allowed is no breach", {}, 0.6],
    ["with compareToBaseline off the old colour is not compared", { compareToBaseline: false }, 0.9],
  ])("%s", (_name, analysis, canaryPct) => {
    const result = judge(0, healthy({ errorRatePct: canaryPct }), healthy({ errorRatePct: 0.1 }), [], { ...ANALYSIS, ...analysis });
    expect(result.verdict).not.toBe("breach");
  });

  it("p95s 50 % above the old colour's over the stage are a breach (Mann–Whitney), well under the absolute limit", () => {
    const earlier = p95s([300, 305, 310, 298], [200, 204, 198, 202]);
    const result = judge(0, healthy({ latencyP95Ms: 303 }), healthy({ latencyP95Ms: 201 }), earlier);
    expect(result.verdict).toBe("breach");
    expect(result.cause).toEqual([
      expect.objectContaining({
        metric: "latency_p95",
        observed: 303,
        baseline: 201,
        test: expect.objectContaining({ kind: "baseline", test: "mann-whitney", samples: { canary: 5, baseline: 5 } }),
      }),
    ]);
    expect(describeCause(result.cause, STAGES[0], "blue")).toMatch(
      /^p95 latency 303 ms \(median of the stage's samples\), 50\.75 % above blue's 201 ms \(more than the 20 % allowed; Mann–Whitney p = 0\.00\d over 5 and 5 samples\) at the 10 % stage$/,
    );
  });

  it.each<[string, boolean, string]>([
    ["an interim look (the stage's time not up) needs p < 0.001, so p = 0.017 waits for more evidence", false, "inconclusive"],
    ["the stage's final look uses the nominal 95 %, so p = 0.017 is a breach", true, "breach"],
  ])("%s", (_name, finalLook, verdict) => {
    const result = assessSample(STAGES[0], ANALYSIS, observation(T0, T0 + 30_000, healthy({ errorRatePct: 0.9 }), healthy({ errorRatePct: 0.1 })), [], {
      finalLook,
    });
    expect(result.verdict).toBe(verdict);
  });

  it("p95s 10 % above the old colour's are within the 20 % allowed", () => {
    const earlier = p95s([220, 222, 218, 221], [200, 202, 198, 201]);
    expect(judge(0, healthy({ latencyP95Ms: 220 }), healthy({ latencyP95Ms: 200 }), earlier).verdict).toBe("pass");
  });

  it("fewer than 3 p95s a side are not compared", () => {
    const result = judge(0, healthy({ latencyP95Ms: 400 }), healthy({ latencyP95Ms: 200 }), p95s([400], [200]));
    expect(result.verdict).toBe("pass");
    expect(result.judgement.baseline?.latency).toBeUndefined();
  });

  it("an old colour with no traffic is not compared, and the judgement says so", () => {
    const result = judge(0, healthy({ errorRatePct: 0.9 }), healthy({ requests: 0, errorRatePct: null }));
    expect(result.verdict).not.toBe("breach");
    expect(result.judgement.baseline).toEqual({ skipped: "the old colour has no requests in the stage so far, so it is not compared" });
  });

  it("a metric over its limit and worse than the old colour is one cause with both tests", () => {
    const result = judge(1, healthy({ errorRatePct: 1.2, latencyP95Ms: 420 }), healthy({ errorRatePct: 0.1, latencyP95Ms: 200 }));
    expect(result.cause).toEqual([
      expect.objectContaining({
        metric: "error_rate",
        observed: 1.2,
        threshold: 0.8,
        baseline: 0.1,
        baselineAlsoBreaches: false,
        test: { kind: "limit", scope: "sample", requests: 5000, errors: 60 },
      }),
    ]);
    expect(describeCause(result.cause, STAGES[1], "blue")).toBe("error rate 1.2 % > 0.8 %, 1.1 points above blue's 0.1 % (p < 0.001) at the 25 % stage");
  });
});

describe("assessSample: an environment problem is not the release's fault", () => {
  it("both colours over the 0.8 % limit and the new one no worse: inconclusive, marked as an environment problem", () => {
    const result = judge(1, healthy({ errorRatePct: 1.5 }), healthy({ errorRatePct: 1.6 }));
    expect(result.verdict).toBe("inconclusive");
    expect(result.judgement.environment).toBe(true);
    expect(result.cause).toEqual([expect.objectContaining({ metric: "error_rate", observed: 1.5, baseline: 1.6, baselineAlsoBreaches: true })]);
  });

  it("both over the limit but the new colour significantly worse by more than the margin: a breach", () => {
    const result = judge(1, healthy({ errorRatePct: 3 }), healthy({ errorRatePct: 1.5 }));
    expect(result.verdict).toBe("breach");
    expect(result.judgement.environment).toBe(false);
  });

  it("with compareToBaseline off, both over the limit is a breach with the old note", () => {
    const result = judge(1, healthy({ errorRatePct: 1.2 }), healthy({ errorRatePct: 1.5 }), [], { ...ANALYSIS, compareToBaseline: false });
    expect(result.verdict).toBe("breach");
    expect(describeCause(result.cause, STAGES[1], "blue")).toBe(
      "error rate 1.2 % > 0.8 % at the 25 % stage; blue shows the same (error rate 1.5 %), so the release may not be the cause",
    );
  });
});

describe("analyseCause (observed values of one window)", () => {
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

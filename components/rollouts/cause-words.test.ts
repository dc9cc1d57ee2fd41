import { describe, expect, it } from "vitest";
import { causeWords } from "./cause-words";

describe("causeWords: each test with its evidence", () => {
  it.each([
    [
      "the limit, with the baseline",
      [{ metric: "error_rate", observed: 1.2, threshold: 0.8, unit: "%", baseline: 0.3, baselineAlsoBreaches: false }],
      "error rate 1.2 % over the 0.8 % limit (baseline 0.3 %)",
    ],
    [
      "a confidence bound on a handful of requests",
      [
        {
          metric: "error_rate",
          observed: 80,
          threshold: 1,
          unit: "%",
          baseline: null,
          baselineAlsoBreaches: false,
          test: { kind: "bound", scope: "sample", requests: 5, errors: 4, lowerPct: 34.2592, confidence: 0.95 },
        },
      ],
      "error rate 80 % over the 1 % limit (95 % lower bound 34.3 %, 4 errors in 5 requests)",
    ],
    [
      "the limit and the baseline test on the same metric",
      [
        {
          metric: "error_rate",
          observed: 4.2,
          threshold: 1,
          unit: "%",
          baseline: 0.4,
          baselineAlsoBreaches: false,
          test: { kind: "limit", scope: "sample", requests: 1000, errors: 42 },
          versus: { kind: "baseline", test: "two-proportion", pValue: 0.0004, effect: 3.8, margin: 0.5 },
        },
      ],
      "error rate 4.2 % over the 1 % limit (baseline 0.4 %; 3.8 points above the baseline, p < 0.001)",
    ],
    [
      "a significant excess over the baseline alone",
      [
        {
          metric: "error_rate",
          observed: 0.9,
          threshold: 0.6,
          unit: "%",
          baseline: 0.1,
          baselineAlsoBreaches: false,
          test: { kind: "baseline", test: "two-proportion", pValue: 0.0166, effect: 0.8, margin: 0.5 },
        },
      ],
      "error rate 0.9 %, 0.8 points above the baseline's 0.1 % (more than the 0.5 allowed; p = 0.017)",
    ],
    [
      "latency against the baseline (Mann–Whitney)",
      [
        {
          metric: "latency_p95",
          observed: 303,
          threshold: 241.2,
          unit: "ms",
          baseline: 201,
          baselineAlsoBreaches: false,
          test: { kind: "baseline", test: "mann-whitney", pValue: 0.0061, effect: 50.75, margin: 20 },
        },
      ],
      "p95 latency 303 ms (median), 50.8 % above the baseline's 201 ms (more than the 20 % allowed; Mann–Whitney p = 0.006)",
    ],
    [
      "memory at exactly its limit",
      [{ metric: "memory", observed: 70, threshold: 70, unit: "%", baseline: 40, baselineAlsoBreaches: false }],
      "memory 70 % at the 70 % limit (baseline 40 %)",
    ],
  ] as const)("%s", (_name, cause, words) => {
    expect(causeWords(cause as never)).toBe(words);
  });
});

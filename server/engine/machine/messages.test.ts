import { describe, expect, it } from "vitest";
import { describeBreach } from "./messages";
import type { CauseItem } from "./types";

const rate = (item: Partial<CauseItem>): CauseItem => ({
  metric: "error_rate",
  observed: 50,
  threshold: 1,
  unit: "%",
  baseline: null,
  baselineAlsoBreaches: false,
  ...item,
});

describe("a breach in words", () => {
  it.each<[string, CauseItem, string]>([
    [
      "one error in one request is singular",
      rate({ observed: 100, test: { kind: "bound", scope: "sample", requests: 1, errors: 1, lowerPct: 5, confidence: 0.95 } }),
      "error rate 100 % (95 % lower bound 5 %) over the 1 % limit, 1 error in 1 request",
    ],
    [
      "the baseline test, run on the stage's counts, names the stage's rate when the window's differs",
      rate({
        observed: 50,
        baseline: 0,
        test: { kind: "limit", scope: "sample", requests: 2, errors: 1 },
        versus: { kind: "baseline", test: "two-proportion", pValue: 0.008, effect: 66.67, margin: 0.5 },
      }),
      "error rate 50 % > 1 %, 66.7 % over the stage so far against blue's 0 % (66.67 points more; p = 0.008)",
    ],
    [
      "and keeps to the difference when the two are the same",
      rate({
        observed: 1.2,
        threshold: 0.8,
        baseline: 0.06,
        test: { kind: "limit", scope: "sample", requests: 5000, errors: 60 },
        versus: { kind: "baseline", test: "two-proportion", pValue: 1e-12, effect: 1.14, margin: 0.5 },
      }),
      "error rate 1.2 % > 0.8 %, 1.14 points above blue's 0.06 % (p < 0.001)",
    ],
  ])("%s", (_name, item, words) => {
    expect(describeBreach(item, "blue")).toBe(words);
  });
});

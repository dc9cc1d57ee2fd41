import { describe, expect, it } from "vitest";
import type { CauseItem } from "@/server/engine/machine/types";
import { describeCauseItem, describeCauseLine } from "./notify-content";

const rate = (over: Partial<CauseItem>): CauseItem => ({
  metric: "error_rate",
  observed: 1.2,
  threshold: 0.8,
  unit: "%",
  baseline: 0.06,
  baselineAlsoBreaches: false,
  ...over,
});

describe("the card's cause line names each test with its evidence", () => {
  it.each<[string, CauseItem, string]>([
    ["the limit alone, as before", rate({}), "Error rate 1.2% > 0.8% threshold"],
    [
      "a confidence bound on few requests",
      rate({ observed: 80, threshold: 1, test: { kind: "bound", scope: "sample", requests: 5, errors: 4, lowerPct: 34.2592, confidence: 0.95 } }),
      "Error rate 80% > 1% threshold (95% lower bound 34.3%, 4 errors in 5 requests)",
    ],
    [
      "the limit and worse than the old colour",
      rate({
        test: { kind: "limit", scope: "sample", requests: 5000, errors: 60 },
        versus: { kind: "baseline", test: "two-proportion", pValue: 1e-9, effect: 1.14, margin: 0.5 },
      }),
      "Error rate 1.2% > 0.8% threshold (1.14 points above the old colour, p < 0.001)",
    ],
    [
      "worse than the old colour only",
      rate({ observed: 0.9, threshold: 0.6, baseline: 0.1, test: { kind: "baseline", test: "two-proportion", pValue: 0.0166, effect: 0.8, margin: 0.5 } }),
      "Error rate 0.9%, 0.8 points above the old colour's 0.1% (more than 0.5 allowed; p = 0.017)",
    ],
    [
      "memory at exactly 70 %",
      { metric: "memory", observed: 70, threshold: 70, unit: "%", baseline: 40, baselineAlsoBreaches: false },
      "Memory 70% ≥ 70% threshold",
    ],
  ])("%s", (_name, item, words) => {
    expect(describeCauseItem(item)).toBe(words);
  });

  it("keeps the note when the old colour breaches too", () => {
    expect(describeCauseLine([rate({ baseline: 1.5, baselineAlsoBreaches: true })], "blue")).toBe(
      "Error rate 1.2% > 0.8% threshold. Blue shows the same (Error rate 1.5%): the release may not be the cause",
    );
  });
});

import { describe, expect, it } from "vitest";
import { compareLocations, compareRates, median, rateBounds } from "./statistics";

// Reference values from SciPy 1.17 (scipy.stats.beta.ppf, mannwhitneyu(..., method="asymptotic"), norm.sf).
describe("rateBounds: one-sided Clopper–Pearson bounds at 95 %", () => {
  it.each([
    [4, 5, 0.3425916819988613, 0.9897937816869885],
    [12, 1000, 0.00693838804786669, 0.019370199285059248],
    [0, 5, 0, 0.450719728346941],
    [1, 20, 0.0025613787765302806, 0.2161061642068473],
    [3, 100, 0.008225829107652688, 0.07571079374983004],
  ])("%i errors in %i requests: lower %f, upper %f", (errors, requests, lower, upper) => {
    const bounds = rateBounds(errors, requests, 0.95);
    expect(bounds.rate).toBeCloseTo(errors / requests, 12);
    expect(bounds.lower).toBeCloseTo(lower, 9);
    expect(bounds.upper).toBeCloseTo(upper, 9);
  });

  it("0 of n has the closed-form upper bound 1 − α^(1/n)", () => {
    expect(rateBounds(0, 10, 0.95).upper).toBeCloseTo(1 - 0.05 ** (1 / 10), 12);
  });

  it("every request failing has upper bound 1", () => {
    expect(rateBounds(5, 5, 0.95).upper).toBe(1);
  });

  it("refuses counts that cannot be", () => {
    expect(() => rateBounds(6, 5, 0.95)).toThrow("0 ≤ errors ≤ requests");
    expect(() => rateBounds(0, 0, 0.95)).toThrow("requests > 0");
  });
});

describe("compareRates: one-sided two-proportion z-test", () => {
  it("4.2 % against 0.4 % over 1,000 requests each, margin 0.5 points: z 4.96, p 3.5e-7", () => {
    const result = compareRates({ errors: 42, requests: 1000 }, { errors: 4, requests: 1000 }, 0.005);
    expect(result.difference).toBeCloseTo(0.038, 12);
    expect(result.z).toBeCloseTo(4.9625462891183, 9);
    expect(result.pValue).toBeCloseTo(3.478748890727515e-7, 12);
  });

  it("equal rates are not significantly different", () => {
    expect(compareRates({ errors: 5, requests: 1000 }, { errors: 5, requests: 1000 }).pValue).toBeCloseTo(0.5, 12);
  });

  it("no errors on either side is no evidence of a difference", () => {
    expect(compareRates({ errors: 0, requests: 100 }, { errors: 0, requests: 100 }, 0.005)).toMatchObject({ difference: 0, pValue: 1 });
  });
});

describe("compareLocations: one-sided Mann–Whitney U with tie and continuity corrections", () => {
  it("p95s clearly higher on the canary: U 36, p 0.0025", () => {
    const result = compareLocations([310, 320, 330, 340, 350, 360], [200, 210, 220, 230, 240, 250]);
    expect(result.u).toBe(36);
    expect(result.pValue).toBeCloseTo(0.0025374340489701264, 12);
  });

  it("with ties and no shift: U 12.5, p 0.712", () => {
    const result = compareLocations([200, 210, 210, 230, 240], [200, 210, 220, 230, 230, 250]);
    expect(result.u).toBe(12.5);
    expect(result.pValue).toBeCloseTo(0.7120153162246733, 12);
  });

  it("a scale asks for more than that much worse: 40 % higher is significant against 1.2×, 10 % is not", () => {
    const base = [200, 205, 210, 215, 220, 225];
    expect(
      compareLocations(
        base.map((v) => v * 1.4),
        base,
        1.2,
      ).pValue,
    ).toBeLessThan(0.05);
    expect(
      compareLocations(
        base.map((v) => v * 1.1),
        base,
        1.2,
      ).pValue,
    ).toBeGreaterThan(0.5);
  });

  it("all values equal is no evidence", () => {
    expect(compareLocations([100, 100, 100], [100, 100, 100]).pValue).toBe(1);
  });
});

describe("median", () => {
  it.each([
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
  ])("of %j is %f", (values, expected) => {
    expect(median(values)).toBe(expected);
  });
});

import { describe, expect, it } from "vitest";
import {
  formatAgo,
  formatClock,
  formatCount,
  formatDuration,
  formatMeasure,
  formatMinutes,
  formatNumber,
  formatPercent,
  formatPValue,
  formatTimestamp,
  formatWhen,
} from "./format";

describe("formatPercent", () => {
  it.each([
    [5.172413793103449, "5.2 %"],
    [0.04, "0.04 %"],
    [0.0123, "0.012 %"],
    [0.5, "0.5 %"],
    [1, "1 %"],
    [9.96, "10 %"],
    [34.26, "34.3 %"],
    [25, "25 %"],
    [100, "100 %"],
    [0, "0 %"],
    [0.30000000000000004, "0.3 %"],
  ])("reads %s as %s", (value, words) => {
    expect(formatPercent(value)).toBe(words);
  });
});

describe("formatMeasure", () => {
  it("writes error rates, latencies and statuses with their units", () => {
    expect(formatMeasure(5.172413793103449, "%")).toBe("5.2 %");
    expect(formatMeasure(419.6, "ms")).toBe("420 ms");
    expect(formatMeasure(4.25, "ms")).toBe("4.3 ms");
    expect(formatMeasure(503, "status")).toBe("503");
  });

  it("drops the space before the unit when compact, as the cards write it", () => {
    expect(formatMeasure(1.2, "%", true)).toBe("1.2%");
    expect(formatMeasure(420, "ms", true)).toBe("420ms");
  });
});

describe("formatDuration", () => {
  it.each([
    [6_000, "6 s"],
    [45_000, "45 s"],
    [300_000, "5 min"],
    [3_600_000, "1 h"],
    [5_400_000, "1 h 30 min"],
    [-2_000, "0 s"],
  ])("reads %s ms as %s", (ms, words) => {
    expect(formatDuration(ms)).toBe(words);
  });

  it("reads a configured 0.1 min as 6 s, not 0.1 min", () => {
    expect(formatMinutes(0.1)).toBe("6 s");
    expect(formatMinutes(30)).toBe("30 min");
  });
});

describe("times", () => {
  const at = Date.UTC(2026, 11, 7, 14, 2, 11);

  it("says how long ago", () => {
    expect(formatAgo(at, at + 10_000)).toBe("just now");
    expect(formatAgo(at, at + 3 * 60_000)).toBe("3 min ago");
    expect(formatAgo(at, at + 5 * 3_600_000)).toBe("5 h ago");
    expect(formatAgo(at, at + 72 * 3_600_000)).toBe("3 days ago");
    expect(formatAgo(at + 5 * 60_000, at)).toBe("in 5 min");
  });

  it("gives the absolute time in a named zone", () => {
    expect(formatClock(at, "UTC")).toBe("14:02:11");
    expect(formatClock(at, "Europe/Paris")).toBe("15:02:11");
    expect(formatTimestamp(at, "UTC")).toBe("7 Dec 2026, 14:02:11 UTC");
  });

  it("puts the absolute time beside the relative one for text readers", () => {
    expect(formatWhen(at, at + 3 * 60_000)).toBe("3 min ago (14:02:11 UTC)");
  });
});

describe("plain numbers", () => {
  it("keep at most two decimals, counts get separators, p-values three decimals", () => {
    expect(formatNumber(1.256)).toBe("1.26");
    expect(formatCount(12345)).toBe("12,345");
    expect(formatPValue(0.0342)).toBe("p = 0.034");
    expect(formatPValue(0.0001)).toBe("p < 0.001");
  });
});

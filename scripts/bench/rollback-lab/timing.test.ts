import { describe, expect, it } from "vitest";
import { firstRiseAfter, floorMs, partsOf, renderReport, summarise } from "./timing";

const T = 1_700_000_000_000;

describe("the rollback benchmark's arithmetic", () => {
  it("splits a run into scrape wait, tick wait, query, decision and weight change that add up to the total", () => {
    const parts = partsOf({
      shiftStartedAt: T - 1,
      shiftVerifiedAt: T,
      errorScrapedAt: T + 700,
      breachTickAt: T + 1_250,
      queriedAt: T + 1_290,
      rollbackStartedAt: T + 1_300,
      rollbackVerifiedAt: T + 1_301,
    });
    expect(parts).toEqual({ scrapeMs: 700, tickMs: 550, queryMs: 40, decideMs: 10, weightMs: 1, totalMs: 1_301 });
    expect(parts.scrapeMs + parts.tickMs + parts.queryMs + parts.decideMs + parts.weightMs).toBe(parts.totalMs);
  });

  it("finds the first scrape after the move whose counter rose, across a restart of the service", () => {
    const s = (ms: number, v: number): [number, string] => [(T + ms) / 1000, String(v)];
    // 7 errors from the old process, a restart (0), then the new release's first error after the move.
    const samples = [s(-3000, 7), s(-2000, 0), s(-1000, 0), s(0, 0), s(1000, 1), s(2000, 2)];
    expect(firstRiseAfter(samples, T - 500)).toBe(T + 1000);
    expect(firstRiseAfter(samples, T + 1500)).toBe(T + 2000);
    expect(firstRiseAfter([s(-1000, 0), s(0, 0)], T - 500)).toBeNull();
  });

  it("summarises by mean and nearest-rank percentiles", () => {
    expect(summarise([4, 1, 3, 2, 10])).toEqual({ mean: 4, p50: 3, p90: 10, max: 10 });
  });

  it("reports each run and the ratio to the floor", () => {
    const floor = { scrapeMs: 1000, intervalMs: 1000, apiRoundTripMs: 0.25 };
    expect(floorMs(floor)).toBe(2000.25);
    const report = renderReport([{ scrapeMs: 600, tickMs: 500, queryMs: 30, decideMs: 5, weightMs: 1, totalMs: 1136 }], floor);
    expect(report).toContain("floor: 1000 ms scrape interval + 1000 ms analysis interval + 0.25 ms HAProxy runtime API round trip = 2000.3 ms");
    expect(report).toMatch(/^1 +600 +500 +30 +5\.0 +1\.0 +1136 +0\.57$/m);
    expect(report).toContain("our own (query + decide + weight change): mean 36 ms");
  });
});

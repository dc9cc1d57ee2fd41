import { describe, expect, it } from "vitest";
import { fastFloorMs, fastPartsOf, firstRiseAfter, floorMs, partsOf, renderFastReport, renderReport, summarise } from "./timing";

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
    expect(summarise([4, 1, 3, 2, 10])).toEqual({ mean: 4, p50: 3, p90: 10, p95: 10, max: 10 });
    const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(summarise(twenty)).toMatchObject({ p50: 10, p90: 18, p95: 19, max: 20 });
  });

  it("reports each run and the ratio to the floor", () => {
    const floor = { scrapeMs: 1000, intervalMs: 1000, apiRoundTripMs: 0.25 };
    expect(floorMs(floor)).toBe(2000.25);
    const report = renderReport([{ scrapeMs: 600, tickMs: 500, queryMs: 30, decideMs: 5, weightMs: 1, totalMs: 1136 }], floor);
    expect(report).toContain("floor: 1000 ms scrape interval + 1000 ms analysis interval + 0.25 ms HAProxy runtime API round trip = 2000.3 ms");
    expect(report).toMatch(/^1 +600 +500 +30 +5\.0 +1\.0 +1136 +0\.57$/m);
    expect(report).toMatch(/^p95 +600 +500 +30 +5\.0 +1\.0 +1136 +0\.57$/m);
    expect(report).toContain("total (÷ floor): p50 1136 ms (0.57), p95 1136 ms (0.57), max 1136 ms (0.57)");
    expect(report).toContain("our own (query + decide + weight change): mean 36 ms");
  });

  it("the fast path: wait for the read that saw the error, the read, the decision and the weight change add up", () => {
    const parts = fastPartsOf({ shiftVerifiedAt: T, readStartedAt: T + 420, readEndedAt: T + 421, rollbackStartedAt: T + 425, rollbackVerifiedAt: T + 426 });
    expect(parts).toEqual({ waitMs: 420, readMs: 1, decideMs: 4, weightMs: 1, totalMs: 426 });
    const floor = { fastIntervalMs: 500, statRoundTripMs: 0.5 };
    expect(fastFloorMs(floor)).toBe(500.5);
    const report = renderFastReport([parts, { ...parts, waitMs: 900, totalMs: 906 }], floor);
    expect(report).toContain('floor: 500 ms fast interval + 0.50 ms "show stat" round trip = 500.5 ms');
    expect(report).toMatch(/^1 +420 +1\.0 +4\.0 +1\.0 +426 +0\.85$/m);
    expect(report).toContain("total (÷ floor): p50 426 ms (0.85), p95 906 ms (1.81), max 906 ms (1.81)");
    expect(report).toContain("goal: p95 under 1000 ms: met (p95 906 ms)");
  });
});

import { expect, it } from "vitest";
import { growthAfter, slope, summarize } from "./stats";

const MIB = 1024 * 1024;
const rule = { minRiseBytes: 16 * MIB, minRiseFraction: 0.1 };
/** One sample every 5 s for `minutes`, from `level(minute)`. */
const series = (minutes: number, level: (minute: number) => number) =>
  Array.from({ length: minutes * 12 + 1 }, (_, i) => ({ at: i * 5_000, bytes: level(i / 12) }));

it("summarizes latencies by nearest rank, and says so when there are none", () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  expect(summarize(values)).toEqual({ n: 100, p50: 50, p99: 99, max: 100 });
  expect(summarize([])).toEqual({ n: 0, p50: null, p99: null, max: null });
});

it("fits the least-squares slope, and gives none without two distinct x", () => {
  expect(slope([0, 1, 2, 3].map((x) => ({ x, y: 3 * x + 1 })))).toBeCloseTo(3);
  expect(slope([{ x: 1, y: 1 }])).toBeNull();
  expect(
    slope([
      { x: 1, y: 1 },
      { x: 1, y: 5 },
    ]),
  ).toBeNull();
});

it("a heap that saws up and down around a level after warm-up is flat, whatever it did during warm-up", () => {
  const heap = series(10, (m) => (m < 2 ? 40 * MIB * m : 80 * MIB + (Math.round(m * 12) % 6) * 4 * MIB));
  const growth = growthAfter(heap, 2 * 60_000, rule);
  expect(growth.leak).toBe(false);
  expect(Math.abs(growth.bytesPerMinute!)).toBeLessThan(MIB);
  expect(growth.samples).toBe(97);
});

it("a steady climb of 5 MiB a minute after warm-up is a leak, with its slope", () => {
  const growth = growthAfter(
    series(10, (m) => 100 * MIB + 5 * MIB * m),
    2 * 60_000,
    rule,
  );
  expect(growth.bytesPerMinute! / MIB).toBeCloseTo(5);
  expect(growth.riseBytes! / MIB).toBeCloseTo(40);
  expect(growth.leak).toBe(true);
});

it("a rise below either threshold is not a leak: a few MiB on a small heap, a few percent on a large one", () => {
  expect(
    growthAfter(
      series(10, (m) => 20 * MIB + 1 * MIB * m),
      2 * 60_000,
      rule,
    ).leak,
  ).toBe(false); // 8 MiB < 16 MiB
  expect(
    growthAfter(
      series(10, (m) => 1024 * MIB + 3 * MIB * m),
      2 * 60_000,
      rule,
    ).leak,
  ).toBe(false); // 24 MiB < 10 %
});

it("no samples after warm-up: no slope and no verdict of a leak", () => {
  expect(
    growthAfter(
      series(1, () => MIB),
      2 * 60_000,
      rule,
    ),
  ).toEqual({ bytesPerMinute: null, riseBytes: null, meanBytes: null, samples: 0, leak: false });
});

import { describe, expect, it } from "vitest";
import { sparklineGeometry, type SparkPoint } from "./sparkline-geometry";

// 5 slots 24 px apart between x = 2 and x = 98; values drawn between y = 18 (zero) and y = 2 (top).
const BOX = { width: 100, height: 20, pad: 2, slots: 5 };

const pts = (values: (number | null)[], threshold: number | null = 1): SparkPoint[] => values.map((value) => ({ value, threshold }));

/** The x positions of a path's points, in order ("M2 3L26 4" gives [2, 26]). */
const xsOf = (path: string) => [...path.matchAll(/[ML]([\d.]+) /g)].map((m) => Number(m[1]));

describe("sparklineGeometry", () => {
  it("puts the newest sample at the right edge and older ones one slot to the left each", () => {
    expect(xsOf(sparklineGeometry(pts([0.1, 0.2]), BOX).line)).toEqual([74, 98]);
    expect(xsOf(sparklineGeometry(pts([0.1, 0.2, 0.3, 0.4, 0.5]), BOX).line)).toEqual([2, 26, 50, 74, 98]);
  });

  it("keeps only the newest samples when there are more than slots", () => {
    const g = sparklineGeometry(pts([9, 0.1, 0.2, 0.3, 0.4, 0.5]), BOX);
    expect(xsOf(g.line)).toEqual([2, 26, 50, 74, 98]);
    expect(g.breaches).toEqual([]);
  });

  it("scales from zero to a little above the highest value or threshold, so neither touches the edge", () => {
    const under = sparklineGeometry(pts([0.2, 0.4], 0.8), BOX);
    expect(under.top).toBeCloseTo(0.92);
    const over = sparklineGeometry(pts([0.2, 3], 0.8), BOX);
    expect(over.top).toBeCloseTo(3.45);
    expect(over.last!.y).toBeGreaterThan(BOX.pad);
    expect(over.last!.y).toBeLessThan(5);
  });

  it("draws a value equal to its threshold on the threshold line, and zero on the bottom", () => {
    const g = sparklineGeometry(
      [
        { value: 0, threshold: 0.5 },
        { value: 0.5, threshold: 0.5 },
      ],
      BOX,
    );
    expect(g.line).toBe(`M74 18L98 ${g.threshold.match(/^M[\d.]+ ([\d.]+)/)![1]}`);
  });

  it("marks a sample over its own stage's threshold as a breach, and one equal to it as not", () => {
    const g = sparklineGeometry(
      [
        { value: 0.9, threshold: 1 },
        { value: 0.9, threshold: 0.8 },
        { value: 0.8, threshold: 0.8 },
        { value: null, threshold: 0.8 },
      ],
      BOX,
    );
    expect(g.breaches.map((p) => p.x)).toEqual([50]);
  });

  it("steps the threshold halfway between two samples judged at different stages", () => {
    const g = sparklineGeometry(
      [
        { value: 0.5, threshold: 1 },
        { value: 0.5, threshold: 1 },
        { value: 0.5, threshold: 0.5 },
      ],
      { ...BOX, height: 117, pad: 1 },
    );
    // Slots 24.5 px apart, the three samples at x 50, 74.5 and 99; top is 1 × 1.15, so y = 116 − v × 100.
    expect(g.threshold).toBe("M1 16H86.75V66H99");
  });

  it("starts the threshold at the left edge, so a single sample still shows its limit", () => {
    expect(sparklineGeometry(pts([0.3], 0.5), BOX).threshold).toMatch(/^M2 [\d.]+H98$/);
  });

  it("breaks the line where a sample has no value, and shows a lone sample as a dot", () => {
    const g = sparklineGeometry(pts([0.1, 0.2, null, 0.3, null]), BOX);
    expect(g.line.match(/M/g)).toHaveLength(2);
    expect(g.dots.map((p) => p.x)).toEqual([74]);
    expect(g.last!.x).toBe(74);
  });

  it("breaks the threshold where a sample's stage has no threshold", () => {
    const g = sparklineGeometry(
      [
        { value: 1, threshold: 2 },
        { value: 1, threshold: null },
        { value: 1, threshold: 2 },
      ],
      BOX,
    );
    expect(g.threshold.match(/M/g)).toHaveLength(2);
  });

  it("draws nothing without samples or without any value", () => {
    expect(sparklineGeometry([], BOX)).toMatchObject({ line: "", threshold: "", breaches: [], dots: [], last: null, top: 1 });
    expect(sparklineGeometry(pts([null, null]), BOX)).toMatchObject({ line: "", last: null });
  });
});

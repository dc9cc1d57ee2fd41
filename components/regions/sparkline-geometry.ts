/**
 * The geometry of a sparkline, apart from React so it can be tested: where each sample sits, the value line,
 * the threshold as a stepped line, and the samples over their threshold.
 *
 * Samples fill fixed slots from the right (the newest always at the right edge): a new sample shifts the line
 * one slot left instead of rescaling the whole x axis, so a live chart moves the way a reader expects.
 * The y axis starts at 0 and always includes the threshold, so the line is never clipped and the distance to the
 * limit reads at a glance.
 */

export type SparkPoint = { value: number | null; threshold: number | null };

export type SparkBox = { width: number; height: number; pad: number; slots: number };

export type XY = { x: number; y: number };

export type SparkGeometry = {
  /** SVG path of the values; a sample without a value breaks the line. Empty when no sample has a value. */
  line: string;
  /** SVG path of the thresholds, stepped halfway between two samples whose stages differ; dashed when drawn. */
  threshold: string;
  /** Samples whose value exceeds their own threshold (the engine's rule: equal to the limit passes). */
  breaches: XY[];
  /** Samples with a value but no neighbour with one: a line would not show them, so they are drawn as dots. */
  dots: XY[];
  /** The newest sample with a value. */
  last: XY | null;
  /** The value at the top of the box. */
  top: number;
};

/** Room above the highest value or threshold, so a point on it is not cut by the edge. */
const HEADROOM = 1.15;

const round = (n: number) => Math.round(n * 100) / 100;

export function sparklineGeometry(input: SparkPoint[], box: SparkBox): SparkGeometry {
  const points = input.slice(-box.slots);
  const left = box.pad;
  const right = box.width - box.pad;
  const step = box.slots > 1 ? (right - left) / (box.slots - 1) : 0;
  const xOf = (i: number) => round(right - (points.length - 1 - i) * step);

  const known = points.flatMap((p) => [p.value, p.threshold]).filter((v): v is number => v !== null && Number.isFinite(v));
  const highest = Math.max(0, ...known);
  const top = highest > 0 ? highest * HEADROOM : 1;
  const yOf = (v: number) => round(box.height - box.pad - (Math.max(0, v) / top) * (box.height - 2 * box.pad));

  return {
    line: valuePath(points, xOf, yOf),
    threshold: thresholdPath(points, xOf, yOf, step / 2, left, right),
    breaches: points.flatMap((p, i) => (p.value !== null && p.threshold !== null && p.value > p.threshold ? [{ x: xOf(i), y: yOf(p.value) }] : [])),
    dots: points.flatMap((p, i) => {
      const alone = p.value !== null && points[i - 1]?.value == null && points[i + 1]?.value == null;
      return alone ? [{ x: xOf(i), y: yOf(p.value!) }] : [];
    }),
    last: lastPoint(points, xOf, yOf),
    top,
  };
}

type Scale = (n: number) => number;

function valuePath(points: SparkPoint[], xOf: Scale, yOf: Scale): string {
  let d = "";
  let drawing = false;
  points.forEach((p, i) => {
    if (p.value === null) {
      drawing = false;
      return;
    }
    d += `${drawing ? "L" : "M"}${xOf(i)} ${yOf(p.value)}`;
    drawing = true;
  });
  return d;
}

/**
 * Each sample's threshold holds from halfway to the previous sample to halfway to the next; the first one
 * reaches back to the left edge, so even a single sample shows the limit as a line.
 */
function thresholdPath(points: SparkPoint[], xOf: Scale, yOf: Scale, half: number, left: number, right: number): string {
  let d = "";
  points.forEach((p, i) => {
    if (p.threshold === null) return;
    const previous = points[i - 1]?.threshold ?? null;
    const start = i === 0 ? left : Math.max(left, round(xOf(i) - half));
    const y = yOf(p.threshold);
    if (previous === null) d += `M${start} ${y}`;
    else if (p.threshold !== previous) d += `H${start}V${y}`;
    // The end of a run: the last sample, or one followed by a sample without a threshold.
    if ((points[i + 1]?.threshold ?? null) === null) d += `H${Math.min(right, round(xOf(i) + half))}`;
  });
  return d;
}

function lastPoint(points: SparkPoint[], xOf: Scale, yOf: Scale): XY | null {
  for (let i = points.length - 1; i >= 0; i--) {
    const value = points[i].value;
    if (value !== null) return { x: xOf(i), y: yOf(value) };
  }
  return null;
}

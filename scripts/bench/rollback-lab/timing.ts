/**
 * The rollback benchmark's arithmetic, pure: one run's parts from its timestamps, the floor physics sets, and
 * the table. A run goes: green's weight verified at 10 % → the first scrape that holds green's first error →
 * the analysis tick whose window judged it → the rollback's setWeight called → green's weight 0 verified.
 */

/** Unix ms, from the engine's own records and from timing its provider calls. */
export type RunTimes = {
  /** setWeight(10 %) started and resolved (verified): the bad release starts receiving traffic in between. */
  shiftStartedAt: number;
  shiftVerifiedAt: number;
  /** The Prometheus sample time of the first scrape in which green's 5xx counter rose. */
  errorScrapedAt: number;
  /** The `to` of the sample that breached: the analysis tick that judged it. */
  breachTickAt: number;
  /** When that tick's Prometheus queries (both colours) had all answered. */
  queriedAt: number;
  /** setWeight(0 %) of the rollback, started and resolved (read back from HAProxy). */
  rollbackStartedAt: number;
  rollbackVerifiedAt: number;
};

export type RunParts = {
  /** Weight at 10 % → Prometheus holds green's first error (includes the wait for a request to reach green). */
  scrapeMs: number;
  /** That scrape → the analysis tick that judged it. */
  tickMs: number;
  /** The tick's PromQL queries and health probes. */
  queryMs: number;
  /** Judging the sample, saving it, and starting the rollback. */
  decideMs: number;
  /** The rollback's setWeight: set and read back over HAProxy's runtime API. */
  weightMs: number;
  totalMs: number;
};

export function partsOf(t: RunTimes): RunParts {
  return {
    scrapeMs: t.errorScrapedAt - t.shiftVerifiedAt,
    tickMs: t.breachTickAt - t.errorScrapedAt,
    queryMs: t.queriedAt - t.breachTickAt,
    decideMs: t.rollbackStartedAt - t.queriedAt,
    weightMs: t.rollbackVerifiedAt - t.rollbackStartedAt,
    totalMs: t.rollbackVerifiedAt - t.shiftVerifiedAt,
  };
}

/**
 * The first scrape that saw green's 5xx counter rise after the weight moved: raw samples `[unix s, value]`.
 * A scrape that started before the move cannot hold a request the move sent; a counter that fell (the
 * deploy restarted the service) starts again from its new value.
 */
export function firstRiseAfter(samples: Array<[number, string]>, after: number): number | null {
  let previous: number | null = null;
  for (const [seconds, raw] of samples) {
    const at = Math.round(seconds * 1000);
    const value = Number(raw);
    if (at >= after && previous !== null && value > previous) return at;
    previous = value;
  }
  return null;
}

export type Summary = { mean: number; p50: number; p90: number; max: number };

export function summarise(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error("nothing to summarise");
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  return { mean: sorted.reduce((a, b) => a + b, 0) / sorted.length, p50: rank(50), p90: rank(90), max: sorted[sorted.length - 1] };
}

export type Floor = { scrapeMs: number; intervalMs: number; apiRoundTripMs: number };

export const floorMs = (f: Floor) => f.scrapeMs + f.intervalMs + f.apiRoundTripMs;

const COLUMNS: Array<[keyof RunParts, string]> = [
  ["scrapeMs", "wait for scrape"],
  ["tickMs", "wait for tick"],
  ["queryMs", "query"],
  ["decideMs", "decide"],
  ["weightMs", "weight change"],
  ["totalMs", "total"],
];

const ms = (v: number) => (Math.abs(v) < 10 ? v.toFixed(1) : Math.round(v).toString());

/** One row per run, then mean / p50 / p90 / max, the floor, and the ratios to it. */
export function renderReport(runs: RunParts[], floor: Floor): string {
  const f = floorMs(floor);
  const head = ["run", ...COLUMNS.map(([, label]) => label), "÷ floor"];
  const rows = runs.map((r, i) => [String(i + 1), ...COLUMNS.map(([key]) => ms(r[key])), (r.totalMs / f).toFixed(2)]);
  for (const stat of ["mean", "p50", "p90", "max"] as const) {
    const s = (key: keyof RunParts) => summarise(runs.map((r) => r[key]))[stat];
    rows.push([stat, ...COLUMNS.map(([key]) => ms(s(key))), (s("totalMs") / f).toFixed(2)]);
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  const own = summarise(runs.map((r) => r.queryMs + r.decideMs + r.weightMs));
  return [
    "Time from a bad release receiving traffic (green at 10 % verified) to green's weight 0 verified on HAProxy, ms:",
    line(head),
    ...rows.map(line),
    "",
    `floor: ${floor.scrapeMs} ms scrape interval + ${floor.intervalMs} ms analysis interval + ${floor.apiRoundTripMs.toFixed(2)} ms HAProxy runtime API round trip = ${f.toFixed(1)} ms`,
    `ratio to the floor: mean ${(summarise(runs.map((r) => r.totalMs)).mean / f).toFixed(2)}, max ${(summarise(runs.map((r) => r.totalMs)).max / f).toFixed(2)}`,
    `our own (query + decide + weight change): mean ${ms(own.mean)} ms, p90 ${ms(own.p90)} ms, max ${ms(own.max)} ms (goal: under 1000 ms)`,
  ].join("\n");
}

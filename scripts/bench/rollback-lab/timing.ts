/**
 * The rollback benchmark's arithmetic, pure: one run's parts from its timestamps, the floor physics sets, and
 * the tables. On the Prometheus path a run goes: green's weight verified at 10 % → the first scrape that holds
 * green's first error → the analysis tick whose window judged it → the rollback's setWeight called → green's
 * weight 0 verified. On the fast path: green at 10 % verified → the read of HAProxy's counters that saw the
 * error → the rollback's setWeight called → green's weight 0 verified.
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

export type Summary = { mean: number; p50: number; p90: number; p95: number; max: number };

export function summarise(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error("nothing to summarise");
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  return { mean: sorted.reduce((a, b) => a + b, 0) / sorted.length, p50: rank(50), p90: rank(90), p95: rank(95), max: sorted[sorted.length - 1] };
}

/** The fast path's timestamps: the shift, the read of HAProxy's counters that saw the error, the rollback. */
export type FastRunTimes = {
  shiftVerifiedAt: number;
  /** The read whose counts breached: started (the sample's time) and answered. */
  readStartedAt: number;
  readEndedAt: number;
  rollbackStartedAt: number;
  rollbackVerifiedAt: number;
};

export type FastRunParts = {
  /** Weight at 10 % → the counters read that held green's first error (includes the wait for a request to reach green). */
  waitMs: number;
  /** That `show stat` over the runtime API. */
  readMs: number;
  decideMs: number;
  weightMs: number;
  totalMs: number;
};

export function fastPartsOf(t: FastRunTimes): FastRunParts {
  return {
    waitMs: t.readStartedAt - t.shiftVerifiedAt,
    readMs: t.readEndedAt - t.readStartedAt,
    decideMs: t.rollbackStartedAt - t.readEndedAt,
    weightMs: t.rollbackVerifiedAt - t.rollbackStartedAt,
    totalMs: t.rollbackVerifiedAt - t.shiftVerifiedAt,
  };
}

export type FastFloor = { fastIntervalMs: number; statRoundTripMs: number };

export const fastFloorMs = (f: FastFloor) => f.fastIntervalMs + f.statRoundTripMs;

const FAST_COLUMNS: Array<[keyof FastRunParts, string]> = [
  ["waitMs", "wait for read"],
  ["readMs", "show stat"],
  ["decideMs", "decide"],
  ["weightMs", "weight change"],
  ["totalMs", "total"],
];

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

/** One row per run, then mean / p50 / p95 / max and each one's ratio to the floor. */
function table<P extends { totalMs: number }>(runs: P[], columns: Array<[keyof P, string]>, floor: number): string[] {
  const head = ["run", ...columns.map(([, label]) => label), "÷ floor"];
  const rows = runs.map((r, i) => [String(i + 1), ...columns.map(([key]) => ms(r[key] as number)), (r.totalMs / floor).toFixed(2)]);
  for (const stat of ["mean", "p50", "p95", "max"] as const) {
    const s = (key: keyof P) => summarise(runs.map((r) => r[key] as number))[stat];
    rows.push([stat, ...columns.map(([key]) => ms(s(key))), (s("totalMs") / floor).toFixed(2)]);
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(head), ...rows.map(line)];
}

const ratios = (totals: number[], floor: number) => {
  const s = summarise(totals);
  return `p50 ${ms(s.p50)} ms (${(s.p50 / floor).toFixed(2)}), p95 ${ms(s.p95)} ms (${(s.p95 / floor).toFixed(2)}), max ${ms(s.max)} ms (${(s.max / floor).toFixed(2)})`;
};

/** The Prometheus-only path: one row per run, the floor, and the ratios to it. */
export function renderReport(runs: RunParts[], floor: Floor): string {
  const f = floorMs(floor);
  const own = summarise(runs.map((r) => r.queryMs + r.decideMs + r.weightMs));
  return [
    "Prometheus only: time from a bad release receiving traffic (green at 10 % verified) to green's weight 0 verified on HAProxy, ms:",
    ...table(runs, COLUMNS, f),
    "",
    `floor: ${floor.scrapeMs} ms scrape interval + ${floor.intervalMs} ms analysis interval + ${floor.apiRoundTripMs.toFixed(2)} ms HAProxy runtime API round trip = ${f.toFixed(1)} ms`,
    `total (÷ floor): ${ratios(
      runs.map((r) => r.totalMs),
      f,
    )}`,
    `our own (query + decide + weight change): mean ${ms(own.mean)} ms, p95 ${ms(own.p95)} ms, max ${ms(own.max)} ms (goal: under 1000 ms)`,
  ].join("\n");
}

/** The fast path (HAProxy's counters every fastInterval): one row per run, the floor, and the ratios to it. */
export function renderFastReport(runs: FastRunParts[], floor: FastFloor): string {
  const f = fastFloorMs(floor);
  const p95 = summarise(runs.map((r) => r.totalMs)).p95;
  return [
    "Fast path (metrics.fast: haproxy-stats): time from a bad release receiving traffic (green at 10 % verified) to green's weight 0 verified on HAProxy, ms:",
    ...table(runs, FAST_COLUMNS, f),
    "",
    `floor: ${floor.fastIntervalMs} ms fast interval + ${floor.statRoundTripMs.toFixed(2)} ms "show stat" round trip = ${f.toFixed(1)} ms`,
    `total (÷ floor): ${ratios(
      runs.map((r) => r.totalMs),
      f,
    )}`,
    `goal: p95 under 1000 ms: ${p95 < 1000 ? "met" : "NOT met"} (p95 ${ms(p95)} ms)`,
  ].join("\n");
}

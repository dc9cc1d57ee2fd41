/**
 * The threshold backtest over a fake range source: the windows a metrics store would answer, clean or with a bad
 * period, replayed through the engine's own judgement. The lab test (backtest-lab.test.ts) does it over a real
 * Prometheus with recorded history.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Actor } from "@/server/actor";
import type { HistoryInput, HistorySample, Measurement } from "@/server/providers/types";
import { addUser, createHarness, demoConfig, type Harness } from "@/server/engine/runner/test-fixtures";
import { backtestRegion, parseBacktestTime, type BacktestInput, type HistorySource } from "./backtest";
import { ServiceError } from "./errors";

const MIN = 60_000;
const HOUR = 60 * MIN;

let h: Harness;
let vera: Actor;
let now: number;

beforeEach(() => {
  h = createHarness({ config: demoConfig() });
  vera = addUser(h.db, "vera", "Vera", ["viewer"]);
  now = h.clock.now();
});
afterEach(() => h.cleanup());

const CLEAN: Measurement = { requests: 2000, errors: 0, errorRatePct: 0, latencyP95Ms: 120, cpuPct: 30, memoryPct: 40, healthStatus: 200 };

/** A store that answers `measure(colour, windowEnd)` for every window, and remembers the calls it was asked. */
function fakeSource(measure: (colour: string, end: number) => Measurement) {
  const calls: HistoryInput[] = [];
  const source: HistorySource = () => ({
    history: async (q: HistoryInput): Promise<HistorySample[]> => {
      calls.push(q);
      const out: HistorySample[] = [];
      for (let end = q.from + q.stepMs; end <= q.to; end += q.stepMs) out.push({ from: end - q.stepMs, to: end, measurement: measure(q.colour, end) });
      return out;
    },
  });
  return { source, calls };
}

/** Clean but for the green colour's [badFrom, badTo), where `bad` replaces the figures. */
const withBadPeriod = (badFrom: number, badTo: number, bad: Partial<Measurement>) =>
  fakeSource((colour, end) => (colour === "blue" && end > badFrom && end - 30_000 < badTo ? { ...CLEAN, ...bad } : CLEAN));

async function caught(fn: () => unknown): Promise<ServiceError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ServiceError) return err;
    throw err;
  }
  throw new Error("expected a ServiceError");
}

const run = (input: Partial<BacktestInput>, source: HistorySource, actor: Actor = vera) =>
  backtestRegion(h.as(actor), { regionId: "us-east", from: "-6h", to: "now", ...input }, source);

describe("backtest: a recorded bad period", () => {
  it("finds the breach at every stage the error rate crosses, timed from the incident's start, with no false alarm over the clean hours", async () => {
    const badFrom = now - 3 * HOUR;
    const { source } = withBadPeriod(badFrom, badFrom + 10 * MIN, { errors: 100, errorRatePct: 5 });
    const report = await run({ incidentFrom: new Date(badFrom).toISOString(), incidentTo: new Date(badFrom + 10 * MIN).toISOString() }, source);

    expect(report.colour).toBe("blue");
    expect(report.baselineColour).toBe("green");
    expect(report.windowCount).toBe(720);
    expect(report.stages.map((s) => s.summary)).toEqual([
      "would have rolled back at 10 % after 30 s; 0 false alarms in the 6 h",
      "would have rolled back at 25 % after 30 s; 0 false alarms in the 6 h",
      "would have rolled back at 50 % after 30 s; 0 false alarms in the 6 h",
      "would have rolled back at 75 % after 30 s; 0 false alarms in the 6 h",
      "would have rolled back at 100 % after 30 s; 0 false alarms in the 6 h",
    ]);
    const first = report.stages[0];
    expect(first.firstBreach).toMatchObject({ from: badFrom, to: badFrom + 30_000 });
    expect(first.firstBreach?.words).toContain("error rate 5 %");
    expect(first.detection).toEqual({ at: badFrom + 30_000, afterMs: 30_000 });
    // Every bad window rolls back (failureLimit 1), each one a fresh start of the stage: 20 windows in 10 minutes.
    expect(first.rollbacks).toHaveLength(20);
    expect(first.windows.breach).toBe(20);
    expect(report.summary).toBe("Caught at 5 of 5 stages, fastest at 10 % after 30 s; 0 false alarms in the 6 h.");
    expect(first.strip.filter((b) => b.rolledBack).length).toBeGreaterThan(0);
  });

  it("judges each stage by its own limits: a p95 of 420 ms breaches from the 50 % stage (400 ms) on, not at 10 % or 25 %", async () => {
    const badFrom = now - 2 * HOUR;
    const { source } = withBadPeriod(badFrom, badFrom + 5 * MIN, { latencyP95Ms: 420 });
    const incidentFrom = new Date(badFrom).toISOString();
    const alone = await run({ incidentFrom, analysis: { ...h.config.analysis, compareToBaseline: false } }, source);
    expect(alone.stages.map((s) => s.detection !== null)).toEqual([false, false, true, true, true]);
    expect(alone.stages[0].summary).toBe("would not have rolled back at 10 % during the incident; 0 false alarms in the 6 h");
    expect(alone.stages[2].rollbacks[0].words).toContain("p95 latency 420 ms");
    // With the statistical rules against the old colour (120 ms there), 420 ms is significantly worse at every stage.
    const compared = await run({ incidentFrom }, source);
    expect(compared.stages.map((s) => s.detection !== null)).toEqual([true, true, true, true, true]);
    expect(compared.stages[0].rollbacks[0].words).toContain("green");
  });

  it("counts a breach outside the incident as a false alarm", async () => {
    const incident = now - 2 * HOUR;
    const blip = now - 5 * HOUR;
    const { source } = fakeSource((colour, end) =>
      colour === "blue" && ((end > incident && end <= incident + 2 * MIN) || end === blip + 30_000) ? { ...CLEAN, errors: 200, errorRatePct: 10 } : CLEAN,
    );
    const report = await run({ incidentFrom: new Date(incident).toISOString(), incidentTo: new Date(incident + 2 * MIN).toISOString() }, source);
    expect(report.stages[0].falseAlarms).toBe(1);
    expect(report.stages[0].rollbacks[0]).toMatchObject({ to: blip + 30_000, falseAlarm: true });
    expect(report.stages[0].summary).toBe("would have rolled back at 10 % after 30 s; 1 false alarm in the 6 h");
    expect(report.summary).toBe(
      "Caught at 5 of 5 stages, fastest at 10 % after 30 s; 5 false alarms in the 6 h (1 at 10 %, 1 at 25 %, 1 at 50 %, 1 at 75 %, 1 at 100 %).",
    );
  });

  it("takes failureLimit from the thresholds given: with 2, detection waits for the second bad window", async () => {
    const badFrom = now - 3 * HOUR;
    const { source } = withBadPeriod(badFrom, badFrom + 10 * MIN, { errors: 100, errorRatePct: 5 });
    const analysis = { ...h.config.analysis, failureLimit: 2 };
    const report = await run({ incidentFrom: new Date(badFrom).toISOString(), analysis }, source);
    expect(report.thresholds).toBe("given");
    expect(report.stages[0].detection?.afterMs).toBe(MIN);
    expect(report.stages[0].summary).toBe("would have rolled back at 10 % after 1 min; 0 false alarms in the 6 h");
  });

  it("holds, never passes, where the store has no data: inconclusiveLimit windows in a row", async () => {
    const gap = now - 4 * HOUR;
    const { source } = fakeSource((_, end) =>
      end > gap && end <= gap + 3 * MIN ? { requests: null, errorRatePct: null, latencyP95Ms: null, cpuPct: null, memoryPct: null, healthStatus: null } : CLEAN,
    );
    const report = await run({}, source);
    const first = report.stages[0];
    expect(first.rollbacks).toEqual([]);
    expect(first.windows.inconclusive).toBeGreaterThanOrEqual(6);
    expect(first.holds).toHaveLength(2);
    expect(first.holds[0].reason).toContain("3 inconclusive samples in a row");
    expect(first.summary).toContain("would have held 2 times for want of a verdict");
  });
});

describe("backtest: no data at all", () => {
  it("says the store holds nothing for the colour rather than reporting a quiet period", async () => {
    const { source } = fakeSource(() => ({ requests: null, errorRatePct: null, latencyP95Ms: null }));
    const report = await run({ from: "-1h" }, source);
    expect(report.stages.every((s) => s.windows.inconclusive === 120 && s.rollbacks.length === 0)).toBe(true);
    expect(report.summary).toBe(
      "Prometheus holds no request count for blue of api in us-east over the period, so every window is inconclusive: check the region's queries (regions[].metrics.queries) and the labels service, region and colour.",
    );
  });
});

describe("backtest: a clean period", () => {
  it("stays quiet at every stage", async () => {
    const { source, calls } = fakeSource(() => CLEAN);
    const report = await run({ from: "-30h" }, source);
    expect(report.stages.every((s) => s.rollbacks.length === 0 && s.holds.length === 0 && s.windows.breach === 0)).toBe(true);
    expect(report.summary).toBe("No stage would have rolled back in the 30 h.");
    // 3,600 windows of 30 s per colour, asked for in one range query each (at most 10,000 points).
    expect(calls.map((c) => [c.colour, c.stepMs])).toEqual([
      ["blue", 30_000],
      ["green", 30_000],
    ]);
  });

  it("asks for a long period in range queries of at most 10,000 windows", async () => {
    const { source, calls } = fakeSource(() => CLEAN);
    const stages = [{ percent: 100, maxErrorRatePct: 1, maxLatencyP95Ms: 500, durationMinutes: 5 }];
    const analysis = { ...h.config.analysis, intervalSeconds: 10, compareToBaseline: false };
    const report = await run({ from: "-50h", colour: "green", stages, analysis }, source);
    expect(report.windowCount).toBe(18_000);
    expect(report.baselineColour).toBeNull();
    expect(calls.map((c) => (c.to - c.from) / c.stepMs)).toEqual([10_000, 8_000]);
    expect(calls.every((c) => c.colour === "green")).toBe(true);
    expect(report.summary).toBe("No stage would have rolled back in the 2 days.");
  });
});

describe("backtest: refusals name the field and what is wrong", () => {
  const { source } = fakeSource(() => CLEAN);
  it.each([
    [{ from: "yesterday" }, "from", '"yesterday" is not a time: use ISO 8601 (2026-12-01T14:00Z) or a time relative to now (-30d, -6h, -90m, now)'],
    [{ to: "+1h" }, "to", '"+1h" is not a time'],
    [{ from: "-1h", to: "-2h" }, "from", "is not before to"],
    [{ from: "-60d" }, "from", "the period holds 172,800 windows of 30 s; a backtest replays at most 100,000"],
    [{ incidentFrom: "-7h" }, "incidentFrom", "the incident must start within the period"],
    [{ incidentFrom: "-2h", incidentTo: "-3h" }, "incidentTo", "the incident must end after it starts"],
    [{ colour: "purple" }, "colour", 'expected "blue" or "green"'],
  ] as Array<[Partial<BacktestInput>, string, string]>)("%j", async (input, path, words) => {
    const err = await caught(() => run(input, source));
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toContain(words);
    expect((err.details as { issues: Array<{ path: string }> }).issues[0].path).toBe(path);
  });

  it("refuses an unknown region, a region without recorded metrics, and a reader without a role", async () => {
    expect((await caught(() => run({ regionId: "mars" }, source))).code).toBe("NOT_FOUND");
    const none = await caught(() => run({}, () => null));
    expect(none.code).toBe("PRECONDITION_FAILED");
    expect(none.message).toContain("us-east's metrics are simulated: there is no recorded history to replay");
    const nobody = addUser(h.db, "nobody", "Nobody", []);
    expect((await caught(() => run({}, source, nobody))).code).toBe("FORBIDDEN");
  });

  it("says which store failed when the history cannot be read", async () => {
    const down: HistorySource = () => ({
      history: async () => {
        throw new Error("Prometheus at http://127.0.0.1:1 cannot be reached: ECONNREFUSED (is it down?)");
      },
    });
    const err = await caught(() => run({}, down));
    expect(err.code).toBe("PRECONDITION_FAILED");
    expect(err.message).toBe(
      "The metrics history of us-east (blue) could not be read: Prometheus at http://127.0.0.1:1 cannot be reached: ECONNREFUSED (is it down?)",
    );
  });
});

describe("parseBacktestTime", () => {
  const at = Date.UTC(2026, 11, 7, 12, 0, 0);
  it.each([
    ["now", at],
    ["-30d", at - 30 * 24 * HOUR],
    ["now-6h", at - 6 * HOUR],
    ["-90m", at - 90 * MIN],
    ["-1.5h", at - 90 * MIN],
    ["-45s", at - 45_000],
    ["-2w", at - 14 * 24 * HOUR],
    ["2026-12-01", Date.UTC(2026, 11, 1)],
    ["2026-12-01T14:00Z", Date.UTC(2026, 11, 1, 14)],
    ["2026-12-01T14:00", Date.UTC(2026, 11, 1, 14)],
    ["2026-12-01 14:00:30+01:00", Date.UTC(2026, 11, 1, 13, 0, 30)],
    ["yesterday", null],
    ["30d", null],
    ["2026-13-01", null],
  ])("%s", (text, expected) => expect(parseBacktestTime(text, at)).toBe(expected));
});

/**
 * `flightdeck backtest` against the lab's real Prometheus given four hours of recorded history: the history is
 * written as OpenMetrics and turned into TSDB blocks by Debian's `promtool tsdb create-blocks-from openmetrics`,
 * then Prometheus starts on that data dir (lab/servers/prometheus.ts). The CLI goes over real sockets to the REST
 * route handlers (http-server.fixtures.ts), which read the region's history with range queries. Given: 20 req/s
 * on blue (the live colour), 2 on green, no errors, p95 about 88 ms; from 2 h in, 10 minutes at 5 % errors.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "@/db/client";
import { labPaths } from "@/lab/layout";
import { createCaller } from "@/server/api/root";
import { createTRPCContext } from "@/server/api/trpc";
import type { SessionUser } from "@/server/auth/session";
import { startPrometheus, type LabPrometheus } from "@/lab/servers/prometheus";
import { freePort, tempLabDir } from "@/lab/test-support";
import { parseDocument, stringify } from "yaml";
import { setConfig } from "@/server/config";
import { DEMO_CONFIG_PATH } from "@/server/config/load";
import { RegionConfig } from "@/server/config/schema";
import { realClock } from "@/server/engine/clock";
import { addUser, createHarness, demoConfig, type Harness } from "@/server/engine/runner/test-fixtures";
import { createToken } from "@/server/services/api-tokens";
import type { BacktestReport } from "@/server/services/backtest";
import { runBacktest } from "./backtest";
import { startRouteServer } from "./http-server.fixtures";
import type { CliIo } from "./io";
import { ArgumentError } from "./simulate-args";

const PROMTOOL = "/usr/bin/promtool";
const SCRAPE_S = 10;
const MIN = 60_000;

// The recorded period, on the analysis grid (30 s): four hours ending ten minutes ago, the bad 10 minutes 2 h in.
const end = Math.floor((Date.now() - 10 * MIN) / 30_000) * 30_000;
const start = end - 240 * MIN;
const badFrom = start + 120 * MIN;
const badTo = badFrom + 10 * MIN;
const iso = (ms: number) => new Date(ms).toISOString();

/** One OpenMetrics family: every series' samples in time order, as promtool wants them. */
function family(type: string, name: string, series: Array<{ labels: string; value: (t: number) => number }>, times: number[]): string[] {
  const lines = [`# TYPE ${name} ${type}`];
  const sample = type === "counter" ? `${name}_total` : name;
  for (const s of series) for (const t of times) lines.push(`${sample}{${s.labels}} ${s.value(t)} ${t / 1000}`);
  return lines;
}

/** Counters as a service and node_exporter would have them: cumulative, each scrape adding what the last 10 s served. */
function recordedHistory(): string {
  const times: number[] = [];
  for (let t = start - 5 * MIN; t <= end; t += SCRAPE_S * 1000) times.push(t);
  // Requests and 5xx of one colour up to time t: `rate` per second, 5 % of blue's failing in the bad period.
  const served = (rate: number) => (t: number) => Math.round(((t - times[0]) / 1000) * rate);
  const errorsUpTo = (t: number) => Math.round((Math.max(0, Math.min(t, badTo) - badFrom) / 1000) * 20 * 0.05);
  const sel = (colour: string, extra = "") => `service="api",region="us-east",colour="${colour}"${extra}`;
  const host = (colour: string, extra = "") => `region="us-east",colour="${colour}"${extra}`;
  const lines = [
    ...family(
      "counter",
      "http_requests",
      [
        { labels: sel("blue", ',code="200"'), value: (t) => served(20)(t) - errorsUpTo(t) },
        { labels: sel("blue", ',code="500"'), value: errorsUpTo },
        { labels: sel("green", ',code="200"'), value: served(2) },
      ],
      times,
    ),
    // 80 % of requests within 50 ms, all within 100 ms: a p95 of about 88 ms.
    ...family(
      "unknown",
      "http_request_duration_seconds_bucket",
      ["blue", "green"].flatMap((colour) =>
        [
          ["0.05", 0.8],
          ["0.1", 1],
          ["0.25", 1],
          ["+Inf", 1],
        ].map(([le, share]) => ({
          labels: sel(colour, `,le="${le}"`),
          value: (t: number) => Math.round(served(colour === "blue" ? 20 : 2)(t) * Number(share)),
        })),
      ),
      times,
    ),
    ...family(
      "counter",
      "node_cpu_seconds",
      ["blue", "green"].map((colour) => ({ labels: host(colour, ',mode="idle"'), value: (t: number) => ((t - times[0]) / 1000) * 0.7 })),
      times,
    ),
    ...family(
      "gauge",
      "node_memory_MemAvailable_bytes",
      ["blue", "green"].map((colour) => ({ labels: host(colour), value: () => 6e9 })),
      times,
    ),
    ...family(
      "gauge",
      "node_memory_MemTotal_bytes",
      ["blue", "green"].map((colour) => ({ labels: host(colour), value: () => 1e10 })),
      times,
    ),
    ...family(
      "gauge",
      "up",
      ["blue", "green"].map((colour) => ({ labels: sel(colour), value: () => 1 })),
      times,
    ),
  ];
  return [...lines, "# EOF", ""].join("\n");
}

let dir: string;
let prometheus: LabPrometheus;
let h: Harness;
let server: Awaited<ReturnType<typeof startRouteServer>>;
let token: string;

beforeAll(async () => {
  dir = tempLabDir();
  const data = path.join(labPaths(dir).server("prometheus"), "data");
  const file = path.join(dir, "history.om");
  writeFileSync(file, recordedHistory());
  // Debian's prometheus package ships promtool; no fallback: without it the test fails and says so.
  execFileSync(PROMTOOL, ["tsdb", "create-blocks-from", "openmetrics", file, data], { stdio: "pipe" });
  prometheus = await startPrometheus({ dir, port: await freePort(), targets: [] });

  const base = demoConfig();
  const config = {
    ...base,
    regions: base.regions.map((r) => (r.id === "us-east" ? RegionConfig.parse({ ...r, metrics: { provider: "prometheus", url: prometheus.url } }) : r)),
  };
  h = createHarness({ config });
  (globalThis as { flightdeckDb?: Store }).flightdeckDb = h.db;
  setConfig({ config, file: "test" });
  const vera = addUser(h.db, "vera", "Vera", ["viewer"]);
  token = (await createToken({ db: h.db, config, actor: { ...vera, roles: ["admin"] }, clock: realClock }, { name: "vera-read", scope: "read" })).token;
  server = await startRouteServer();
}, 60_000);

afterAll(async () => {
  await server?.close();
  (globalThis as { flightdeckDb?: Store }).flightdeckDb = undefined;
  h?.cleanup();
  await prometheus?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[]) {
  const lines: string[] = [];
  const io: CliIo = {
    out: (l) => lines.push(l),
    err: (l) => lines.push(l),
    env: { FLIGHTDECK_URL: server.url, FLIGHTDECK_TOKEN: token },
    tty: false,
    sleep: async () => {},
  };
  const code = await runBacktest(args, io);
  return { code, lines };
}

describe("flightdeck backtest over the lab's Prometheus with a recorded bad period", () => {
  it("finds the breach in the bad period's first window at every stage, and no false alarm in the four hours", async () => {
    const args = ["--region", "us-east", "--from", iso(start), "--to", iso(end), "--incident-from", iso(badFrom), "--incident-to", iso(badTo)];
    const { code, lines } = await cli([...args, "--json"]);
    expect(code).toBe(0);
    const report = JSON.parse(lines.join("\n")) as BacktestReport;
    expect(report).toMatchObject({ regionId: "us-east", serviceId: "api", colour: "blue", baselineColour: "green", windowCount: 480 });
    for (const stage of report.stages) {
      expect(stage.firstBreach).toMatchObject({ from: badFrom, to: badFrom + 30_000 });
      expect(stage.detection).toEqual({ at: badFrom + 30_000, afterMs: 30_000 });
      expect(stage.falseAlarms).toBe(0);
      expect(stage.holds).toEqual([]);
      expect(stage.summary).toBe(`would have rolled back at ${stage.percent} % after 30 s; 0 false alarms in the 4 h`);
    }
    expect(report.stages[0].firstBreach?.words).toMatch(/^error rate 5 % > 1 %/);
    // Every rollback lies within the bad period.
    expect(report.stages.flatMap((s) => s.rollbacks).every((r) => r.to > badFrom && r.from < badTo)).toBe(true);
    expect(report.summary).toBe("Caught at 5 of 5 stages, fastest at 10 % after 30 s; 0 false alarms in the 4 h.");

    const text = await cli(args);
    expect(text.lines).toContain("  would have rolled back at 10 % after 30 s; 0 false alarms in the 4 h");
    expect(text.lines.at(-1)).toBe("Caught at 5 of 5 stages, fastest at 10 % after 30 s; 0 false alarms in the 4 h.");
  }, 60_000);

  it("stays quiet over the clean two hours before it", async () => {
    const { code, lines } = await cli(["--region", "us", "--from", iso(start), "--to", iso(badFrom), "--json"]);
    expect(code).toBe(0);
    const report = JSON.parse(lines.join("\n")) as BacktestReport;
    expect(report.windowCount).toBe(240);
    for (const stage of report.stages) {
      expect(stage.windows.breach).toBe(0);
      expect(stage.rollbacks).toEqual([]);
      expect(stage.holds).toEqual([]);
    }
    // The 10 % stage's limit (1 %) is bounded from the first window; every window passes.
    expect(report.stages[0].windows.pass).toBe(240);
    expect(report.summary).toBe("No stage would have rolled back in the 2 h.");
  }, 60_000);

  it("tries the thresholds of another config file: one stage at a 10 % limit, no baseline test, would not have caught the 5 % incident", async () => {
    const raw = parseDocument(readFileSync(DEMO_CONFIG_PATH, "utf8")).toJS() as Record<string, unknown>;
    raw.stages = [{ percent: 100, maxErrorRatePct: 10, maxLatencyP95Ms: 1000, durationMinutes: 5 }];
    // Without the comparison to green, which alone would call 5 % against 0 % significantly worse.
    raw.analysis = { ...(raw.analysis as object), compareToBaseline: false };
    const file = path.join(dir, "looser.yaml");
    writeFileSync(file, stringify(raw));
    const args = ["--region", "us-east", "--from", iso(start), "--to", iso(end), "--incident-from", iso(badFrom), "--config", file];
    const { lines } = await cli([...args, "--json"]);
    const report = JSON.parse(lines.join("\n")) as BacktestReport;
    expect(report).toMatchObject({ thresholds: "given", baselineColour: null });
    expect(report.stages.map((s) => s.limits)).toEqual(["error rate ≤ 10 %, p95 latency ≤ 1000 ms"]);
    expect(report.summary).toBe("Not caught at its one stage; 0 false alarms in the 4 h.");

    writeFileSync(file, "stages: [{ percent: 50 }]\n");
    const refused = await cli(["--region", "us-east", "--from", "-1h", "--config", file]).catch((err: Error) => err);
    expect(refused).toBeInstanceOf(ArgumentError);
    expect((refused as Error).message).toMatch(new RegExp(`^--config ${file}: .*stages\\[0\\]\\.maxErrorRatePct`));
  }, 60_000);

  it("names the flag and what is wrong", async () => {
    const refused = async (args: string[]) => {
      try {
        await cli(args);
      } catch (err) {
        if (err instanceof ArgumentError) return err.message;
        throw err;
      }
      throw new Error("expected a refusal");
    };
    expect(await refused(["--region", "us-east", "--from", "yesterday"])).toBe(
      '--from: "yesterday" is not a time: use ISO 8601 (2026-12-01T14:00Z) or a time relative to now (-30d, -6h, -90m, now)',
    );
    expect(await refused(["--region", "us-east", "--from", "-1h", "--to", "-2h"])).toMatch(/^--from: -1h \(.*\) is not before to/);
    expect(await refused(["--region", "us-east"])).toMatch(/^--from is required/);
    expect(await refused(["--region", "us-east", "--from", "-1h", "--colour", "purple"])).toBe('--colour must be blue or green, got "purple"');
  });

  it("answers the dashboard's page (tRPC) for a viewer, and refuses someone without a role and a region without recorded metrics", async () => {
    const caller = async (roles: SessionUser["roles"]) =>
      createCaller(await createTRPCContext({ headers: new Headers(), user: { id: "vera", email: "vera@example.test", name: "Vera", roles } }));
    const input = { regionId: "us-east", from: iso(start), to: iso(end), incidentFrom: iso(badFrom), incidentTo: iso(badTo) };
    const report = await (await caller(["viewer"])).backtest.run(input);
    expect(report.summary).toBe("Caught at 5 of 5 stages, fastest at 10 % after 30 s; 0 false alarms in the 4 h.");
    await expect((await caller([])).backtest.run(input)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect((await caller(["viewer"])).backtest.run({ ...input, regionId: "eu-west" })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message:
        "eu-west's metrics are simulated: there is no recorded history to replay. The backtest reads Prometheus (regions[].metrics.provider: prometheus).",
    });
  }, 60_000);
});

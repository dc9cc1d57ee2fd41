/**
 * Measurements from the lab's real Prometheus scraping two real sample services (a clean blue, a green release
 * failing 20 % of requests): live windows, a past window read again later, range queries for history, no data,
 * and a store that is down or answers garbage.
 */
import http from "node:http";
import { rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildArtifact } from "@/lab/artifacts";
import { LAB_QUERIES } from "@/lab/fleet-config";
import { serviceName, startHost } from "@/lab/hosts";
import { labPaths } from "@/lab/layout";
import { stopByPidFile } from "@/lab/process";
import { startPrometheus, type LabPrometheus } from "@/lab/servers/prometheus";
import { FleetConfig } from "@/server/config/schema";
import { createMetricsProvider } from "../real";
import { freePorts, labTempDir } from "../test-support";
import { ProviderError, type Colour, type MeasureInput } from "../types";
import type { PrometheusMetricsProvider } from ".";

let dir: string;
let prometheus: LabPrometheus;
let junk: http.Server;
let ports: { prometheus: number; blue: number; green: number; closed: number; junk: number };
/** Window edges: burst 1 in [t0, t1], burst 2 in [t1, t2], nothing in [t2, t3]. */
const t = { t0: 0, t1: 0, t2: 0, t3: 0 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function burst(colour: Colour, count: number) {
  for (let i = 0; i < count; i++) await (await fetch(`http://127.0.0.1:${ports[colour]}/`)).arrayBuffer();
}

/** Wait until Prometheus holds these request totals, then one scrape more, so a window ending now has them all. */
async function scraped(totals: Record<Colour, number>) {
  const deadline = Date.now() + 15_000;
  for (const colour of ["blue", "green"] as const) {
    const query = `sum(http_requests_total{region="lab",colour="${colour}"})`;
    while ((await prometheus.query(query)) !== totals[colour]) {
      if (Date.now() > deadline) throw new Error(`Prometheus did not scrape ${totals[colour]} ${colour} requests within 15 s`);
      await sleep(200);
    }
  }
  await sleep(1100);
}

beforeAll(async () => {
  dir = labTempDir("prometheus");
  const [p, blue, green, closed] = await freePorts(4);
  const releases = { blue: buildArtifact({ version: "1.0.0" }, { dir }), green: buildArtifact({ version: "1.1.0", errorRatePct: 20 }, { dir }) };
  for (const colour of ["blue", "green"] as const) {
    startHost({ dir: labPaths(dir).host("lab", colour), region: "lab", colour, port: colour === "blue" ? blue : green }, dir, releases[colour]);
  }
  junk = http.createServer((req, res) => {
    if (req.url?.startsWith("/json/")) return res.end(JSON.stringify({ hello: "world" }));
    if (req.url?.startsWith("/busy/")) return res.writeHead(503, { "content-type": "text/html" }).end("<html>Service Unavailable</html>");
    res.writeHead(200, { "content-type": "text/html" }).end("<html>oops, a login page</html>");
  });
  await new Promise<void>((resolve) => junk.listen(0, "127.0.0.1", resolve));
  ports = { prometheus: p, blue, green, closed, junk: (junk.address() as AddressInfo).port };
  prometheus = await startPrometheus({
    dir,
    port: ports.prometheus,
    targets: (["blue", "green"] as const).map((colour) => ({
      job: "sample-service",
      address: `127.0.0.1:${ports[colour]}`,
      labels: { service: "api", region: "lab", colour },
    })),
  });
  await prometheus.waitForTargets(30_000);

  t.t0 = Date.now();
  await sleep(1200); // a scrape before the first request
  await Promise.all([burst("green", 50), burst("blue", 40)]);
  await scraped({ green: 50, blue: 40 });
  t.t1 = Date.now();
  await sleep(1200); // a scrape inside [t1, t2] before the second burst
  await burst("green", 30);
  await scraped({ green: 80, blue: 40 });
  t.t2 = Date.now();
  await sleep(3000); // at least two scrapes without traffic
  t.t3 = Date.now();
}, 60_000);

afterAll(async () => {
  junk?.close();
  await prometheus?.stop();
  for (const colour of ["blue", "green"] as const) await stopByPidFile(dir, serviceName("lab", colour));
  rmSync(dir, { recursive: true, force: true });
});

function metrics(opts: { url?: string; queries?: Record<string, string>; healthUrl?: string } = {}): PrometheusMetricsProvider {
  const config = FleetConfig.parse({
    services: [{ id: "api", name: "API" }],
    regions: [
      {
        id: "lab",
        name: "Lab",
        environment: "production-lab",
        order: 1,
        targets: { blue: { host: "127.0.0.1", port: ports.blue }, green: { host: "127.0.0.1", port: ports.closed } },
        metrics: {
          provider: "prometheus",
          url: opts.url ?? prometheus.url,
          queries: opts.queries ?? {},
          ...(opts.healthUrl ? { healthUrl: opts.healthUrl } : {}),
        },
      },
    ],
  });
  return createMetricsProvider(config, config.regions[0], {}) as PrometheusMetricsProvider;
}

const window = (colour: Colour, from: number, to: number, region = "lab"): MeasureInput => ({ region, colour, stagePercent: 10, from, to });

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

describe("Prometheus measurements of the lab's sample services", () => {
  it("the new colour's window: request count, 20 % errors, p95 latency, health 200; the old colour clean", async () => {
    const green = await metrics().measure(window("green", t.t0, t.t1));
    expect(green.requests).toBeGreaterThanOrEqual(45);
    expect(green.requests).toBeLessThanOrEqual(90);
    expect(green.errorRatePct).toBeCloseTo(20, 0);
    expect(green.latencyP95Ms).toBeGreaterThan(5);
    expect(green.latencyP95Ms).toBeLessThan(100);
    expect(green.healthStatus).toBe(200);
    const blue = await metrics().measure(window("blue", t.t0, t.t1));
    expect(blue.requests).toBeGreaterThanOrEqual(36);
    expect(blue.errorRatePct).toBe(0);
  });

  it("a past window reads exactly as it did, later traffic left out (what a restart needs)", async () => {
    const first = await metrics().measure(window("green", t.t0, t.t1));
    const second = await metrics().measure(window("green", t.t1, t.t2));
    expect(second.requests).toBeGreaterThanOrEqual(27);
    expect(second.requests).toBeLessThan(first.requests!);
    await sleep(1200);
    expect(await metrics().measure(window("green", t.t0, t.t1))).toEqual(first);
  });

  it("history: range queries split a missed window into samples, each as measure() sees it", async () => {
    const history = await metrics().history({ region: "lab", colour: "green", from: t.t0, to: t.t2, stepMs: 3000 });
    expect(history.length).toBe(Math.floor((t.t2 - t.t0) / 3000));
    expect(history.every((s) => s.to - s.from === 3000)).toBe(true);
    const last = history[history.length - 1];
    const direct = await metrics().measure(window("green", last.from, last.to));
    expect(last.measurement.requests).toBe(direct.requests);
    expect(last.measurement.errorRatePct).toBe(direct.errorRatePct);
    expect(history.reduce((sum, s) => sum + (s.measurement.requests ?? 0), 0)).toBeGreaterThanOrEqual(60);
  });

  it("a window without traffic has no error rate and no latency (no data), never zero errors", async () => {
    const idle = await metrics().measure(window("green", t.t2, t.t3));
    expect(idle.requests).toBe(0);
    expect(idle.errorRatePct).toBeNull();
    expect(idle.latencyP95Ms).toBeNull();
  });

  it("a region Prometheus knows nothing about is all nulls", async () => {
    expect(await metrics().measure(window("green", t.t0, t.t2, "nowhere"))).toEqual({
      requests: null,
      errorRatePct: null,
      latencyP95Ms: null,
      cpuPct: null,
      memoryPct: null,
      healthStatus: null,
    });
  });

  it("default CPU and memory read node_exporter, which the lab has not: null; the lab's own templates give numbers", async () => {
    const byDefault = await metrics().measure(window("green", t.t0, t.t2));
    expect(byDefault.cpuPct).toBeNull();
    expect(byDefault.memoryPct).toBeNull();
    const lab = await metrics({ queries: LAB_QUERIES }).measure(window("green", t.t0, t.t2));
    expect(lab.cpuPct).toBeGreaterThan(0);
    expect(lab.cpuPct).toBeLessThan(100);
    expect(lab.memoryPct).toBeGreaterThan(0);
    expect(lab.memoryPct).toBeLessThan(100);
  });

  it("health from a probe of the colour's URL: 200 when it answers, 0 when nothing listens", async () => {
    const probe = metrics({ healthUrl: "http://{host}:{port}/health" });
    expect((await probe.measure(window("blue", t.t0, t.t1))).healthStatus).toBe(200);
    expect((await probe.measure(window("green", t.t0, t.t1))).healthStatus).toBe(0);
  });

  it("a query Prometheus refuses is an error naming the query and Prometheus's reason", async () => {
    const err = await failure(
      metrics({ queries: { cpuPct: 'sum(rate(process_cpu_seconds_total{colour="{colour}"}[{window}])' } }).measure(window("green", t.t0, t.t1)),
    );
    expect(err.message).toContain(`Prometheus at ${prometheus.url} refused sum(rate(process_cpu_seconds_total{colour="green"}`);
    expect(err.message).toContain("bad_data");
    expect(err.retryable).toBe(false);
  });
});

describe("a Prometheus that is down or answers garbage", () => {
  it("down: a retryable error that says it cannot be reached", async () => {
    const err = await failure(metrics({ url: `http://127.0.0.1:${ports.closed}` }).measure(window("green", t.t0, t.t1)));
    expect(err.message).toBe(`Prometheus at http://127.0.0.1:${ports.closed} cannot be reached: ECONNREFUSED (is it down?)`);
    expect(err.retryable).toBe(true);
  });

  it("an HTML page instead of the API: an error that says so, with what came back", async () => {
    const err = await failure(metrics({ url: `http://127.0.0.1:${ports.junk}` }).measure(window("green", t.t0, t.t1)));
    expect(err.message).toBe(
      `Prometheus at http://127.0.0.1:${ports.junk} answered something that is not its API (HTTP 200, text/html): <html>oops, a login page</html>`,
    );
  });

  it("JSON that is not Prometheus's envelope: an error, never a measurement", async () => {
    const err = await failure(metrics({ url: `http://127.0.0.1:${ports.junk}/json` }).measure(window("green", t.t0, t.t1)));
    expect(err.message).toContain(`answered something that is not its API (expected {"status":"success","data":{"resultType":...}}, got {"hello":"world"})`);
  });

  it("503 from a proxy in front of it: retryable", async () => {
    const err = await failure(metrics({ url: `http://127.0.0.1:${ports.junk}/busy` }).measure(window("green", t.t0, t.t1)));
    expect(err.message).toBe(`Prometheus at http://127.0.0.1:${ports.junk}/busy answered HTTP 503: <html>Service Unavailable</html>`);
    expect(err.retryable).toBe(true);
  });
});

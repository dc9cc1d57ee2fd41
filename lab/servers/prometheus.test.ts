import { rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildArtifact } from "../artifacts";
import { fillQuery, LAB_QUERIES } from "../fleet-config";
import { startHost } from "../hosts";
import { stopByPidFile, waitUntil } from "../process";
import { freePorts, tempLabDir } from "../test-support";
import { startPrometheus, type LabPrometheus } from "./prometheus";
import { startPushgateway, type LabPushgateway } from "./pushgateway";

const dir = tempLabDir();
let prometheus: LabPrometheus;
let pushgateway: LabPushgateway;
const ports = { blue: 0, green: 0 };

/** `count` requests straight to a service, `concurrency` at a time. */
async function load(port: number, count: number, concurrency = 50) {
  for (let done = 0; done < count; done += concurrency) {
    await Promise.all(Array.from({ length: Math.min(concurrency, count - done) }, () => fetch(`http://127.0.0.1:${port}/`).then((r) => r.arrayBuffer())));
  }
}

beforeAll(async () => {
  const [promPort, pushPort, bluePort, greenPort] = await freePorts(4);
  Object.assign(ports, { blue: bluePort, green: greenPort });
  const good = buildArtifact({ version: "1.0.0" }, { dir, baseUrl: "http://127.0.0.1:1" });
  const bad = buildArtifact({ version: "1.1.0", errorRatePct: 5, extraLatencyMs: 300 }, { dir, baseUrl: "http://127.0.0.1:1" });
  startHost({ dir: path.join(dir, "hosts/z/blue"), region: "z", colour: "blue", port: bluePort }, dir, good);
  startHost({ dir: path.join(dir, "hosts/z/green"), region: "z", colour: "green", port: greenPort }, dir, bad);
  pushgateway = await startPushgateway({ dir, port: pushPort });
  prometheus = await startPrometheus({
    dir,
    port: promPort,
    targets: [
      { job: "sample-service", address: `127.0.0.1:${bluePort}`, labels: { service: "api", region: "z", colour: "blue" } },
      { job: "sample-service", address: `127.0.0.1:${greenPort}`, labels: { service: "api", region: "z", colour: "green" } },
      { job: "pushgateway", address: `127.0.0.1:${pushPort}`, honorLabels: true },
    ],
  });
});

afterAll(async () => {
  await Promise.all([prometheus?.stop(), pushgateway?.stop(), stopByPidFile(dir, "service-z-blue"), stopByPidFile(dir, "service-z-green")]);
  rmSync(dir, { recursive: true, force: true });
});

describe("the lab's Prometheus", () => {
  it("scrapes every target: `up` is 1 for each", async () => {
    await prometheus.waitForTargets(20_000);
    expect(await prometheus.query('sum(up{job="sample-service"})')).toBe(2);
    expect(await prometheus.query('up{job="pushgateway"}')).toBe(1);
  });

  it("shows a release's real error rate and latency through the lab's PromQL templates", async () => {
    // Scrapes every second: the requests land between two scrapes, and two more scrapes close the window.
    await Promise.all([load(ports.green, 400), load(ports.blue, 400)]);
    const query = (template: string, colour: string) => prometheus.query(fillQuery(template, { region: "z", colour, window: "1m" }));
    const settled = await waitUntil(
      async () => (await query(LAB_QUERIES.requests, "green")) !== null && (await query(LAB_QUERIES.requests, "green"))! >= 390,
      10_000,
      500,
    );
    expect(settled).toBe(true);

    const badErrors = await query(LAB_QUERIES.errorRatePct, "green");
    expect(badErrors).toBeGreaterThan(4.5);
    expect(badErrors).toBeLessThan(5.5);
    expect(await query(LAB_QUERIES.errorRatePct, "blue")).toBe(0);

    // 300 ms of extra latency on top of 5-25 ms of work (and whatever a busy test machine adds to both).
    const badP95 = (await query(LAB_QUERIES.latencyP95Ms, "green"))!;
    const goodP95 = (await query(LAB_QUERIES.latencyP95Ms, "blue"))!;
    expect(badP95).toBeGreaterThan(300);
    expect(badP95).toBeLessThan(450);
    expect(goodP95).toBeLessThan(100);
    expect(badP95 - goodP95).toBeGreaterThan(250);

    expect(await query(LAB_QUERIES.cpuPct, "green")).toBeGreaterThan(0);
    const memory = await query(LAB_QUERIES.memoryPct, "green");
    expect(memory).toBeGreaterThan(0);
    expect(memory).toBeLessThan(100);
  });
});

describe("the lab's Pushgateway", () => {
  it("accepts a push, and Prometheus scrapes it with the pushed labels", async () => {
    const push = await fetch(`${pushgateway.url}/metrics/job/flightdeck/region/z`, {
      method: "PUT",
      body: "# TYPE flightdeck_canary_percent gauge\nflightdeck_canary_percent 25\n",
    });
    expect(push.status).toBe(200);
    expect(await (await fetch(`${pushgateway.url}/metrics`)).text()).toContain('flightdeck_canary_percent{instance="",job="flightdeck",region="z"} 25');
    const scraped = await waitUntil(async () => (await prometheus.query('flightdeck_canary_percent{job="flightdeck",region="z"}')) === 25, 10_000, 250);
    expect(scraped).toBe(true);
  });
});

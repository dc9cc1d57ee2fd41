/** Against the lab's real Pushgateway and Prometheus (honor_labels): push a group, read it back, delete it. */
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitUntil } from "@/lab/process";
import { startPrometheus, type LabPrometheus } from "@/lab/servers/prometheus";
import { startPushgateway, type LabPushgateway } from "@/lab/servers/pushgateway";
import { freePorts, tempLabDir } from "@/lab/test-support";
import { buildPushBody, deleteGroup, pushGroup } from ".";

let dir: string;
let pushgateway: LabPushgateway;
let prometheus: LabPrometheus;

beforeAll(async () => {
  dir = tempLabDir();
  const [pgPort, promPort] = await freePorts(2);
  pushgateway = await startPushgateway({ dir, port: pgPort });
  prometheus = await startPrometheus({ dir, port: promPort, targets: [{ job: "pushgateway", address: `127.0.0.1:${pgPort}`, honorLabels: true }] });
  await prometheus.waitForTargets(30_000);
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await pushgateway?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Polls Prometheus (1 s scrape) until the query has a value, or fails naming the query. */
async function readBack(promql: string): Promise<number> {
  let value: number | null = null;
  await waitUntil(async () => (value = await prometheus.query(promql)) !== null, 20_000, 250);
  if (value === null) throw new Error(`Prometheus has no value for ${promql} after 20 s`);
  return value;
}

const groupText = async () => (await fetch(`${pushgateway.url}/metrics`)).text();
/** A DELETE is answered 202 (accepted): the group goes a moment later. */
const groupGone = (rolloutId: string) => waitUntil(async () => !(await groupText()).includes(`rollout_id="${rolloutId}"`), 5_000, 100);

describe("Pushgateway metrics, read back through Prometheus", () => {
  it("a pushed breach at 25 % reads back with the rollout, region and stage labels, and is gone once deleted", async () => {
    const group = { rolloutId: "r-breach", regionId: "eu-west" };
    const body = buildPushBody({
      ...group,
      serviceId: "api",
      correlationId: "c-1",
      stageIndex: 1,
      canaryPct: 25,
      errorRatePct: 1.2,
      latencyP95Ms: 420,
      cpuPct: 30,
      memoryPct: 40,
      verdict: "breach",
      stageDurationMs: 95_000,
    });
    const pushed = await pushGroup(pushgateway.url, { ...group, body }, { timeoutMs: 5_000, correlationId: "c-1" });
    expect(pushed).toMatchObject({ kind: "answered", status: 200 });

    const sel = '{job="flightdeck",rollout_id="r-breach",region="eu-west",service="api",stage="2",correlation_id="c-1"}';
    expect(await readBack(`flightdeck_canary_error_rate_percent${sel}`)).toBe(1.2);
    expect(await readBack(`flightdeck_canary_latency_p95_seconds${sel}`)).toBe(0.42);
    expect(await readBack(`flightdeck_canary_verdict${sel}`)).toBe(0);
    expect(await readBack(`flightdeck_canary_traffic_percent${sel}`)).toBe(25);

    expect(await deleteGroup(pushgateway.url, group, { timeoutMs: 5_000 })).toMatchObject({ kind: "answered", status: 202 });
    expect(await groupGone("r-breach")).toBe(true);
  }, 60_000);
});

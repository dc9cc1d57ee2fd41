/**
 * Pushgateway metrics of a simulated rollout, against the lab's real Pushgateway and Prometheus (honor_labels):
 * the stage transitions go through the outbox to the Pushgateway, Prometheus reads the final values back, and
 * the cleanup row deletes the group once it is due.
 */
import { rmSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { notificationOutbox } from "@/db/schema";
import { setConfig } from "@/server/config";
import { DEMO_CONFIG_PATH } from "@/server/config/load";
import { PUSH_GROUP_KEEP_MS } from "./observability-enqueue";
import { deliverDueNotifications } from "./sender";
import { observabilityHarness, rollOutToEuWest } from "./test-observability-fixtures";
import { demoConfig, eventsOf, type Harness } from "@/server/engine/runner/test-fixtures";
import { waitUntil } from "@/lab/process";
import { startPrometheus, type LabPrometheus } from "@/lab/servers/prometheus";
import { startPushgateway, type LabPushgateway } from "@/lab/servers/pushgateway";
import { freePorts, tempLabDir } from "@/lab/test-support";

let dir: string;
let pushgateway: LabPushgateway;
let prometheus: LabPrometheus;
let h: Harness | undefined;

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

afterEach(() => {
  h?.cleanup();
  h = undefined;
  setConfig({ config: demoConfig(), file: DEMO_CONFIG_PATH });
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

describe("Pushgateway metrics of a rollout, read back through Prometheus", () => {
  it("a simulated rollout pushes at each stage through the outbox; Prometheus reads the final stage; the group is deleted when due", async () => {
    h = observabilityHarness({ pushgateway: true });
    const { rolloutId, correlationId } = await rollOutToEuWest(h);
    const env = { PROMETHEUS_PUSHGATEWAY_URL: pushgateway.url };
    const now = h.clock.now();

    const results = await deliverDueNotifications({ db: h.db, config: h.config, env, now: () => now, batchSize: 100 });
    const transitions = eventsOf(h.db).filter((e) => ["stage.started", "stage.passed", "region.succeeded"].includes(e.type));
    expect(results.filter((r) => r.channelId === "pushgateway").map((r) => r.outcome)).toEqual(transitions.map(() => "sent"));

    const sel = `{job="flightdeck",rollout_id="${rolloutId}",region="eu-west",service="api",stage="5",correlation_id="${correlationId}"}`;
    expect(await readBack(`flightdeck_canary_traffic_percent${sel}`)).toBe(100);
    expect(await readBack(`flightdeck_canary_verdict${sel}`)).toBe(1);
    expect(await readBack(`flightdeck_stage_duration_seconds${sel}`)).toBeGreaterThan(0);
    expect(await readBack(`flightdeck_canary_error_rate_percent${sel}`)).toBeLessThan(0.2);

    // The cleanup waits PUSH_GROUP_KEEP_MS, then deletes the group.
    const cleanup = h.db.raw
      .select()
      .from(notificationOutbox)
      .all()
      .filter((r) => r.channelId === "pushgateway-cleanup");
    expect(cleanup.map((r) => r.status)).toEqual(["pending"]);
    expect(await groupText()).toContain(`rollout_id="${rolloutId}"`);
    const later = await deliverDueNotifications({ db: h.db, config: h.config, env, now: () => now + PUSH_GROUP_KEEP_MS });
    expect(later.map((r) => [r.channelId, r.outcome, r.status])).toEqual([["pushgateway-cleanup", "sent", 202]]);
    expect(await groupGone(rolloutId)).toBe(true);
  }, 90_000);
});

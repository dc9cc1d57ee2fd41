/** Flightdeck's own series on /api/metrics, after simulated rollouts on the virtual clock. */
import { afterEach, describe, expect, it } from "vitest";
import { setConfig } from "@/server/config";
import { DEMO_CONFIG_PATH } from "@/server/config/load";
import { deliverDueNotifications } from "@/server/engine/outbox/sender";
import { observabilityHarness, rollOutToEuWest } from "@/server/engine/outbox/test-observability-fixtures";
import { addUser, createHarness, demoConfig, DIGEST_A, phases, regionRolloutOf, runUntil, type Harness } from "@/server/engine/runner/test-fixtures";
import { BUILT } from "@/server/services/ci-webhook.fixtures";
import { rollbackRegion } from "@/server/services/region-commands";
import { startRollout } from "@/server/services/rollouts";
import { countRolloutsIn, getMetricsRegistry } from "./metrics";

let h: Harness | undefined;
afterEach(() => {
  h?.cleanup();
  h = undefined;
  setConfig({ config: demoConfig(), file: DEMO_CONFIG_PATH });
});

/** The value of one series in the registry's text, 0 when absent (counters start there). */
async function series(name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await getMetricsRegistry().metrics();
  let total = 0;
  for (const line of text.split("\n")) {
    const m = /^([a-z_:]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const has = Object.entries(labels).every(([k, v]) => m[2].includes(`${k}="${v}"`));
    if (has) total += Number(m[3]);
  }
  return total;
}

describe("/api/metrics", () => {
  it("counts a good rollout's stage transitions and verdicts, provider calls, and rollouts by status and phase", async () => {
    h = observabilityHarness({});
    countRolloutsIn(h.db);
    const before = {
      started: await series("flightdeck_stage_transitions_total", { region: "eu-west", transition: "started" }),
      passed: await series("flightdeck_stage_transitions_total", { region: "eu-west", transition: "passed" }),
      pass: await series("flightdeck_analysis_verdicts_total", { region: "eu-west", verdict: "pass" }),
      measures: await series("flightdeck_provider_call_duration_seconds_count", { provider: "metrics-simulated", operation: "measure" }),
      setWeights: await series("flightdeck_provider_call_duration_seconds_count", { provider: "traffic-simulated", operation: "setWeight" }),
      deploys: await series("flightdeck_provider_call_duration_seconds_count", { provider: "deploy-simulated", operation: "deploy" }),
    };
    await rollOutToEuWest(h);

    expect(await series("flightdeck_stage_transitions_total", { region: "eu-west", transition: "started" })).toBe(before.started + 5);
    expect(await series("flightdeck_stage_transitions_total", { region: "eu-west", transition: "passed" })).toBe(before.passed + 5);
    const passes = (await series("flightdeck_analysis_verdicts_total", { region: "eu-west", verdict: "pass" })) - before.pass;
    expect(passes).toBeGreaterThan(5);
    // Each judged sample measured both colours.
    expect(
      (await series("flightdeck_provider_call_duration_seconds_count", { provider: "metrics-simulated", operation: "measure" })) - before.measures,
    ).toBeGreaterThanOrEqual(2 * passes);
    expect(
      (await series("flightdeck_provider_call_duration_seconds_count", { provider: "traffic-simulated", operation: "setWeight" })) - before.setWeights,
    ).toBe(5);
    expect((await series("flightdeck_provider_call_duration_seconds_count", { provider: "deploy-simulated", operation: "deploy" })) - before.deploys).toBe(1);
    expect(await series("flightdeck_rollouts", { status: "succeeded" })).toBe(1);
    expect(await series("flightdeck_rollouts", { status: "running" })).toBe(0);
    expect(await series("flightdeck_region_rollouts", { phase: "succeeded" })).toBe(1);
  });

  it("counts a breach's rollback and verdict, and the outbox's deliveries by result", async () => {
    h = observabilityHarness({ grafanaUrl: "http://127.0.0.1:9/", faultAt25: true });
    countRolloutsIn(h.db);
    const rollbacks = await series("flightdeck_rollbacks_total", { region: "eu-west", trigger: "breach" });
    const breaches = await series("flightdeck_analysis_verdicts_total", { region: "eu-west", verdict: "breach" });
    const failed = await series("flightdeck_notification_deliveries_total", { channel: "grafana", result: "failed" });
    await rollOutToEuWest(h);

    expect(await series("flightdeck_rollbacks_total", { region: "eu-west", trigger: "breach" })).toBe(rollbacks + 1);
    expect(await series("flightdeck_analysis_verdicts_total", { region: "eu-west", verdict: "breach" })).toBe(breaches + 1);
    expect(await series("flightdeck_rollouts", { status: "failed" })).toBe(1);
    expect(await series("flightdeck_region_rollouts", { phase: "rolled_back" })).toBe(1);

    // No API key set: every Grafana row fails at once, and is counted so.
    const results = await deliverDueNotifications({ db: h.db, config: h.config, env: {}, now: () => h!.clock.now(), batchSize: 100 });
    const grafanaRows = results.filter((r) => r.channelId === "grafana").length;
    expect(grafanaRows).toBeGreaterThan(0);
    expect(await series("flightdeck_notification_deliveries_total", { channel: "grafana", result: "failed" })).toBe(failed + grafanaRows);
  });

  it("counts a person's rollback during the canary as manual, not as a breach", async () => {
    const unprotected = demoConfig((raw) => ((raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }]));
    h = createHarness({ config: unprotected });
    const harness = h;
    const dana = addUser(harness.db, "dana", "Dana", ["deployer"]);
    const sam = addUser(harness.db, "sam", "Sam", ["sre"]);
    const before = {
      manual: await series("flightdeck_rollbacks_total", { region: "us-east", trigger: "manual" }),
      breach: await series("flightdeck_rollbacks_total", { region: "us-east", trigger: "breach" }),
    };
    const { rolloutId } = await startRollout(harness.as(dana), {
      serviceId: "api",
      artifact: { version: "1.0.0", digest: DIGEST_A, ...BUILT },
      strategy: "parallel",
      regions: ["us-east"],
    });
    await runUntil(harness, () => regionRolloutOf(harness.db, rolloutId, "us-east").canaryPct > 0);

    await rollbackRegion(harness.as(sam), { serviceId: "api", regionId: "us-east" });
    await runUntil(harness, () => phases(harness.db)["us-east"] === "rolled_back");

    expect(await series("flightdeck_rollbacks_total", { region: "us-east", trigger: "manual" })).toBe(before.manual + 1);
    expect(await series("flightdeck_rollbacks_total", { region: "us-east", trigger: "breach" })).toBe(before.breach);
  });
});

/** A demo-fleet harness with the Pushgateway and/or Grafana configured (no card channels), set as the process config. */
import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import type { Actor } from "@/server/actor";
import { setConfig } from "@/server/config";
import { DEMO_CONFIG_PATH, parseConfig } from "@/server/config/load";
import { approveGate } from "@/server/services/approvals";
import { startRollout } from "@/server/services/rollouts";
import { addUser, approveWaitingGates, createHarness, DIGEST_A, phases, runUntil, type Harness } from "@/server/engine/runner/test-fixtures";

export type ObservabilitySetup = { pushgateway?: boolean; grafanaUrl?: string; faultAt25?: boolean };

export function observabilityHarness(setup: ObservabilitySetup): Harness {
  const raw = parseDocument(readFileSync(DEMO_CONFIG_PATH, "utf8")).toJS() as Record<string, unknown>;
  raw.notifications = { channels: [] };
  raw.observability = {
    ...(setup.pushgateway ? { pushgatewayUrlEnv: "PROMETHEUS_PUSHGATEWAY_URL" } : {}),
    ...(setup.grafanaUrl ? { grafana: { url: setup.grafanaUrl, apiKeyEnv: "GRAFANA_API_KEY" } } : {}),
  };
  if (setup.faultAt25) {
    const eu = (raw.regions as Array<Record<string, unknown>>).find((r) => r.id === "eu-west")!;
    eu.metrics = { provider: "simulated", faults: [{ stagePercent: 25, errorRatePct: 1.2 }] };
  }
  const { config, problems } = parseConfig(JSON.stringify(raw), {}, { requireEnv: false });
  if (!config) throw new Error(problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
  setConfig({ config, file: DEMO_CONFIG_PATH });
  return createHarness({ config });
}

/** Roll version 1.4.2 of `api` out to EU West alone and run the engine until the region is done. */
export async function rollOutToEuWest(h: Harness): Promise<{ rolloutId: string; correlationId: string }> {
  const dana = addUser(h.db, "dana", "Dana", ["deployer"]);
  const reviewers: Actor[] = [addUser(h.db, "rafael", "Rafael", ["reviewer"]), addUser(h.db, "sam", "Sam", ["sre"])];
  const started = await startRollout(h.as(dana), {
    serviceId: "api",
    artifact: { version: "1.4.2", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
    strategy: "parallel",
    regions: ["eu-west"],
  });
  await runUntil(
    h,
    () => ["succeeded", "rolled_back"].includes(phases(h.db)["eu-west"]),
    () => approveWaitingGates(h, reviewers, approveGate),
  );
  return started;
}

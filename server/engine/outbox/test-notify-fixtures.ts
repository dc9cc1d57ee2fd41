/** A demo-fleet harness with one Slack incidents channel and one Teams deployments channel, set as the process config. */
import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import { setConfig } from "@/server/config";
import { DEMO_CONFIG_PATH, parseConfig } from "@/server/config/load";
import type { FleetConfig } from "@/server/config/schema";
import { createHarness, type Harness } from "@/server/engine/runner/test-fixtures";

export const CHANNELS = [
  { id: "incidents", kind: "slack", purpose: "incidents", webhookUrlEnv: "SLACK_WEBHOOK_URL", name: "#incidents-deployments" },
  { id: "deployments", kind: "teams", purpose: "deployments", webhookUrlEnv: "GLOBAL_TEAMS_WEBHOOK", name: "#deployments" },
];

/** `faultAt25`: EU West's new colour answers 1.2 % errors at the 25 % stage (the spec's example). */
export function notifyConfig(opts: { faultAt25?: boolean } = {}): FleetConfig {
  const raw = parseDocument(readFileSync(DEMO_CONFIG_PATH, "utf8")).toJS() as Record<string, unknown>;
  raw.notifications = { channels: CHANNELS, debuggingGuideUrl: "https://docs.example.com/debugging-guide" };
  if (opts.faultAt25) {
    const regions = raw.regions as Array<Record<string, unknown>>;
    const eu = regions.find((r) => r.id === "eu-west")!;
    eu.metrics = { provider: "simulated", faults: [{ stagePercent: 25, errorRatePct: 1.2 }] };
  }
  // The webhook variables are read when sending, not here.
  const { config, problems } = parseConfig(JSON.stringify(raw), {}, { requireEnv: false });
  if (!config) throw new Error(problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
  return config;
}

/** A harness on notifyConfig, set as this process's config so the event writers enqueue cards. */
export function notifyHarness(opts: { faultAt25?: boolean } = {}): Harness {
  const config = notifyConfig(opts);
  setConfig({ config, file: DEMO_CONFIG_PATH });
  return createHarness({ config });
}

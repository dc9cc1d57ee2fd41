#!/usr/bin/env node
// The server the e2e tests (and the live-update benchmark) run against: the production build, a fresh database
// (FLIGHTDECK_E2E_DB names it when the caller wants to write to it too), the e2e fleet config.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const port = process.argv[2] ?? "3100";
const dir = mkdtempSync(path.join(tmpdir(), "flightdeck-e2e-"));
// The simulated load balancers and hosts, kept in a file the specs read to check the world, not just the page.
const world = process.env.FLIGHTDECK_E2E_SIM_STATE ?? path.join(root, "test-results/e2e-simulated-world.json");
rmSync(world, { force: true });
mkdirSync(path.dirname(world), { recursive: true });
const child = spawn(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "start", "-p", port], {
  cwd: root,
  stdio: "inherit",
  env: {
    ...process.env,
    FLIGHTDECK_DB: process.env.FLIGHTDECK_E2E_DB ?? path.join(dir, "flightdeck.db"),
    FLIGHTDECK_CONFIG: process.env.FLIGHTDECK_E2E_CONFIG ?? path.join(root, "e2e/fleet.e2e.yaml"),
    FLIGHTDECK_SIM_STATE: world,
    NEXTAUTH_URL: `http://localhost:${port}`,
    NEXTAUTH_SECRET: "e2e-secret-e2e-secret-e2e-secret-e2e",
    NEXT_TELEMETRY_DISABLED: "1",
    // The e2e webhooks fail on purpose: their retry warnings would bury the test output.
    LOG_LEVEL: process.env.LOG_LEVEL ?? "error",
    // Nothing listens on port 2 here: deliveries fail with ECONNREFUSED. The path stands for a webhook's secret.
    E2E_SLACK_WEBHOOK_URL: "http://127.0.0.1:2/services/T0E2E/B0E2E/e2e-webhook-secret",
    E2E_TEAMS_WEBHOOK_URL: "http://127.0.0.1:2/workflows/e2e-webhook-secret",
  },
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code) => process.exit(code ?? 0));

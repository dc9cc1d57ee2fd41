#!/usr/bin/env node
// The server the e2e tests (and the live-update benchmark) run against: the production build, a fresh database
// (FLIGHTDECK_E2E_DB names it when the caller wants to write to it too), the e2e fleet config.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const port = process.argv[2] ?? "3100";
const dir = mkdtempSync(path.join(tmpdir(), "flightdeck-e2e-"));
const child = spawn(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "start", "-p", port], {
  cwd: root,
  stdio: "inherit",
  env: {
    ...process.env,
    FLIGHTDECK_DB: process.env.FLIGHTDECK_E2E_DB ?? path.join(dir, "flightdeck.db"),
    FLIGHTDECK_CONFIG: process.env.FLIGHTDECK_E2E_CONFIG ?? path.join(root, "e2e/fleet.e2e.yaml"),
    NEXTAUTH_URL: `http://localhost:${port}`,
    NEXTAUTH_SECRET: "e2e-secret-e2e-secret-e2e-secret-e2e",
    NEXT_TELEMETRY_DISABLED: "1",
  },
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code) => process.exit(code ?? 0));

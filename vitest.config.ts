import os from "node:os";
import path from "node:path";
import { defineConfig } from "vitest/config";

const include = ["server/**/*.test.ts", "db/**/*.test.ts", "components/**/*.test.ts", "scripts/**/*.test.ts", "lab/**/*.test.ts", "lib/**/*.test.ts"];

/**
 * Files that start the whole lab (fixed port ranges), or real worker processes whose takeovers and crashes are
 * timed: project "real-servers", one file at a time and after project "unit", whatever the number of cores
 * (never two labs or two timed fleets at once). A new test file that starts the lab or timed workers belongs here.
 * Running the two projects at once (two Vitest processes) was measured and left out: the failover and
 * Prometheus-fault tests missed their timings beside the unit tests on a loaded 2-core machine.
 */
const REAL_SERVERS = [
  "lab/stack.test.ts",
  "server/cli/doctor-lab.test.ts",
  "server/engine/chaos.test.ts",
  "server/engine/lab-e2e.test.ts",
  "server/engine/lab-faults.test.ts",
  "server/engine/provider-faults-deploy.test.ts",
  "server/engine/provider-faults-metrics.test.ts",
  "server/engine/provider-faults-slack.test.ts",
  "server/engine/provider-faults-traffic.test.ts",
  "server/engine/runner/crash.test.ts",
  "server/engine/runner/crash-points.test.ts",
  "server/engine/runner/failover.test.ts",
  "server/engine/runner/restart-takeover.test.ts",
  // Real Prometheus and sample services whose measured latencies are asserted (a busy neighbour adds to them).
  "lab/servers/prometheus.test.ts",
  "server/cli/backtest-lab.test.ts",
];

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    environment: "node",
    // @actions/workflow-parser imports its JSON schema without `with { type: "json" }`, which Node refuses: vite transforms it.
    server: { deps: { inline: ["@actions/workflow-parser"] } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // One throwaway PostgreSQL per run (about 1 s); tests get a fresh database from lab/test-postgres.ts.
    globalSetup: ["lab/postgres-global-setup.ts"],
    // A test that reaches the process database without choosing one gets a scratch file, never data/.
    env: { NODE_ENV: "test", FLIGHTDECK_DB: path.join(os.tmpdir(), `flightdeck-vitest-${process.pid}`, "default.db") },
    projects: [
      // Two files at once (the CI machine has 2 cores): measured 386 s for the unit files under a load average of 15, all passing.
      { extends: true, test: { name: "unit", include, exclude: REAL_SERVERS, maxWorkers: 2 } },
      { extends: true, test: { name: "real-servers", include: REAL_SERVERS, fileParallelism: false } },
    ],
  },
});

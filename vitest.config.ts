import os from "node:os";
import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["server/**/*.test.ts", "db/**/*.test.ts", "components/**/*.test.ts", "scripts/**/*.test.ts", "lab/**/*.test.ts", "lib/**/*.test.ts"],
    environment: "node",
    // @actions/workflow-parser imports its JSON schema without `with { type: "json" }`, which Node refuses: vite transforms it.
    server: { deps: { inline: ["@actions/workflow-parser"] } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // One throwaway PostgreSQL per run (about 1 s); tests get a fresh database from lab/test-postgres.ts.
    globalSetup: ["lab/postgres-global-setup.ts"],
    // A test that reaches the process database without choosing one gets a scratch file, never data/.
    env: { NODE_ENV: "test", FLIGHTDECK_DB: path.join(os.tmpdir(), `flightdeck-vitest-${process.pid}`, "default.db") },
  },
});

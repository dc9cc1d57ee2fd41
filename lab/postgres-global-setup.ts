/**
 * Vitest global setup: a dir for the run's one throwaway PostgreSQL, provided to the test workers. The server
 * starts only when a test first asks for a database (`testDatabaseUrl()` in lab/test-postgres.ts), so a run
 * that needs none pays nothing; teardown stops it if it ran and removes the dir.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";

export default function setup(project: TestProject) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "flightdeck-pg-"));
  project.provide("postgresDir", dir);
  return async () => {
    // Loaded only when a server was made: pg and the lab modules cost a run that needs none about 0.2 s.
    if (existsSync(path.join(dir, "data"))) await (await import("./servers/postgres")).stopPostgres(dir);
    rmSync(dir, { recursive: true, force: true });
  };
}

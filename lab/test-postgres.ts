/**
 * A fresh PostgreSQL database for a test, on the run's one throwaway server. The first caller in any worker
 * starts it in the dir the global setup provides (lab/postgres-global-setup.ts) and publishes its URL there;
 * the others wait for that URL. Never skips: when the server does not come up, every caller fails with why.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { inject } from "vitest";
import { waitUntil } from "./process";
import { createDatabase, startPostgres } from "./servers/postgres";

declare module "vitest" {
  export interface ProvidedContext {
    /** Where the run's PostgreSQL lives once a test has asked for it. */
    postgresDir: string;
  }
}

/** Starting takes about 1 s; this stays under Vitest's 30 s test timeout so the reason, not a timeout, is reported. */
const START_TIMEOUT_MS = 25_000;

/** The URL of a new, empty database (`postgres://flightdeck@127.0.0.1:<port>/t_<random>`); call it once per test file or test. */
export async function testDatabaseUrl(): Promise<string> {
  const url = await serverUrl();
  return createDatabase(url, `t_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`);
}

let started: Promise<string> | null = null;

function serverUrl(): Promise<string> {
  const dir = inject("postgresDir");
  if (!dir) throw new Error("no PostgreSQL for the tests: lab/postgres-global-setup.ts is not in vitest.config.ts's globalSetup");
  started ??= startOrWait(dir);
  return started;
}

async function startOrWait(dir: string): Promise<string> {
  const urlFile = path.join(dir, "url");
  const failureFile = path.join(dir, "start-failure.txt");
  if (claim(path.join(dir, "starting"))) {
    try {
      const server = await startPostgres({ dir, throwaway: true });
      writeFileSync(`${urlFile}.tmp`, server.url);
      renameSync(`${urlFile}.tmp`, urlFile); // readers never see half a URL
      return server.url;
    } catch (err) {
      writeFileSync(failureFile, (err as Error).message);
      throw err;
    }
  }
  const ready = await waitUntil(() => existsSync(urlFile) || existsSync(failureFile), START_TIMEOUT_MS, 50);
  if (existsSync(failureFile)) throw new Error(`the tests' PostgreSQL did not start: ${readFileSync(failureFile, "utf8")}`);
  if (!ready) throw new Error(`the tests' PostgreSQL in ${dir} did not start within ${START_TIMEOUT_MS / 1000} s (another test worker was starting it)`);
  return readFileSync(urlFile, "utf8");
}

/** Exactly one caller across all workers gets true: creating a dir is atomic. */
function claim(lock: string): boolean {
  try {
    mkdirSync(lock);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
}

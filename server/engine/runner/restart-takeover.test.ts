/**
 * A worker killed with SIGKILL and started again on the same host: the new process takes its dead predecessor's
 * leases at its first tick (the old pid is gone) instead of waiting out the 15 s lease TTL, and the rollout
 * goes on at once.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, expect, it } from "vitest";
import { migrateDatabase, openDatabase, type SqliteStore } from "@/db/client";
import { leases, regionRollouts, runners } from "@/db/schema";
import { realClock } from "@/server/engine/clock";
import { systemContext } from "@/server/services/context";
import { syncFleet } from "@/server/services/fleet";
import { startRollout } from "@/server/services/rollouts";
import { buildWorker, WORKER_OUT } from "@/scripts/build-worker.mjs";
import { rolloutLeaseName } from "./rollout-leases";
import { addUser, demoConfig, DIGEST_A } from "./test-fixtures";

const children: ChildProcess[] = [];
const dirs: string[] = [];

beforeAll(() => {
  buildWorker();
});

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** `node dist/worker.mjs` as production runs it, with the default lease TTL (15 s). */
function startWorker(dir: string, env: Record<string, string>, name: string): ChildProcess {
  const out = openSync(path.join(dir, `${name}.log`), "a");
  const child = spawn(process.execPath, [WORKER_OUT], {
    env: { ...process.env, ...env, NODE_ENV: "production", LOG_LEVEL: "warn" },
    stdio: ["ignore", out, out],
  });
  children.push(child);
  return child;
}

async function waitFor<T>(what: string, probe: () => T | null | undefined | false, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const value = probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

it("a worker restarted after kill -9 takes its dead predecessor's lease at its first tick, long before the lease expires", { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "flightdeck-restart-"));
  dirs.push(dir);
  const dbFile = path.join(dir, "flightdeck.db");
  const configFile = path.join(dir, "fleet.yaml");
  const config = demoConfig((raw) => {
    raw.analysis = { intervalSeconds: 1, failureLimit: 1, inconclusiveLimit: 1000, minRequests: 0, errorRatePass: "observed", minJudgedFraction: 0 };
    raw.policies = { allowedRefs: ["refs/heads/main"], environments: [{ match: "*", protected: false }] };
    for (const region of raw.regions as Array<Record<string, unknown>>) region.deploy = { provider: "simulated", seconds: 0.2 };
  });
  writeFileSync(configFile, JSON.stringify(config)); // JSON is YAML
  const db: SqliteStore = openDatabase(dbFile);
  migrateDatabase(db);
  await syncFleet(systemContext(db, config));
  const dana = addUser(db, "dana", "Dana", ["deployer"]);
  const env = { FLIGHTDECK_DB: dbFile, FLIGHTDECK_CONFIG: configFile, FLIGHTDECK_SIM_STATE: path.join(dir, "world.json") };

  const first = startWorker(dir, env, "first");
  const firstRunner = await waitFor("the first worker's heartbeat", () => db.raw.select().from(runners).where(eq(runners.pid, first.pid!)).get());
  const { rolloutId } = await startRollout(
    { db, config, actor: dana, clock: realClock },
    {
      serviceId: "api",
      artifact: { version: "3.1.0", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
      strategy: "parallel",
      regions: ["us-east"],
    },
  );
  const leaseOf = () =>
    db.raw
      .select()
      .from(leases)
      .where(eq(leases.name, rolloutLeaseName(rolloutId)))
      .get();
  const regionRollout = () => db.raw.select().from(regionRollouts).where(eq(regionRollouts.rolloutId, rolloutId)).get()!;
  await waitFor("us-east sampled in its first stage", () => regionRollout().lastSampleAt !== null);

  first.kill("SIGKILL");
  await waitFor("the first worker to die", () => first.signalCode === "SIGKILL");
  const atKill = leaseOf()!;
  expect(atKill.owner).toBe(firstRunner.id);
  expect(atKill.expiresAt - Date.now()).toBeGreaterThan(5_000); // renewed when half of the 15 s is left

  const restartedAt = Date.now();
  const second = startWorker(dir, env, "second");
  const taken = await waitFor("the second worker to hold the lease", () => (leaseOf()!.owner !== firstRunner.id ? leaseOf() : null), 20_000);
  expect(Date.now()).toBeLessThan(atKill.expiresAt);
  expect(taken.owner).toMatch(new RegExp(`:${second.pid}:`));
  expect(taken.token).toBe(atKill.token + 1);
  expect(db.raw.select().from(runners).where(eq(runners.id, firstRunner.id)).get()?.heartbeatAt).toBe(0);
  // And the rollout goes on at once: the second worker's first pass saves before the old lease would have run out.
  await waitFor("a pass of the second worker", () => regionRollout().updatedAt > restartedAt, atKill.expiresAt - Date.now());
  db.$client.close();
});

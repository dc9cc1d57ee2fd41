/**
 * The real crash test: the worker runs as a child process, is killed with SIGKILL in the middle of a canary
 * stage, and a new worker carries on from the database: the remaining time of the stage (not a fresh stage),
 * no second deploy, no repeated weight change or event, and the samples of the downtime judged first.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { and, asc, eq } from "drizzle-orm";
import { afterEach, beforeAll, expect, it } from "vitest";
import { migrateDatabase, openDatabase, type SqliteStore } from "@/db/client";
import { events, regionRollouts, rollouts, runners, samples, stages } from "@/db/schema";
import { SimulatedWorld } from "@/server/providers/simulated-world";
import { systemContext } from "@/server/services/context";
import { syncFleet } from "@/server/services/fleet";
import { startRollout } from "@/server/services/rollouts";
import { buildWorker, WORKER_OUT } from "@/scripts/build-worker.mjs";
import { addUser, demoConfig, DIGEST_A } from "./test-fixtures";
import { realClock } from "@/server/engine/clock";

const STAGE_SECONDS = 4;
const children: ChildProcess[] = [];
const dirs: string[] = [];

// The worker as production runs it (`npm run worker`): compiled to dist/worker.mjs from the code under test.
beforeAll(() => {
  buildWorker();
});

afterEach(() => {
  for (const child of children.splice(0)) killGroup(child);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

function startWorker(dir: string, env: Record<string, string>, name: string): ChildProcess {
  const out = openSync(path.join(dir, `${name}.log`), "a");
  // node directly (not npm): one process, so SIGKILL hits the worker itself.
  const child = spawn(process.execPath, [WORKER_OUT], {
    cwd: process.cwd(),
    env: { ...process.env, ...env, NODE_ENV: "production", LOG_LEVEL: "warn" },
    stdio: ["ignore", out, out],
    detached: true,
  });
  children.push(child);
  return child;
}

async function waitFor<T>(what: string, probe: () => T | null | undefined | false, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const value = probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const rrs = (db: SqliteStore, rolloutId: string) => db.raw.select().from(regionRollouts).where(eq(regionRollouts.rolloutId, rolloutId)).all();

it("a worker killed mid-stage is replaced and the rollout goes on from where it was", { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "flightdeck-crash-"));
  dirs.push(dir);
  const dbFile = path.join(dir, "flightdeck.db");
  const stateFile = path.join(dir, "world.json");
  const configFile = path.join(dir, "fleet.yaml");
  const stageMinutes = STAGE_SECONDS / 60;
  const config = demoConfig((raw) => {
    raw.stages = [
      { percent: 10, maxErrorRatePct: 1, maxLatencyP95Ms: 500, durationMinutes: stageMinutes },
      { percent: 50, maxErrorRatePct: 0.5, maxLatencyP95Ms: 400, durationMinutes: stageMinutes },
      { percent: 100, maxErrorRatePct: 0.2, maxLatencyP95Ms: 300, durationMinutes: stageMinutes, maxCpuPct: 70, maxMemoryPct: 70, healthStatus: 200 },
    ];
    // One request a window at 10 % (20 a second, 0.25 s): too few to bound an error rate, so the observed one
    // passes (errorRatePass: observed), and coverage is not asked of so little traffic.
    raw.analysis = { intervalSeconds: 0.25, failureLimit: 1, inconclusiveLimit: 1000, minRequests: 0, errorRatePass: "observed", minJudgedFraction: 0 };
    raw.policies = { allowedRefs: ["refs/heads/main"], environments: [{ match: "*", protected: false }] };
    for (const region of raw.regions as Array<Record<string, unknown>>) region.deploy = { provider: "simulated", seconds: 0.5 };
  });
  writeFileSync(configFile, JSON.stringify(config)); // JSON is YAML

  const db = openDatabase(dbFile);
  migrateDatabase(db);
  await syncFleet(systemContext(db, config));
  const dana = addUser(db, "dana", "Dana", ["deployer"]);
  const env = { FLIGHTDECK_DB: dbFile, FLIGHTDECK_CONFIG: configFile, FLIGHTDECK_SIM_STATE: stateFile, FLIGHTDECK_LEASE_TTL_MS: "1000" };

  const first = startWorker(dir, env, "first");
  await waitFor("the first worker's heartbeat", () => db.raw.select().from(runners).get());
  const { rolloutId } = await startRollout(
    { db, config, actor: dana, clock: realClock },
    {
      serviceId: "api",
      artifact: { version: "3.1.0", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
      strategy: "parallel",
      regions: "all",
    },
  );

  // Mid-stage: us-east in its 50 % stage, sampled at least once, with time left in the stage.
  const before = await waitFor("us-east in the middle of its 50 % stage", () => {
    const row = rrs(db, rolloutId).find((r) => r.regionId === "us-east");
    const mid = row && row.stageIndex === 1 && row.lastSampleAt !== null && row.lastSampleAt > row.stageStartedAt! && row.deadlineAt! - Date.now() > 1_500;
    return mid ? row : null;
  });
  first.kill("SIGKILL");
  const killedAt = Date.now();
  await waitFor("the first worker to die", () => first.signalCode === "SIGKILL");
  const atKill = rrs(db, rolloutId).find((r) => r.regionId === "us-east")!;
  expect(atKill.stageStartedAt).toBe(before.stageStartedAt);
  await new Promise((r) => setTimeout(r, 1_000));
  expect(rrs(db, rolloutId).find((r) => r.regionId === "us-east")!.version).toBe(atKill.version); // nobody moved it meanwhile

  const restartedAt = Date.now();
  startWorker(dir, env, "second");
  const done = await waitFor(
    "the rollout to succeed",
    () => db.raw.select().from(rollouts).where(eq(rollouts.id, rolloutId)).get()?.status === "succeeded",
    120_000,
  );
  expect(done).toBe(true);
  const logs = readFileSync(path.join(dir, "second.log"), "utf8");
  expect(logs).not.toMatch(/"level":50/); // no error logged by the second worker

  const rows = rrs(db, rolloutId);
  expect(rows.map((r) => r.phase)).toEqual(["succeeded", "succeeded", "succeeded"]);

  // The stage was resumed, not restarted: same start, ended at its stored deadline (or as soon as the new
  // worker was up, if the downtime outlasted it), and never a fresh full stage after the restart.
  const usEast = rows.find((r) => r.regionId === "us-east")!;
  const stageRows = db.raw.select().from(stages).where(eq(stages.regionRolloutId, usEast.id)).orderBy(asc(stages.index)).all();
  expect(stageRows[1].startedAt).toBe(before.stageStartedAt);
  const secondRunner = await waitFor("the second runner row", () =>
    db.raw
      .select()
      .from(runners)
      .all()
      .find((r) => r.startedAt >= restartedAt),
  );
  expect(stageRows[1].finishedAt!).toBeGreaterThanOrEqual(before.deadlineAt!);
  expect(stageRows[1].finishedAt!).toBeLessThan(Math.max(before.deadlineAt!, secondRunner.startedAt) + 2_000);
  expect(stageRows[2].startedAt!).toBeLessThan(secondRunner.startedAt + STAGE_SECONDS * 1000);

  // The downtime was judged before the next stage started, one interval at a time (not one sample averaging
  // it away): windows that ended while no worker ran were judged by the second worker.
  const usSamples = db.raw
    .select()
    .from(samples)
    .where(and(eq(samples.regionRolloutId, usEast.id), eq(samples.role, "canary")))
    .orderBy(asc(samples.takenAt))
    .all();
  const missed = usSamples.filter((s) => s.stageIndex === 1 && s.takenAt > killedAt && s.takenAt < restartedAt);
  expect(missed.length).toBeGreaterThanOrEqual(3);
  for (const [i, s] of missed.entries()) {
    expect(s.verdict).toBe("pass");
    if (i > 0) expect(s.takenAt - missed[i - 1].takenAt).toBe(config.analysis.intervalSeconds * 1000);
    expect(s.takenAt).toBeLessThanOrEqual(stageRows[2].startedAt!);
  }

  // Exactly once: one deploy per region, each weight set once (unless the load balancer had to be put back).
  const world = SimulatedWorld.read(stateFile);
  expect(world.deployCalls.map((c) => c.region).sort()).toEqual(["apac-se", "eu-west", "us-east"]);
  const allEvents = db.raw.select().from(events).where(eq(events.rolloutId, rolloutId)).all();
  const reconciled = new Set(allEvents.filter((e) => e.type === "traffic.reconciled").map((e) => e.regionId));
  for (const region of ["us-east", "eu-west", "apac-se"]) {
    const pcts = world.weightCalls.filter((c) => c.region === region).map((c) => c.canaryPct);
    if (!reconciled.has(region)) expect(pcts).toEqual([10, 50, 100]);
    // Never moved back down, put back or not.
    expect(pcts, region).toEqual([...pcts].sort((a, b) => a - b));
    const perStage = allEvents
      .filter((e) => e.regionId === region && e.type !== "analysis.inconclusive")
      .map((e) => `${e.type}#${(e.data as { stageIndex?: number } | null)?.stageIndex ?? ""}`);
    expect(perStage.length).toBe(new Set(perStage).size);
  }
  expect(allEvents.filter((e) => e.type === "rollout.succeeded")).toHaveLength(1);
  db.$client.close();
});

/**
 * Restart-to-resume benchmark (issue 16): Flightdeck as users run it (scripts/bench/load/flightdeck.ts: the
 * production build, SQLite, the engine in the server) with one rollout sampling its canary in each of N simulated
 * regions is killed with SIGKILL (its whole process group), started again at once on the same database and port,
 * and timed from the kill to: /api/health answering, the first canary sample any rollout saves after the kill
 * (the first pass of a resumed rollout), and every rollout having saved one. Ten kills by default, each at a
 * random moment of a sampling interval, a few seconds after the last restart's rollouts all resumed.
 *
 *   npm run bench -- restart
 *   npm run bench -- restart --kills 10 --regions 10
 */
import { mkdtempSync, rmSync } from "node:fs";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { ensureBuild } from "../ensure-build.mjs";
import { percentile } from "./engine/stats";
import { INTERVAL_MS, loadFleet, prepareDatabase, spawnServer, startRollouts, waitForHealth, writeConfig, type Server } from "./load/flightdeck";

const PORT = 3291;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

type Restart = { healthMs: number; firstPassMs: number; allResumedMs: number };

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { kills: { type: "string", default: "10" }, regions: { type: "string", default: "10" } }, strict: true });
  const kills = Number(values.kills);
  const regions = Number(values.regions);
  if (!(Number.isInteger(kills) && kills >= 1 && kills <= 100))
    throw new Error(`npm run bench -- restart: --kills must be a whole number from 1 to 100 (got ${values.kills})`);
  if (!(Number.isInteger(regions) && regions >= 1 && regions <= 1000))
    throw new Error(`npm run bench -- restart: --regions must be a whole number from 1 to 1000 (got ${values.regions})`);
  ensureBuild();
  const dir = mkdtempSync(path.join(tmpdir(), "flightdeck-bench-restart-"));
  const dbFile = path.join(dir, "flightdeck.db");
  const log = path.join(dir, "server.log");
  const config = loadFleet(regions, 120, PORT);
  const configFile = writeConfig(dir, config);
  const { db } = await prepareDatabase(dbFile, config);
  const start = () => spawnServer({ dir, dbFile, configFile, port: PORT, log: "server.log" });
  let server: Server = start();
  let finished = false;
  try {
    await waitForHealth(server, log);
    await startRollouts(db, config, Date.now() + 3_000);
    const sampledAt = db.$client.prepare("select id, last_sample_at as at from region_rollouts where phase = 'canary'");
    const lastSampleId = db.$client.prepare("select coalesce(max(id), 0) as id from samples");
    const sampledSince = (before: Map<string, number>) => {
      const rows = sampledAt.all() as Array<{ id: string; at: number | null }>;
      return rows.length === regions && rows.every((r) => r.at !== null && r.at > (before.get(r.id) ?? -1));
    };
    const waitUntil = async (what: string, probe: () => boolean, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (!probe()) {
        if (Date.now() > deadline) throw new Error(`waited ${timeoutMs / 1000} s for ${what}; see ${log}`);
        await sleep(10);
      }
      return Date.now();
    };
    await waitUntil(`all ${regions} rollouts sampling`, () => sampledSince(new Map()), 60_000);

    const restarts: Restart[] = [];
    for (let k = 1; k <= kills; k++) {
      await sleep(3 * INTERVAL_MS + Math.random() * INTERVAL_MS);
      const before = new Map((sampledAt.all() as Array<{ id: string; at: number }>).map((r) => [r.id, r.at]));
      const lastId = (lastSampleId.get() as { id: number }).id;
      const killedAt = Date.now();
      server.kill9();
      await server.exited;
      server = start();
      // Watched side by side: the engine starts before the server answers requests, so a pass may come before health.
      const [healthAt, firstAt, allAt] = await Promise.all([
        waitForHealth(server, log),
        waitUntil(`a canary sample after kill ${k}`, () => (lastSampleId.get() as { id: number }).id > lastId, 60_000),
        waitUntil(`every rollout sampling after kill ${k}`, () => sampledSince(before), 60_000),
      ]);
      const r = { healthMs: healthAt - killedAt, firstPassMs: firstAt - killedAt, allResumedMs: allAt - killedAt };
      restarts.push(r);
      console.log(`  kill ${k}: health ${r.healthMs} ms, first resumed pass ${r.firstPassMs} ms, all ${regions} resumed ${r.allResumedMs} ms`);
    }

    const figure = (pick: (r: Restart) => number) => {
      const values = restarts.map(pick);
      return { p50: percentile(values, 50)!, max: Math.max(...values) };
    };
    const health = figure((r) => r.healthMs);
    const first = figure((r) => r.firstPassMs);
    const all = figure((r) => r.allResumedMs);
    const loadAverage = os.loadavg()[0];
    const s = (v: number) => `${(v / 1000).toFixed(2)} s`;
    console.log(
      `Restart to resume, kill -9 of the server's process group → started again at once (${kills} kills, ${regions} rollouts mid-canary, 1 s interval):`,
    );
    console.log(`  /api/health answers         p50 ${s(health.p50).padStart(8)}  max ${s(health.max).padStart(8)}`);
    console.log(`  first resumed pass          p50 ${s(first.p50).padStart(8)}  max ${s(first.max).padStart(8)}`);
    console.log(`  all ${String(regions).padEnd(3)} rollouts resumed    p50 ${s(all.p50).padStart(8)}  max ${s(all.max).padStart(8)}`);
    console.log(`  1-min load average at the end ${loadAverage.toFixed(2)} on ${os.cpus().length} cores`);
    console.log(
      `BENCH_RESULT ${JSON.stringify({ bench: "restart", at: new Date().toISOString(), kills, regions, healthMs: health, firstPassMs: first, allResumedMs: all, restarts, loadAverage })}`,
    );
    finished = true;
  } finally {
    await server.stop();
    db.$client.close();
    // Kept when the bench failed: the server's log is in it.
    if (finished) rmSync(dir, { recursive: true, force: true });
  }
}

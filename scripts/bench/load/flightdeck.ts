/**
 * Flightdeck as users run it, for the load and restart benchmarks: the production build (`next start`, with the
 * environment `npm start` gives it), the default SQLite store in a temp directory, the engine inside the server,
 * listening on 127.0.0.1 only. The fleet is one service in N regions on the simulated providers (demo mode, which
 * simulated providers need), a 1 s analysis interval and stages longer than the run, each region its own rollout,
 * so every region samples its first stage throughout. Started in its own process group, so `kill9` takes all of it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { openSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { migrateDatabase, openDatabase, type SqliteStore } from "@/db/client";
import type { Actor } from "@/server/actor";
import { fixedClock } from "@/server/engine/clock";
import { FleetConfig } from "@/server/config/schema";
import { createToken } from "@/server/services/api-tokens";
import { systemContext } from "@/server/services/context";
import { syncFleet } from "@/server/services/fleet";
import { startRollout } from "@/server/services/rollouts";
import { seedDemoUsers } from "@/server/services/users-demo";
import { BENCH_DIGEST, BENCH_SERVICE, benchConfig } from "../engine/fleet";

const ROOT = path.resolve(import.meta.dirname, "../../..");
export const INTERVAL_MS = 1_000;
const AUTH_SECRET = "bench-secret-bench-secret-bench-secret";
/** The seeded demo users the benchmarks act as: Dana starts rollouts, Ada creates the API tokens, Vera watches. */
const DEPLOYER: Actor = { kind: "user", id: "demo-deployer", name: "Dana", roles: ["deployer"] };
const ADMIN: Actor = { kind: "user", id: "demo-admin", name: "Ada", roles: ["admin"] };

/**
 * The bench fleet (scripts/bench/engine/fleet.ts) in demo mode, with stages of `stageMinutes`. The server's
 * simulated world sends a region a few requests a second, which can never bound an error rate: as in the e2e
 * fleet, the observed rate passes and inconclusive samples never pause a region, so every region keeps sampling.
 */
export function loadFleet(regions: number, stageMinutes: number, port: number, intervalSeconds = INTERVAL_MS / 1000): FleetConfig {
  return FleetConfig.parse({
    ...benchConfig(regions, intervalSeconds, stageMinutes),
    demo: true,
    baseUrl: `http://localhost:${port}`,
    analysis: {
      intervalSeconds,
      failureLimit: 1,
      inconclusiveLimit: 1000,
      minRequests: 0,
      errorRatePass: "observed",
      minJudgedFraction: 0,
    },
  });
}

/** A migrated database with the fleet, the demo users and two API tokens (read, deploy), made before the server starts. */
export async function prepareDatabase(dbFile: string, config: FleetConfig): Promise<{ db: SqliteStore; readToken: string; deployToken: string }> {
  const db = openDatabase(dbFile);
  migrateDatabase(db);
  const system = systemContext(db, config);
  await syncFleet(system);
  await seedDemoUsers(system);
  const admin = { ...system, actor: ADMIN };
  const readToken = (await createToken(admin, { name: "bench read", scope: "read" })).token;
  const deployToken = (await createToken(admin, { name: "bench deploy", scope: "deploy" })).token;
  return { db, readToken, deployToken };
}

/**
 * One rollout per region, their start times spread over one sampling interval from `startAt` (as a fleet's would be), so
 * their passes do not all fall due at once; the running engine takes each at its start time. Returns their ids.
 */
export async function startRollouts(db: SqliteStore, config: FleetConfig, startAt: number): Promise<string[]> {
  const ids: string[] = [];
  let artifactId: string | undefined;
  for (const [i, region] of config.regions.entries()) {
    const started = await startRollout(
      { db, config, actor: DEPLOYER, clock: fixedClock(startAt + Math.floor((i * config.analysis.intervalSeconds * 1000) / config.regions.length)) },
      {
        serviceId: BENCH_SERVICE,
        ...(artifactId ? { artifactId } : { artifact: { version: "1.0.0", digest: BENCH_DIGEST } }),
        strategy: "parallel",
        regions: [region.id],
      },
    );
    artifactId = started.artifact.id;
    ids.push(started.rolloutId);
  }
  return ids;
}

export type Server = { base: string; pid: number; child: ChildProcess; exited: Promise<number | null>; stop(): Promise<void>; kill9(): void };

/** `next start` on the built app, as `npm start` runs it (scripts/start.mjs), after `ensureBuild()` by the caller. */
export function spawnServer(o: { dir: string; dbFile: string; configFile: string; port: number; log: string }): Server {
  const out = openSync(path.join(o.dir, o.log), "a");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    FLIGHTDECK_DB: o.dbFile,
    FLIGHTDECK_CONFIG: o.configFile,
    FLIGHTDECK_SIM_STATE: path.join(o.dir, "world.json"),
    NEXTAUTH_URL: `http://localhost:${o.port}`,
    NEXTAUTH_SECRET: AUTH_SECRET,
    NEXT_TELEMETRY_DISABLED: "1",
    NEXT_MANUAL_SIG_HANDLE: "1",
    LOG_LEVEL: "warn",
  };
  delete env.FLIGHTDECK_DATABASE_URL;
  delete env.FLIGHTDECK_ENGINE;
  const child = spawn(process.execPath, [path.join(ROOT, "node_modules/next/dist/bin/next"), "start", "-p", String(o.port), "-H", "127.0.0.1"], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ["ignore", out, out],
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const pid = child.pid!;
  return {
    base: `http://127.0.0.1:${o.port}`,
    pid,
    child,
    exited,
    kill9: () => process.kill(-pid, "SIGKILL"),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(-pid, "SIGTERM");
      const timer = setTimeout(() => child.exitCode === null && child.signalCode === null && process.kill(-pid, "SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls /api/health until it answers 200; fails naming the log when the server exits or takes longer than `timeoutMs`. */
export async function waitForHealth(server: Server, logFile: string, timeoutMs = 120_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void server.exited.then((code) => (exitCode = code));
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`the Flightdeck server exited (${exitCode}) before it answered /api/health; see ${logFile}`);
    const ok = await fetch(`${server.base}/api/health`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return Date.now();
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the Flightdeck server did not answer ${server.base}/api/health within ${timeoutMs / 1000} s; see ${logFile}`);
}

export function writeConfig(dir: string, config: FleetConfig): string {
  const file = path.join(dir, "fleet.yaml");
  writeFileSync(file, JSON.stringify(config)); // JSON is YAML
  return file;
}

/** Resident memory of a process and its descendants, in bytes (Linux /proc). */
export function treeRssBytes(pid: number): number {
  const parents = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone meanwhile
    }
  }
  const tree = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [child, parent] of parents) {
      if (tree.has(parent) && !tree.has(child)) {
        tree.add(child);
        grew = true;
      }
    }
  }
  let rss = 0;
  for (const p of tree) {
    try {
      const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${p}/status`, "utf8"));
      rss += kb ? Number(kb[1]) * 1024 : 0;
    } catch {
      // gone meanwhile
    }
  }
  return rss;
}

/** CPU time (user + system) a process has used, in ms (Linux /proc; clock ticks of 10 ms). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** A session cookie for a demo user, got as the sign-in page gets it (next-auth's CSRF token, then the demo provider). */
export async function signIn(base: string, userId: string): Promise<string> {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const cookies = csrf.headers.getSetCookie().map((c) => c.split(";")[0]);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await fetch(`${base}/api/auth/callback/demo`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies.join("; ") },
    body: new URLSearchParams({ csrfToken, userId, callbackUrl: "/", json: "true" }),
  });
  const session = res.headers.getSetCookie().find((c) => c.startsWith("next-auth.session-token="));
  if (!session) throw new Error(`demo sign-in as ${userId} answered ${res.status} without a session cookie: ${await res.text()}`);
  return session.split(";")[0];
}

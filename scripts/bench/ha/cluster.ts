/**
 * The high-availability benchmark's moving parts: a database made ready for the bench fleet, replica processes
 * (scripts/bench/ha/replica.ts) that report over IPC, the rollouts started with staggered start times, and what
 * the machine and PostgreSQL spent (from /proc).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { openSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { migrateStore, openStore, type PgStore, type SqliteStore } from "@/db/client";
import type { Actor } from "@/server/actor";
import { fixedClock } from "@/server/engine/clock";
import { systemContext } from "@/server/services/context";
import { syncFleet } from "@/server/services/fleet";
import { startRollout } from "@/server/services/rollouts";
import { BENCH_DIGEST, haFleet, INTERVAL_MS, targetOf } from "./fleet";
import type { ReplicaMessage, ReplicaResult } from "./replica";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const REPLICA = path.join(ROOT, "scripts/bench/ha/replica.ts");
const ACTOR: Actor = { kind: "user", id: "bench", name: "Bench", roles: ["deployer"] };

export type BenchStore = SqliteStore | PgStore;

/** A migrated store with the bench fleet for `rollouts` rollouts, and its user. */
export async function benchStore(database: string, rollouts: number): Promise<BenchStore> {
  const db = await openStore(database);
  await migrateStore(db);
  await syncFleet(systemContext(db, haFleet(rollouts)));
  await db.users.insert({ id: ACTOR.id, email: "bench@bench.flightdeck", name: ACTOR.name, createdAt: Date.now() });
  await db.users.appendRoleChanges([{ userId: ACTOR.id, role: "deployer", change: "granted", changedBy: "bench", at: Date.now() }]);
  return db;
}

export type Replica = {
  name: string;
  /** Its runner id, as its leases name it. */
  id: string;
  child: ChildProcess;
  /** Settles with its result once it measured a window (after `measure`). */
  result: Promise<ReplicaResult>;
  measure(from: number, to: number): void;
};

export type ReplicaOptions = {
  database: string;
  rollouts: number;
  leaseTtlMs: number;
  logDir: string;
  onResumed?: (target: string, at: number, replica: string) => void;
};

/** A replica process; its log (warnings and errors) goes to `<logDir>/<name>.log`. */
export function startReplica(name: string, o: ReplicaOptions): Replica {
  const log = openSync(path.join(o.logDir, `${name}.log`), "a");
  const child = spawn(process.execPath, ["--import", "tsx", REPLICA], {
    cwd: ROOT,
    env: {
      ...process.env,
      BENCH_HA_NAME: name,
      BENCH_HA_DATABASE: o.database,
      BENCH_HA_ROLLOUTS: String(o.rollouts),
      BENCH_HA_LEASE_TTL_MS: String(o.leaseTtlMs),
      LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    },
    stdio: ["ignore", log, log, "ipc"],
  });
  const result = new Promise<ReplicaResult>((resolve, reject) => {
    child.on("message", (message: ReplicaMessage) => {
      if (message.kind === "resumed") o.onResumed?.(message.target, message.at, name);
      else resolve(message.result);
    });
    child.on("exit", (code, signal) => reject(new Error(`${name} exited (${signal ?? code}) before reporting; see ${path.join(o.logDir, `${name}.log`)}`)));
  });
  result.catch(() => undefined); // a replica killed on purpose never reports
  return { name, id: `${name}-${child.pid}`, child, result, measure: (from, to) => child.send({ kind: "window", from, to }) };
}

/** Wait until every replica beats in `runners`; a replica that exits first fails the wait. */
export async function waitForHeartbeats(db: BenchStore, replicas: Replica[], timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const dead = replicas.find((r) => r.child.exitCode !== null || r.child.signalCode !== null);
    if (dead) throw new Error(`${dead.name} exited before its first heartbeat`);
    const alive = new Set((await db.runners.aliveSince(Date.now() - 5_000)).map((r) => r.id));
    if (replicas.every((r) => alive.has(r.id))) return;
    if (Date.now() > until) throw new Error(`no heartbeat from ${replicas.filter((r) => !alive.has(r.id)).map((r) => r.name)} within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

/**
 * The N one-region rollouts, due from `startAt` over one interval (as a fleet's rollouts would be), written a few
 * at a time once each service has its artifact. Returns each rollout's target ("service/region") and how far the
 * writes overran `startAt`.
 */
export async function startRollouts(db: BenchStore, rollouts: number, startAt: number): Promise<{ targetOf: Map<string, string>; createdLateMs: number }> {
  const config = haFleet(rollouts);
  const targets = new Map<string, string>();
  const artifacts = new Map<string, string>();
  const start = async (i: number) => {
    const { serviceId, regionId } = targetOf(i, rollouts);
    const artifactId = artifacts.get(serviceId);
    const started = await startRollout(
      { db, config, actor: ACTOR, clock: fixedClock(startAt + Math.floor((i * INTERVAL_MS) / rollouts)) },
      { serviceId, ...(artifactId ? { artifactId } : { artifact: { version: "1.0.0", digest: BENCH_DIGEST } }), strategy: "parallel", regions: [regionId] },
    );
    artifacts.set(serviceId, started.artifact.id);
    targets.set(started.rolloutId, `${serviceId}/${regionId}`);
  };
  const firsts = new Set(
    config.services.map((service) => Array.from({ length: rollouts }, (_, i) => i).find((i) => targetOf(i, rollouts).serviceId === service.id)!),
  );
  for (const i of firsts) await start(i);
  let next = 0;
  const writer = async () => {
    for (let i = next++; i < rollouts; i = next++) if (!firsts.has(i)) await start(i);
  };
  await Promise.all(Array.from({ length: 8 }, writer));
  return { targetOf: targets, createdLateMs: Math.max(0, Date.now() - startAt) };
}

/** The leases held now, by owner (rollout ids). */
export async function leasesByOwner(db: BenchStore): Promise<Map<string, string[]>> {
  const byOwner = new Map<string, string[]>();
  for (const { name, owner } of await db.leases.unexpired(Date.now())) {
    const list = byOwner.get(owner) ?? [];
    list.push(name.slice("rollout:".length));
    byOwner.set(owner, list);
  }
  return byOwner;
}

/** CPU ticks (1/100 s) spent so far by every process named `postgres` (the server and its backends). */
export function postgresCpuTicks(): number {
  let ticks = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    const close = stat.lastIndexOf(")");
    if (stat.slice(stat.indexOf("(") + 1, close) !== "postgres") continue;
    const fields = stat.slice(close + 2).split(" "); // from field 3 (state): utime is field 14, stime 15
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks;
}

/** The machine's CPU time so far: busy and total ticks over every core (/proc/stat). */
export function machineCpuTicks(): { busy: number; total: number } {
  const [, ...values] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = values.map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

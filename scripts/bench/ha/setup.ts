/**
 * One setup of the high-availability benchmark: `replicas` processes on one database (PostgreSQL, or a SQLite
 * file for the comparison) drive `rollouts` one-region rollouts; each replica measures the same window and
 * reports, and this process adds what PostgreSQL and the machine spent over it.
 */
import os from "node:os";
import type { PgStore, SqliteStore } from "@/db/client";
import { percentile } from "../engine/stats";
import { benchStore, machineCpuTicks, postgresCpuTicks, sleep, startReplica, startRollouts, waitForHeartbeats, type BenchStore } from "./cluster";
import { INTERVAL_MS } from "./fleet";

/** How long after its window's end a replica may take to report. */
const REPORT_GRACE_MS = 60_000;

export type SetupOptions = {
  store: "postgres" | "sqlite";
  database: string;
  replicas: number;
  rollouts: number;
  seconds: number;
  warmup: number;
  leaseTtlMs: number;
  logDir: string;
};

export type SetupResult = {
  store: "postgres" | "sqlite";
  replicas: number;
  rollouts: number;
  measureSeconds: number;
  /** Replicas that did not report within REPORT_GRACE_MS of the window's end (then no figure of theirs is given). */
  unreported: string[];
  /** Sampling passes per second, all replicas together (ideal: rollouts / interval). */
  passesPerSecond: number | null;
  lagMs: { p50: number | null; p99: number | null; max: number | null; samples: number };
  /** Queries sent to PostgreSQL per sampling pass, everything the replicas did in the window included. */
  roundTripsPerPass: number | null;
  /** pg_stat_database: transactions committed or rolled back per second (each statement outside one counts as one). */
  xactPerSecond: number | null;
  cpuPctOfCorePerReplica: number[];
  eventLoopDelayP99Ms: number[];
  postgresCpuPctOfCore: number | null;
  /** Share of all cores busy over the window (/proc/stat). */
  machineBusyPct: number;
  /** CPU of everything else on the machine over the window (busy cores less the bench's processes and PostgreSQL), in % of one core. */
  otherCpuPctOfCore: number;
  /** Region rollouts still sampling their first stage at the end (all of them, unless something failed). */
  inCanary: number;
  createdLateMs: number;
};

export async function measureSetup(o: SetupOptions): Promise<SetupResult> {
  const db = await benchStore(o.database, o.rollouts);
  const replicas = Array.from({ length: o.replicas }, (_, i) =>
    startReplica(`${o.store}-${o.replicas}-replica-${i + 1}`, { database: o.database, rollouts: o.rollouts, leaseTtlMs: o.leaseTtlMs, logDir: o.logDir }),
  );
  try {
    await waitForHeartbeats(db, replicas);
    // Due a few seconds from now, so the replicas take their leases before the first passes (writes take ~2-4 ms each).
    const startAt = Date.now() + 3_000 + o.rollouts * (o.store === "postgres" ? 4 : 2);
    const { createdLateMs } = await startRollouts(db, o.rollouts, startAt);
    const from = Math.max(startAt, Date.now()) + INTERVAL_MS + o.warmup * 1000;
    const to = from + o.seconds * 1000;
    for (const replica of replicas) replica.measure(from, to);

    await sleep(from - Date.now());
    const before = { pg: postgresCpuTicks(), machine: machineCpuTicks(), xact: await transactions(db), self: process.cpuUsage() };
    await sleep(to - Date.now());
    const after = { pg: postgresCpuTicks(), machine: machineCpuTicks(), xact: await transactions(db), self: process.cpuUsage(before.self) };
    // A replica so overloaded that its timers starve never reports (on SQLite every await resolves at once, so
    // its runner may not yield to timers or messages at all): given up on after a while, and said so.
    const deadline = sleep(to + REPORT_GRACE_MS - Date.now()).then(() => null);
    const settled = await Promise.all(replicas.map((r) => Promise.race([r.result.catch(() => null), deadline])));
    const unreported = replicas.filter((_, i) => settled[i] === null).map((r) => r.name);
    for (const r of replicas) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill("SIGKILL");
    const results = unreported.length > 0 ? [] : settled.filter((r) => r !== null);

    const wallS = o.seconds;
    const lags = results.flatMap((r) => r.lagsMs);
    const passes = results.reduce((sum, r) => sum + r.passes, 0);
    const roundTrips = o.store === "postgres" ? results.reduce((sum, r) => sum + (r.roundTrips ?? 0), 0) : null;
    const busyShare = (after.machine.busy - before.machine.busy) / (after.machine.total - before.machine.total);
    const postgresCpu = o.store === "postgres" ? (after.pg - before.pg) / wallS : null; // ticks are 1/100 s: per second, % of a core
    const benchCpu = results.reduce((sum, r) => sum + r.cpuPctOfCore, 0) + (postgresCpu ?? 0) + ((after.self.user + after.self.system) / 1e6 / wallS) * 100;
    return {
      store: o.store,
      replicas: o.replicas,
      rollouts: o.rollouts,
      measureSeconds: o.seconds,
      unreported,
      passesPerSecond: unreported.length > 0 ? null : passes / wallS,
      lagMs: { p50: percentile(lags, 50), p99: percentile(lags, 99), max: lags.length ? Math.max(...lags) : null, samples: lags.length },
      roundTripsPerPass: roundTrips === null || passes === 0 ? null : roundTrips / passes,
      xactPerSecond: before.xact === null || after.xact === null ? null : (after.xact - before.xact) / wallS,
      cpuPctOfCorePerReplica: results.map((r) => r.cpuPctOfCore),
      eventLoopDelayP99Ms: results.map((r) => r.eventLoopDelayP99Ms),
      postgresCpuPctOfCore: postgresCpu,
      machineBusyPct: busyShare * 100,
      otherCpuPctOfCore: Math.max(0, busyShare * os.cpus().length * 100 - benchCpu),
      inCanary: await inFirstStage(db),
      createdLateMs,
    };
  } finally {
    for (const r of replicas) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill("SIGKILL");
    await db.close();
  }
}

/** Transactions the database finished so far (PostgreSQL's statistics; null on SQLite). */
async function transactions(db: BenchStore): Promise<number | null> {
  if (db.dialect !== "postgres") return null;
  const { rows } = await (db as PgStore).raw.$client.query<{ n: number }>(
    "select (xact_commit + xact_rollback)::float8 as n from pg_stat_database where datname = current_database()",
  );
  return rows[0].n;
}

async function inFirstStage(db: BenchStore): Promise<number> {
  if (db.dialect === "postgres") {
    const { rows } = await (db as PgStore).raw.$client.query<{ n: number }>(
      "select count(*)::float8 as n from region_rollouts where phase = 'canary' and stage_index = 0 and not paused",
    );
    return rows[0].n;
  }
  return (
    (db as SqliteStore).$client.prepare("select count(*) as n from region_rollouts where phase = 'canary' and stage_index = 0 and paused = 0").get() as {
      n: number;
    }
  ).n;
}

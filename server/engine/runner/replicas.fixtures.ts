/**
 * Replicas for the failover tests: worker processes as production runs them (`node dist/worker.mjs`) on one
 * PostgreSQL database, each under its own host name as on separate machines (a UTS namespace: a dead replica's
 * leases are waited out, not taken at once as a dead process of this host's would be). They drive one-region
 * rollouts through the simulated providers, whose load balancers and hosts live in one state file that every
 * replica shares (and the test reads back, as the providers' own log), and post cards to a receiver on
 * 127.0.0.1. What the test asks of the database is plain SQL.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { migrateStore, openStore, type PgStore } from "@/db/client";
import { rawRows } from "@/db/store/test-stores";
import { testDatabaseUrl } from "@/lab/test-postgres";
import type { Actor } from "@/server/actor";
import { parseConfig } from "@/server/config/load";
import type { FleetConfig } from "@/server/config/schema";
import { realClock } from "@/server/engine/clock";
import { startReceiver } from "@/server/engine/outbox/test-receiver";
import { CHANNELS } from "@/server/engine/outbox/test-notify-fixtures";
import { systemContext } from "@/server/services/context";
import { syncFleet } from "@/server/services/fleet";
import { startRollout } from "@/server/services/rollouts";
import { WORKER_OUT } from "@/scripts/build-worker.mjs";
import { DIGEST_A } from "./test-fixtures";

export const PLAN = [10, 50, 100];
/** A new UTS namespace (its own host name); without root, inside a user namespace that maps us to root. */
const UNSHARE = process.getuid?.() === 0 ? ["unshare", "--uts"] : ["unshare", "--user", "--map-root-user", "--uts"];
const regionName = (i: number) => `r${String(i + 1).padStart(2, "0")}`;

export type FleetOptions = {
  regions: number;
  replicas: number;
  stageSeconds: number;
  intervalSeconds: number;
  leaseTtlMs: number;
};

export type Replica = { name: string; child: ChildProcess; pid: number; log: () => string };

/** The three stages of PLAN, a simulated 0.5 s deploy per region, no approval gate, cards on two channels. */
function fleetConfig(o: FleetOptions): FleetConfig {
  const stageMinutes = o.stageSeconds / 60;
  const raw = {
    demo: true,
    baseUrl: "http://localhost:3000",
    services: [{ id: "api", name: "API", strategyPolicy: "off" }], // parallel rollouts on a fresh database, like the demo fleet
    stages: [
      { percent: 10, maxErrorRatePct: 1, maxLatencyP95Ms: 500, durationMinutes: stageMinutes },
      { percent: 50, maxErrorRatePct: 0.5, maxLatencyP95Ms: 400, durationMinutes: stageMinutes },
      { percent: 100, maxErrorRatePct: 0.2, maxLatencyP95Ms: 300, durationMinutes: stageMinutes, maxCpuPct: 70, maxMemoryPct: 70, healthStatus: 200 },
    ],
    // As in crash.test.ts: too few requests a window to bound an error rate, so the observed one is judged.
    analysis: { intervalSeconds: o.intervalSeconds, failureLimit: 1, inconclusiveLimit: 1000, minRequests: 0, errorRatePass: "observed", minJudgedFraction: 0 },
    regions: Array.from({ length: o.regions }, (_, i) => ({
      id: regionName(i),
      name: `Region ${i + 1}`,
      environment: `production-${regionName(i)}`,
      order: i,
      targets: { blue: { host: `blue.${regionName(i)}.test` }, green: { host: `green.${regionName(i)}.test` } },
      deploy: { provider: "simulated", seconds: 0.5 },
      traffic: { provider: "simulated" },
      metrics: { provider: "simulated" },
    })),
    policies: { allowedRefs: ["refs/heads/main"], environments: [{ match: "*", protected: false }] },
    notifications: { channels: CHANNELS },
  };
  // The webhook variables are the workers' (set when they start), not this process's.
  const { config, problems } = parseConfig(JSON.stringify(raw), {}, { requireEnv: false });
  if (!config) throw new Error(problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
  return config;
}

export type Fleet = Awaited<ReturnType<typeof startFleet>>;

/** A fresh database, world and receiver, and `o.replicas` workers beating on them. */
export async function startFleet(o: FleetOptions) {
  const dir = mkdtempSync(path.join(tmpdir(), "flightdeck-replicas-"));
  const configFile = path.join(dir, "fleet.yaml");
  const stateFile = path.join(dir, "world.json");
  const config = fleetConfig(o);
  writeFileSync(configFile, JSON.stringify(config)); // JSON is YAML

  const url = await testDatabaseUrl();
  const db = (await openStore(url)) as PgStore;
  await migrateStore(db);
  await syncFleet(systemContext(db, config));
  await db.users.insert({ id: "dana", email: "dana@example.test", name: "Dana", createdAt: 0 });
  await db.users.appendRoleChanges([{ userId: "dana", role: "deployer", change: "granted", changedBy: "system", at: 0 }]);
  const dana: Actor = { kind: "user", id: "dana", name: "Dana", roles: ["deployer"] };
  const receiver = await startReceiver([]);

  const env = {
    ...process.env,
    FLIGHTDECK_DATABASE_URL: url,
    FLIGHTDECK_CONFIG: configFile,
    FLIGHTDECK_SIM_STATE: stateFile,
    FLIGHTDECK_LEASE_TTL_MS: String(o.leaseTtlMs),
    SLACK_WEBHOOK_URL: receiver.url,
    GLOBAL_TEAMS_WEBHOOK: receiver.url,
    NODE_ENV: "production" as const,
    LOG_LEVEL: "warn",
  };
  const replicas: Replica[] = [];
  for (let i = 0; i < o.replicas; i++) {
    const name = `replica-${i + 1}`;
    const file = path.join(dir, `${name}.log`);
    // node directly (not npm), so a signal reaches the worker itself: unshare execs in place (no fork), then sh
    // names the host and execs node, so the child's pid is the worker's.
    const [cmd, ...args] = [...UNSHARE, "sh", "-c", 'hostname "$0" && exec "$@"', name, process.execPath, WORKER_OUT];
    const child = spawn(cmd, args, { cwd: process.cwd(), env, stdio: ["ignore", openSync(file, "a"), openSync(file, "a")] });
    replicas.push({ name, child, pid: child.pid!, log: () => readFileSync(file, "utf8") });
  }

  const runnerIds = async () => rawRows<{ id: string; pid: number; host: string }>(db, `select id, pid::float8 as pid, host from runners`);
  const beating = await waitFor(
    "every replica's heartbeat",
    async () => {
      const rows = (await runnerIds()).filter((r) => replicas.some((p) => p.pid === r.pid));
      return rows.length === o.replicas && rows;
    },
    30_000,
    async () => replicas.map((r) => `--- ${r.name} (pid ${r.pid})\n${r.log()}`).join("\n"),
  );
  for (const row of beating) {
    const replica = replicas.find((r) => r.pid === row.pid)!;
    if (row.host !== replica.name) throw new Error(`${replica.name} runs on host ${row.host}, not its own (${UNSHARE.join(" ")} did not give it one)`);
  }

  return {
    dir,
    db,
    config,
    stateFile,
    receiver,
    replicas,
    /** One single-region rollout per region, started together. */
    async startRollouts(): Promise<void> {
      let artifactId: string | undefined;
      for (let i = 0; i < o.regions; i++) {
        const { artifact } = await startRollout(
          { db, config, actor: dana, clock: realClock },
          {
            serviceId: "api",
            ...(artifactId
              ? { artifactId }
              : { artifact: { version: "3.1.0", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" } }),
            strategy: "parallel",
            regions: [regionName(i)],
          },
        );
        artifactId = artifact.id;
      }
    },
    /** The runner id of each replica, by its pid. */
    async runnerOf(replica: Replica): Promise<string> {
      const row = (await runnerIds()).find((r) => r.pid === replica.pid);
      if (!row) throw new Error(`${replica.name} (pid ${replica.pid}) has no runner row`);
      return row.id;
    },
    /** Every lease with its owner and token (expired ones too). */
    leases: () =>
      rawRows<{ name: string; owner: string; token: number; expiresAt: number }>(
        db,
        `select name, owner, token::float8 as token, expires_at::float8 as "expiresAt" from leases`,
      ),
    regionRollouts: () =>
      rawRows<{ id: string; rolloutId: string; regionId: string; phase: string; stageIndex: number; deadlineAt: number | null; updatedAt: number }>(
        db,
        `select id, rollout_id as "rolloutId", region_id as "regionId", phase, stage_index::float8 as "stageIndex", deadline_at::float8 as "deadlineAt", updated_at::float8 as "updatedAt" from region_rollouts order by region_id`,
      ),
    logs: () => replicas.map((r) => `--- ${r.name} (pid ${r.pid})\n${r.log()}`).join("\n"),
    /** Where every region rollout and lease stands, and the replicas' logs: for a failure's message. */
    async describe(): Promise<string> {
      const now = Date.now();
      const rows = (await this.regionRollouts()).map(
        (r) => `${r.regionId} ${r.phase} stage ${r.stageIndex} deadline in ${r.deadlineAt === null ? "-" : r.deadlineAt - now} ms`,
      );
      const leases = (await this.leases()).map((l) => `${l.name} ${l.owner} token ${l.token} expires in ${l.expiresAt - now} ms`);
      return [...rows, ...leases, this.logs()].join("\n");
    },
    async close(): Promise<void> {
      // SIGKILL ends a stopped process too.
      for (const { child } of replicas) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await receiver.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Poll `probe` until it holds; on timeout, the error says what was awaited and, from `explain`, where things stood. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 30_000,
  explain?: () => Promise<string>,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${explain ? `\n${await explain()}` : ""}`);
}

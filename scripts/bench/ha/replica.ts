/**
 * One replica of the high-availability benchmark, in its own process: `node --import tsx scripts/bench/ha/replica.ts`
 * with BENCH_HA_DATABASE (a postgres:// URL, or a SQLite file), BENCH_HA_ROLLOUTS (the fleet's size, so the config
 * matches the parent's), BENCH_HA_LEASE_TTL_MS and BENCH_HA_NAME. It runs the engine as `npm run worker` does
 * (startEngine, real clock, simulated providers) and talks to the parent over IPC:
 *   → { kind: "resumed", target, at } when it samples a rollout's target ("service/region") it had not sampled in the
 *     last three intervals (how the parent sees a taken-over rollout resume); { kind: "result", ... } when its window ended.
 *   ← { kind: "window", from, to }: measure over [from, to], report, then stop.
 * It is instrumented from outside the engine: the metrics provider is wrapped (a canary sample of [from, to] was
 * due at from + interval, so `now − from − interval` is how late its pass ran), and on PostgreSQL every query sent
 * on a pooled connection is counted (one query is one round trip: node-postgres does not pipeline).
 */
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { migrateStore, openStore, type PgStore } from "@/db/client";
import { realClock, startEngine } from "@/server/engine/runner";
import { cachedProviders } from "@/server/engine/runner/providers";
import { SimulatedWorld } from "@/server/providers/simulated-world";
import type { RegionProviders } from "@/server/providers/types";
import { haFleet, INTERVAL_MS } from "./fleet";

export type ReplicaResult = {
  name: string;
  /** Canary samples taken in the window (one per sampling pass). */
  passes: number;
  lagsMs: number[];
  /** Queries sent to PostgreSQL in the window (null on SQLite: no round trips). */
  roundTrips: number | null;
  /** Process CPU (user + system) over the window, in % of one core. */
  cpuPctOfCore: number;
  eventLoopDelayP99Ms: number;
  wallMs: number;
};

export type ReplicaMessage = { kind: "resumed"; target: string; at: number } | { kind: "result"; result: ReplicaResult };

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`scripts/bench/ha/replica.ts: ${name} is not set (the benchmark's parent sets it)`);
  return value;
};

const send = (message: ReplicaMessage) => process.send?.(message);

/** The providers with the metrics provider wrapped: each canary measurement reports how late its pass ran. */
function withLagProbe(inner: (regionId: string) => RegionProviders, onSample: (target: string, lagMs: number, at: number) => void) {
  const wrapped = new Map<string, RegionProviders>();
  return (id: string): RegionProviders => {
    let providers = wrapped.get(id);
    if (!providers) {
      const base = inner(id);
      providers = {
        ...base,
        metrics: {
          ...base.metrics,
          measure: (input) => {
            // Every region deploys to green (blue is live at the start): green is the canary.
            const now = Date.now();
            if (input.colour === "green") onSample(`${input.service}/${input.region}`, now - input.from - INTERVAL_MS, now);
            return base.metrics.measure(input);
          },
        },
      };
      wrapped.set(id, providers);
    }
    return providers;
  };
}

async function main(): Promise<void> {
  const name = env("BENCH_HA_NAME");
  const rollouts = Number(env("BENCH_HA_ROLLOUTS"));
  const db = await openStore(env("BENCH_HA_DATABASE"));
  await migrateStore(db);

  let counting = false;
  let roundTrips = 0;
  if (db.dialect === "postgres") {
    (db as PgStore).raw.$client.on("connect", (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        if (counting) roundTrips++;
        return query(...args);
      };
    });
  }

  let window = { from: Infinity, to: Infinity };
  const lags: number[] = [];
  const lastSampleAt = new Map<string, number>();
  const config = haFleet(rollouts);
  // Each replica has its own simulated world in memory (a shared file would cost O(N) per change at thousands of
  // regions): a rollout taken over finds its balancer all blue, and the traffic check puts the split back.
  const world = new SimulatedWorld({ seed: 1, requestsPerSecond: 1_000, recordCalls: false });
  const providers = withLagProbe(cachedProviders(config, world, realClock), (target, lag, at) => {
    if (at - (lastSampleAt.get(target) ?? -Infinity) > 3 * INTERVAL_MS) send({ kind: "resumed", target, at });
    lastSampleAt.set(target, at);
    if (at >= window.from && at < window.to) lags.push(lag);
  });
  // An id not of the `host:pid:…` shape: a killed replica's leases are waited out (its lease TTL), as for a
  // replica on another machine, never taken at once as a dead process of this host's.
  startEngine({
    db,
    config,
    clock: realClock,
    world,
    providers,
    runner: { id: `${name}-${process.pid}`, leaseTtlMs: Number(env("BENCH_HA_LEASE_TTL_MS")) },
  });

  process.on("message", async (message: { kind: string; from: number; to: number }) => {
    if (message.kind !== "window") return;
    window = { from: message.from, to: message.to };
    await sleep(window.from - Date.now());
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    const cpuBefore = process.cpuUsage();
    const startedAt = Date.now();
    counting = true;
    await sleep(window.to - Date.now());
    counting = false;
    const cpu = process.cpuUsage(cpuBefore);
    loopDelay.disable();
    // An overloaded process wakes late: its CPU share is over the time it actually measured.
    const wallMs = Date.now() - startedAt;
    const result: ReplicaResult = {
      name,
      passes: lags.length,
      lagsMs: lags,
      roundTrips: db.dialect === "postgres" ? roundTrips : null,
      cpuPctOfCore: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
      eventLoopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      wallMs,
    };
    // No clean stop: the database is thrown away, and an overloaded runner takes long to let its passes finish.
    process.send?.({ kind: "result", result } satisfies ReplicaMessage, () => process.exit(0));
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

// Run as a process by the parent; imported only for its types and constants.
if (import.meta.filename === path.resolve(process.argv[1] ?? "")) await main();

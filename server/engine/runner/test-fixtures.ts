/**
 * Shared by the runner and service tests: a fresh migrated SQLite file, the demo fleet config (with changes),
 * people with roles, a virtual clock, a simulated world, and a way to run the engine until something is true.
 * The readers (`phases`, `eventsOf`, ...) and `addUser` go straight to the SQLite handle (`db.raw`), so they stay
 * synchronous; everything under test goes through the async store.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { parseDocument } from "yaml";
import { migrateDatabase, openDatabase, type SqliteStore } from "@/db/client";
import { events, regionRollouts, regionStates, rollouts, roleChanges, users } from "@/db/schema";
import type { Actor } from "@/server/actor";
import type { Role } from "@/server/auth/roles";
import { DEMO_CONFIG_PATH, parseConfig } from "@/server/config/load";
import type { FleetConfig } from "@/server/config/schema";
import { SimulatedWorld } from "@/server/providers/simulated-world";
import type { RegionProviders, SetWeightInput, TrafficProvider, TrafficSplit } from "@/server/providers/types";
import { systemContext, type ServiceContext } from "@/server/services/context";
import { syncFleet } from "@/server/services/fleet";
import { startRollout } from "@/server/services/rollouts";
import { VirtualClock } from "@/server/engine/clock";
import { injectedFaultsFrom } from "./demo-faults";
import { cachedProviders, providersForRegion } from "./providers";
import { Runner } from "./runner";

export const DIGEST_A = `sha256:${"a".repeat(64)}`;
export const DIGEST_B = `sha256:${"b".repeat(64)}`;

/** The demo fleet, with changes applied to the parsed object. */
export function demoConfig(change?: (raw: Record<string, unknown>) => void): FleetConfig {
  const raw = parseDocument(readFileSync(DEMO_CONFIG_PATH, "utf8")).toJS() as Record<string, unknown>;
  change?.(raw);
  const { config, problems } = parseConfig(JSON.stringify(raw), {});
  if (!config) throw new Error(problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
  return config;
}

export type Harness = {
  dir: string;
  db: SqliteStore;
  /** Settles once the fleet config is in the store (every store call of `db` waits for it; `db.raw` does not). */
  ready: Promise<void>;
  config: FleetConfig;
  clock: VirtualClock;
  world: SimulatedWorld;
  runner: Runner;
  newRunner: (id: string) => Runner;
  as: (actor: Actor) => ServiceContext;
  cleanup: () => void;
};

export function createHarness(options: { config?: FleetConfig; seed?: number; leaseTtlMs?: number } = {}): Harness {
  const dir = mkdtempSync(path.join(tmpdir(), "flightdeck-engine-"));
  const store = openDatabase(path.join(dir, "test.db"));
  migrateDatabase(store);
  const config = options.config ?? demoConfig();
  const clock = new VirtualClock();
  const ready = syncFleet(systemContext(store, config, clock));
  const db = waitingFor(ready, store);
  const world = new SimulatedWorld({ seed: options.seed ?? 7 });
  const providersFor = cachedProviders(config, world, clock, process.env, injectedFaultsFrom(db, config));
  const newRunner = (id: string) => new Runner({ db, config, clock, providersFor, id, leaseTtlMs: options.leaseTtlMs ?? 15_000 });
  return {
    dir,
    db,
    ready,
    config,
    clock,
    world,
    runner: newRunner("runner-a"),
    newRunner,
    as: (actor) => ({ db, config, actor, clock }),
    cleanup: () => {
      db.$client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The harness's store, each of its calls waiting first for the fleet's sync: `createHarness` stays synchronous,
 * and a test's first verb or tick still finds the services and regions in place.
 */
function waitingFor(ready: Promise<void>, store: SqliteStore): SqliteStore {
  let synced = false;
  ready.then(
    () => (synced = true),
    () => undefined, // every call below rejects with the sync's error
  );
  const wait =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      synced ? fn(...args) : ready.then(() => fn(...args));
  const waiting: Record<string, unknown> = { ...store, transaction: wait(store.transaction), close: wait(store.close) };
  for (const [name, repo] of Object.entries(store)) {
    if (name === "raw" || name === "$client" || typeof repo !== "object" || repo === null) continue;
    waiting[name] = Object.fromEntries(Object.entries(repo).map(([method, fn]) => [method, typeof fn === "function" ? wait(fn) : fn]));
  }
  return waiting as SqliteStore;
}

/** A person with roles, stored as the auth layer would store them. */
export function addUser(db: SqliteStore, id: string, name: string, roles: Role[]): Actor {
  db.raw
    .insert(users)
    .values({ id, email: `${id}@example.test`, name, demo: true, createdAt: 0 })
    .run();
  for (const role of roles) db.raw.insert(roleChanges).values({ userId: id, role, change: "granted", changedBy: "system", at: 0 }).run();
  return { kind: "user", id, name, roles };
}

/**
 * Tick, then jump the virtual clock to the next due time, until `done()` holds. `between` runs after each tick
 * (grant approvals, inject a fault...). Fails loudly instead of looping for ever.
 */
export async function runUntil(
  h: Harness,
  done: () => boolean | Promise<boolean>,
  between?: () => unknown,
  maxTicks = 20_000,
  runner: Pick<Runner, "tick" | "nextDueAt"> = h.runner,
): Promise<void> {
  for (let i = 0; i < maxTicks; i++) {
    await runner.tick();
    await between?.();
    if (await done()) return;
    const next = await runner.nextDueAt();
    h.clock.setTime(next ?? h.clock.now() + 1_000);
  }
  throw new Error(`not done after ${maxTicks} ticks; phases: ${JSON.stringify(phases(h.db))}`);
}

export function phases(db: SqliteStore): Record<string, string> {
  return Object.fromEntries(
    db.raw
      .select()
      .from(regionRollouts)
      .all()
      .map((r) => [r.regionId, r.phase]),
  );
}

export function regionRolloutOf(db: SqliteStore, rolloutId: string, regionId: string) {
  return db.raw
    .select()
    .from(regionRollouts)
    .all()
    .find((r) => r.rolloutId === rolloutId && r.regionId === regionId)!;
}

export function regionStateOf(db: SqliteStore, regionId: string, serviceId = "api") {
  return db.raw
    .select()
    .from(regionStates)
    .all()
    .find((r) => r.regionId === regionId && r.serviceId === serviceId)!;
}

export function rolloutRow(db: SqliteStore, rolloutId: string) {
  return db.raw.select().from(rollouts).where(eq(rollouts.id, rolloutId)).get()!;
}

export function eventsOf(db: SqliteStore, filter: { type?: string; regionId?: string } = {}) {
  return db.raw
    .select()
    .from(events)
    .all()
    .filter((e) => (!filter.type || e.type === filter.type) && (!filter.regionId || e.regionId === filter.regionId));
}

/** Both reviewers approve every region that waits at its gate. */
export async function approveWaitingGates(
  h: Harness,
  reviewers: Actor[],
  approve: (ctx: ServiceContext, input: { rolloutId: string; regionId: string }) => unknown,
): Promise<void> {
  for (const row of h.db.raw.select().from(regionRollouts).where(eq(regionRollouts.phase, "awaiting_approval")).all()) {
    for (const reviewer of reviewers) await approve(h.as(reviewer), { rolloutId: row.rolloutId, regionId: row.regionId });
  }
}

/**
 * The harness's providers with the traffic provider's weight change wrapped: a load balancer that refuses some
 * moves, or one that moves and then loses the process (a crash before the step is recorded).
 */
export function providersWithSetWeight(h: Harness, setWeight: (input: SetWeightInput, real: TrafficProvider, region: string) => Promise<TrafficSplit>) {
  return (region: string): RegionProviders => {
    const real = providersForRegion(h.config, region, h.world, h.clock);
    return { ...real, traffic: { getWeight: (input) => real.traffic.getWeight(input), setWeight: (input) => setWeight(input, real.traffic, region) } };
  };
}

/** Starts version 1.0.0 (digest A, built from main) of `api` in `us-east` alone as `actor`; returns the rollout's id. */
export async function startInUsEast(h: Harness, actor: Actor): Promise<string> {
  const { rolloutId } = await startRollout(h.as(actor), {
    serviceId: "api",
    artifact: { version: "1.0.0", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
    strategy: "parallel",
    regions: ["us-east"],
  });
  return rolloutId;
}

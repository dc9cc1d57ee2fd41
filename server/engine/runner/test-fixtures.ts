/**
 * Shared by the runner and service tests: a fresh migrated SQLite file, the demo fleet config (with changes),
 * people with roles, a virtual clock, a simulated world, and a way to run the engine until something is true.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { parseDocument } from "yaml";
import { migrateDatabase, openDatabase, type Db } from "@/db/client";
import { events, regionRollouts, regionStates, rollouts, roleChanges, users } from "@/db/schema";
import type { Actor } from "@/server/actor";
import type { Role } from "@/server/auth/roles";
import { DEMO_CONFIG_PATH, parseConfig } from "@/server/config/load";
import type { FleetConfig } from "@/server/config/schema";
import { SimulatedWorld } from "@/server/providers/simulated-world";
import type { RegionProviders, SetWeightInput, TrafficProvider, TrafficSplit } from "@/server/providers/types";
import type { ServiceContext } from "@/server/services/context";
import { syncFleet } from "@/server/services/fleet";
import { VirtualClock } from "./clock";
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
  db: Db;
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
  const db = openDatabase(path.join(dir, "test.db"));
  migrateDatabase(db);
  const config = options.config ?? demoConfig();
  const clock = new VirtualClock();
  syncFleet(db, config, clock.now());
  const world = new SimulatedWorld({ seed: options.seed ?? 7 });
  const providersFor = cachedProviders(config, world, clock, process.env, injectedFaultsFrom(db, config));
  const newRunner = (id: string) => new Runner({ db, config, clock, providersFor, id, leaseTtlMs: options.leaseTtlMs ?? 15_000 });
  return {
    dir,
    db,
    config,
    clock,
    world,
    runner: newRunner("runner-a"),
    newRunner,
    as: (actor) => ({ db, config, actor, now: clock.now() }),
    cleanup: () => {
      db.$client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A person with roles, stored as the auth layer would store them. */
export function addUser(db: Db, id: string, name: string, roles: Role[]): Actor {
  db.insert(users)
    .values({ id, email: `${id}@example.test`, name, demo: true, createdAt: 0 })
    .run();
  for (const role of roles) db.insert(roleChanges).values({ userId: id, role, change: "granted", changedBy: "system", at: 0 }).run();
  return { kind: "user", id, name, roles };
}

/**
 * Tick, then jump the virtual clock to the next due time, until `done()` holds. `between` runs after each tick
 * (grant approvals, inject a fault...). Fails loudly instead of looping for ever.
 */
export async function runUntil(
  h: Harness,
  done: () => boolean,
  between?: () => void,
  maxTicks = 20_000,
  runner: Pick<Runner, "tick" | "nextDueAt"> = h.runner,
): Promise<void> {
  for (let i = 0; i < maxTicks; i++) {
    await runner.tick();
    between?.();
    if (done()) return;
    const next = runner.nextDueAt();
    h.clock.setTime(next ?? h.clock.now() + 1_000);
  }
  throw new Error(`not done after ${maxTicks} ticks; phases: ${JSON.stringify(phases(h.db))}`);
}

export function phases(db: Db): Record<string, string> {
  return Object.fromEntries(
    db
      .select()
      .from(regionRollouts)
      .all()
      .map((r) => [r.regionId, r.phase]),
  );
}

export function regionRolloutOf(db: Db, rolloutId: string, regionId: string) {
  return db
    .select()
    .from(regionRollouts)
    .all()
    .find((r) => r.rolloutId === rolloutId && r.regionId === regionId)!;
}

export function regionStateOf(db: Db, regionId: string, serviceId = "api") {
  return db
    .select()
    .from(regionStates)
    .all()
    .find((r) => r.regionId === regionId && r.serviceId === serviceId)!;
}

export function rolloutRow(db: Db, rolloutId: string) {
  return db.select().from(rollouts).where(eq(rollouts.id, rolloutId)).get()!;
}

export function eventsOf(db: Db, filter: { type?: string; regionId?: string } = {}) {
  return db
    .select()
    .from(events)
    .all()
    .filter((e) => (!filter.type || e.type === filter.type) && (!filter.regionId || e.regionId === filter.regionId));
}

/** Both reviewers approve every region that waits at its gate. */
export function approveWaitingGates(
  h: Harness,
  reviewers: Actor[],
  approve: (ctx: ServiceContext, input: { rolloutId: string; regionId: string }) => unknown,
): void {
  for (const row of h.db.select().from(regionRollouts).where(eq(regionRollouts.phase, "awaiting_approval")).all()) {
    for (const reviewer of reviewers) approve(h.as(reviewer), { rolloutId: row.rolloutId, regionId: row.regionId });
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

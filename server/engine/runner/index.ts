/**
 * The engine's entry points. `startEngine` runs it in this process (instrumentation.ts, `npm run worker`);
 * `createEngine` builds the same runner without starting its loop, for the simulator and tests that drive
 * `runner.tick()` themselves on a virtual clock.
 */
import type { Store } from "@/db/client";
import { serverEnv } from "@/server/config/env";
import type { FleetConfig } from "@/server/config/schema";
import { logger } from "@/server/log";
import { SimulatedWorld } from "@/server/providers/simulated-world";
import { injectedFaultsFrom } from "./demo-faults";
import type { Env } from "@/server/providers/ssh-target";
import type { RegionProviders } from "@/server/providers/types";
import { observabilityEnabled } from "@/server/engine/outbox/observability-enqueue";
import { startNotificationSender } from "@/server/engine/outbox/sender-loop";
import { realClock, type Clock } from "@/server/engine/clock";
import { cachedProviders } from "./providers";
import { Runner, type RunnerOptions } from "./runner";

export { Runner, type RunnerOptions, type TickReport } from "./runner";
export { realClock, VirtualClock, type Clock } from "@/server/engine/clock";
export { providersForRegion } from "./providers";
export { reconcileRegionRollout } from "./reconcile";

export type EngineOptions = {
  db: Store;
  config: FleetConfig;
  clock?: Clock;
  /** The providers of a region; default: as its config says (real or simulated, the simulated ones sharing `world`). */
  providers?: (regionId: string) => RegionProviders;
  /** Where the real providers read their variables (SSH user, hosts, tokens); default: the whole environment (rawEnv). */
  env?: Env;
  /** The simulated world; default: a new one, kept in FLIGHTDECK_SIM_STATE when that is set. */
  world?: SimulatedWorld;
  /** Runner tuning: lease TTL (default FLIGHTDECK_LEASE_TTL_MS or 15 s), sleep and poll intervals, id. */
  runner?: Partial<Pick<RunnerOptions, "id" | "leaseTtlMs" | "maxSleepMs" | "pollMs" | "log">>;
};

export function createEngine(options: EngineOptions): { runner: Runner; world: SimulatedWorld } {
  const clock = options.clock ?? realClock;
  const world = options.world ?? new SimulatedWorld({ stateFile: serverEnv().FLIGHTDECK_SIM_STATE });
  const leaseFromEnv = Number(serverEnv().FLIGHTDECK_LEASE_TTL_MS);
  const runner = new Runner({
    db: options.db,
    config: options.config,
    clock,
    providersFor: options.providers ?? cachedProviders(options.config, world, clock, options.env, injectedFaultsFrom(options.db, options.config)),
    ...(Number.isFinite(leaseFromEnv) && leaseFromEnv > 0 ? { leaseTtlMs: leaseFromEnv } : {}),
    ...options.runner,
  });
  return { runner, world };
}

/** Build the runner and start its loop in the background, with the outbox sender (cards, Pushgateway, Grafana) beside it. */
export function startEngine(options: EngineOptions): Runner {
  const { runner } = createEngine(options);
  const outboxUsed = options.config.notifications.channels.length > 0 || observabilityEnabled(options.config);
  if (outboxUsed && (options.clock ?? realClock).kind === "real") {
    startNotificationSender({ db: options.db, config: options.config, env: options.env });
  }
  runner.start().catch((err) => logger.error({ err: err instanceof Error ? err.stack : String(err) }, "the engine failed to start"));
  logger.info({ runner: runner.id }, "engine runner started");
  return runner;
}

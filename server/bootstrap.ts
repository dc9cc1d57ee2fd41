/**
 * Start-up of a Flightdeck process (the Next.js server through instrumentation.ts, or the worker): every step
 * here is idempotent, so several processes on one database may run it.
 */
import { initDb } from "@/db/client";
import { authSecret } from "@/server/auth/secret";
import { getConfig, setConfig } from "@/server/config";
import { selectFleetDatabase } from "@/server/config/database";
import { checkEnvironmentOrExit, serverEnv } from "@/server/config/env";
import { loadConfigOrExit } from "@/server/config/load";
import { fixedClock } from "@/server/engine/clock";
import { startEngine, type Runner } from "@/server/engine/runner";
import { logger } from "@/server/log";
import { systemContext } from "@/server/services/context";
import { seedDemoFleet, syncFleet } from "@/server/services/fleet";
import { ensureBootstrapAdmin, seedDemoUsers } from "@/server/services/users";

export async function bootstrap(opts: { engine: boolean }) {
  setConfig(loadConfigOrExit());
  checkEnvironmentOrExit();
  const { config, file } = getConfig();
  selectFleetDatabase(config); // FLIGHTDECK_DATABASE_URL, else FLIGHTDECK_DB, else data/demo.db in demo mode, else data/flightdeck.db
  requireSharedAuthSecretOrExit();
  const db = await initDb(); // opens that database (PostgreSQL, or SQLite in WAL mode) and migrates it, before any request reads getDb()
  const now = Date.now();
  const system = systemContext(db, config, fixedClock(now)); // every start-up row is written at the same time
  await syncFleet(system);
  if (config.demo) {
    await seedDemoUsers(system);
    await seedDemoFleet(system);
  }
  await ensureBootstrapAdmin(system, serverEnv());
  logger.info({ config: file, regions: config.regions.length, demo: config.demo }, "flightdeck started");
  const runner = opts.engine ? startEngine({ db, config }) : null;
  if (serverEnv().NEXT_MANUAL_SIG_HANDLE) stopOnSignals(runner);
}

/** How long a stopping server waits for the engine's passes in flight before it exits anyway. */
const STOP_GRACE_MS = 10_000;

/**
 * `npm start` leaves SIGTERM and SIGINT to us (NEXT_MANUAL_SIG_HANDLE): the engine stops between two steps and
 * hands its leases back, so another replica takes its rollouts over at once rather than after a lease TTL.
 */
function stopOnSignals(runner: Runner | null): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals, code: number) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "flightdeck stopping");
    const grace = new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref());
    void Promise.race([runner?.stop(), grace])
      .catch((err: unknown) => logger.error({ err: err instanceof Error ? err.message : String(err) }, "the engine did not stop cleanly"))
      .finally(() => process.exit(code));
  };
  process.on("SIGTERM", () => stop("SIGTERM", 143));
  process.on("SIGINT", () => stop("SIGINT", 130));
}

/** The web server signs sessions: on PostgreSQL with one key for every replica (server/auth/secret.ts), checked before it serves. */
function requireSharedAuthSecretOrExit(): void {
  try {
    authSecret();
  } catch (err) {
    console.error(`Flightdeck cannot start: ${(err as Error).message}`);
    process.exit(1);
  }
}

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
import { startEngine } from "@/server/engine/runner";
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
  if (opts.engine) startEngine({ db, config });
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

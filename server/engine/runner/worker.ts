/**
 * `npm run worker`: the engine on its own, without the web server (run the server with FLIGHTDECK_ENGINE=off).
 * Same code as the in-process runner. Stops cleanly on SIGTERM / SIGINT: leases are given up at once.
 */
import { initDb } from "@/db/client";
import { setConfig } from "@/server/config";
import { selectFleetDatabase } from "@/server/config/database";
import { checkEnvironmentOrExit } from "@/server/config/env";
import { loadConfigOrExit } from "@/server/config/load";
import { logger } from "@/server/log";
import { systemContext } from "@/server/services/context";
import { syncFleet } from "@/server/services/fleet";
import { startEngine } from "./index";

const loaded = loadConfigOrExit();
checkEnvironmentOrExit(); // like the server: every bad variable by name, before anything runs
setConfig(loaded);
selectFleetDatabase(loaded.config); // the same database as the server: FLIGHTDECK_DATABASE_URL, else FLIGHTDECK_DB, else data/demo.db or data/flightdeck.db
const db = await initDb(); // opened and migrated (once, however many replicas start together)
await syncFleet(systemContext(db, loaded.config));
const runner = startEngine({ db, config: loaded.config });
logger.info({ config: loaded.file, runner: runner.id }, "flightdeck worker running");

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "flightdeck worker stopping");
  runner
    .stop()
    .then(() => process.exit(0))
    .catch((err) => {
      logger.error({ err: err instanceof Error ? err.message : String(err) }, "flightdeck worker did not stop cleanly");
      process.exit(1);
    });
};
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGINT"));

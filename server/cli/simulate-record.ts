/**
 * `flightdeck simulate --fault … --record`: a simulation that rolled a region back is the rollback drill the
 * migration path asks for (docs/policies.md#migration-path). Run on the server, it writes a `drill.recorded`
 * event for the config's first service into the database the server uses (FLIGHTDECK_DATABASE_URL, else the
 * fleet's SQLite file), audited as `cli:<os user>` like `flightdeck users`.
 */
import { userInfo } from "node:os";
import { configuredDatabase, migrateStore, openStore } from "@/db/client";
import { cliOperator } from "@/server/actor";
import { databaseFile } from "@/server/config/database";
import { parseConfig, readConfigFile, resolveConfigPath } from "@/server/config/load";
import { realClock, type TimeSource } from "@/server/engine/clock";
import { ServiceError } from "@/server/services/errors";
import { recordDrill } from "@/server/services/strategy-policy";
import type { CliIo } from "./io";
import type { SimulationResult } from "./simulate";
import type { SimulateOptions } from "./simulate-args";

/** Exit 0 once recorded; 1 when nothing rolled back (no drill) or the config cannot be read. */
export async function recordSimulatedDrill(
  opts: SimulateOptions,
  result: SimulationResult,
  io: CliIo,
  clock: TimeSource = realClock,
  operator: string = login(io),
): Promise<number> {
  const file = opts.configPath ?? resolveConfigPath(io.env);
  const { config, problems } = parseConfig(readConfigFile(file), io.env, { requireEnv: false });
  if (!config) {
    io.err(`flightdeck simulate --record: ${file}: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
    return 1;
  }
  const db = await openStore(configuredDatabase({ ...io.env, FLIGHTDECK_DB: databaseFile(config, io.env) }));
  try {
    await migrateStore(db);
    const { id: serviceId, strategyPolicy } = config.services[0];
    const rolledBack = result.regions.filter((r) => r.outcome === "rolled_back").map((r) => r.region);
    const faults = opts.faults.map((f) => `${f.regionId}:${f.stagePercent}`);
    await recordDrill({ db, config, clock, actor: cliOperator(operator) }, { serviceId, strategy: opts.strategy, rolledBack, faults });
    const counts =
      strategyPolicy === "off"
        ? "its strategy policy is off, so nothing waits for it"
        : `it counts for the migration path for ${strategyPolicy.drillWithinDays} days`;
    io.out(`Recorded as a rollback drill of ${serviceId} (${rolledBack.join(", ")} rolled back): ${counts}.`);
    return 0;
  } catch (err) {
    if (!(err instanceof ServiceError)) throw err;
    io.err(`flightdeck simulate --record: ${err.message}`);
    return 1;
  } finally {
    await db.close();
  }
}

function login(io: CliIo): string {
  try {
    return userInfo().username;
  } catch {
    return io.env.USER ?? "unknown";
  }
}

/**
 * Which database a process uses. The demo keeps its own file, so demo users, their sessions and the tokens
 * they mint never sit in the database a real fleet later uses: `FLIGHTDECK_DB` when set (tests, the lab, the
 * e2e server), else `data/demo.db` in demo mode, else `data/flightdeck.db`.
 */
import path from "node:path";
import { rawEnv, serverEnv } from "./env";
import type { Env } from "./load";
import type { FleetConfig } from "./schema";

export const DEMO_DB_FILE = "data/demo.db";
export const FLEET_DB_FILE = "data/flightdeck.db";

export function databaseFile(config: Pick<FleetConfig, "demo">, env: Env = serverEnv(), cwd: string = process.cwd()): string {
  if (env.FLIGHTDECK_DB) return path.resolve(cwd, env.FLIGHTDECK_DB);
  return path.join(cwd, config.demo ? DEMO_DB_FILE : FLEET_DB_FILE);
}

/**
 * Points this process at its fleet's database before anything opens it: sets FLIGHTDECK_DB (read by the db
 * client, and by the sign-in secret kept beside the file) unless FLIGHTDECK_DB or FLIGHTDECK_DATABASE_URL is given.
 */
export function selectFleetDatabase(config: Pick<FleetConfig, "demo">, env: Env = rawEnv()): string {
  if (env.FLIGHTDECK_DATABASE_URL) return "FLIGHTDECK_DATABASE_URL";
  env.FLIGHTDECK_DB ??= databaseFile(config, env);
  return env.FLIGHTDECK_DB;
}

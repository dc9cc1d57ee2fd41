/**
 * The process's store. One SQLite file (WAL) by default (`db/sqlite`); everything the engine needs to go on
 * after a crash lives here. Nothing above `Store` knows which SQL engine sits behind it.
 */
import path from "node:path";
import { migrateSqlite, openSqlite } from "./sqlite/driver";
import { sqliteStore, type SqliteStore } from "./sqlite/store";
import type { Store } from "./store/store";

export type { Store } from "./store/store";
export type { SqliteStore } from "./sqlite/store";

export const MIGRATIONS_FOLDER = path.join(process.env.FLIGHTDECK_HOME ?? process.cwd(), "db/migrations");
export const DEFAULT_DB_FILE = path.join(process.cwd(), "data/flightdeck.db");

/** An embedded store on one SQLite file (`:memory:` for tests), not yet migrated. */
export function openDatabase(file: string = process.env.FLIGHTDECK_DB ?? DEFAULT_DB_FILE): SqliteStore {
  return sqliteStore(openSqlite(file));
}

export function migrateDatabase(store: SqliteStore, migrationsFolder: string = MIGRATIONS_FOLDER): void {
  migrateSqlite(store.raw, migrationsFolder);
}

const globalForDb = globalThis as unknown as { flightdeckDb?: Store };

/** The process's store, opened and migrated on first use. */
export function getDb(): Store {
  if (!globalForDb.flightdeckDb) {
    const store = openDatabase();
    migrateDatabase(store);
    globalForDb.flightdeckDb = store;
  }
  return globalForDb.flightdeckDb;
}

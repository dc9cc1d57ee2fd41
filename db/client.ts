/**
 * The process's store. One SQLite file (WAL) by default (`db/sqlite`); PostgreSQL (`db/pg`) when
 * `FLIGHTDECK_DATABASE_URL` is set, for several replicas on one database. Everything the engine needs to go on
 * after a crash lives here. Nothing above `Store` knows which SQL engine sits behind it. The PostgreSQL driver and
 * schema are loaded only to open PostgreSQL: 3.5 MB of heap that a SQLite process would carry, and its collector
 * mark, for nothing.
 */
import path from "node:path";
import type { PgStore } from "./pg/store";
import { migrateSqlite, openSqlite } from "./sqlite/driver";
import { sqliteStore, type SqliteStore } from "./sqlite/store";
import type { Store } from "./store/store";

export type { Store } from "./store/store";
export type { SqliteStore } from "./sqlite/store";
export type { PgStore } from "./pg/store";

const HOME = process.env.FLIGHTDECK_HOME ?? process.cwd();
export const MIGRATIONS_FOLDER = path.join(HOME, "db/migrations");
export const PG_MIGRATIONS_FOLDER = path.join(HOME, "db/pg/migrations");
export const DEFAULT_DB_FILE = path.join(process.cwd(), "data/flightdeck.db");

/** An embedded store on one SQLite file (`:memory:` for tests), not yet migrated. */
export function openDatabase(file: string = process.env.FLIGHTDECK_DB ?? DEFAULT_DB_FILE): SqliteStore {
  return sqliteStore(openSqlite(file));
}

export function migrateDatabase(store: SqliteStore, migrationsFolder: string = MIGRATIONS_FOLDER): void {
  migrateSqlite(store.raw, migrationsFolder);
}

const POSTGRES_URL = /^postgres(ql)?:\/\//;

/**
 * The database this process was given: `FLIGHTDECK_DATABASE_URL` (PostgreSQL) when set, else the SQLite file
 * `FLIGHTDECK_DB`, else data/flightdeck.db. A URL that is not PostgreSQL's is refused by name (not echoed: it
 * may hold a password).
 */
export function configuredDatabase(env: Record<string, string | undefined> = process.env): string {
  const url = env.FLIGHTDECK_DATABASE_URL;
  if (url) {
    if (!POSTGRES_URL.test(url) || !URL.canParse(url))
      throw new Error("FLIGHTDECK_DATABASE_URL is not a PostgreSQL URL: expected postgres://user:password@host:5432/database");
    return url;
  }
  return env.FLIGHTDECK_DB ?? DEFAULT_DB_FILE;
}

/**
 * A store on `database`, not yet migrated: a `postgres://` (or `postgresql://`) URL opens PostgreSQL (a pool that
 * connects at the first query), anything else is a SQLite file (`:memory:` for tests). A database given here wins
 * over the environment.
 */
export async function openStore(database: string = configuredDatabase()): Promise<SqliteStore | PgStore> {
  if (!POSTGRES_URL.test(database)) return openDatabase(database);
  if (!URL.canParse(database)) throw new Error("not a PostgreSQL URL: expected postgres://user:password@host:5432/database");
  const [{ openPg }, { pgStore }] = await Promise.all([import("./pg/driver"), import("./pg/store")]);
  return pgStore(openPg(database));
}

/** Brings the store's schema up to date; on PostgreSQL once however many replicas start together. */
export async function migrateStore(store: SqliteStore | PgStore): Promise<void> {
  if (store.dialect === "postgres") await (await import("./pg/driver")).migratePg((store as PgStore).raw, PG_MIGRATIONS_FOLDER);
  else migrateDatabase(store as SqliteStore);
}

const globalForDb = globalThis as unknown as { flightdeckDb?: Store; flightdeckDbOpening?: Promise<Store> };

/**
 * Opens and migrates the process's store (`configuredDatabase()`); awaited once at process start (server/bootstrap.ts,
 * the worker) before anything calls `getDb()`. Calls while it runs share it.
 */
export function initDb(): Promise<Store> {
  if (globalForDb.flightdeckDb) return Promise.resolve(globalForDb.flightdeckDb);
  globalForDb.flightdeckDbOpening ??= (async () => {
    const store = await openStore();
    await migrateStore(store);
    return (globalForDb.flightdeckDb = store);
  })().finally(() => (globalForDb.flightdeckDbOpening = undefined));
  return globalForDb.flightdeckDbOpening;
}

/**
 * The process's store. SQLite is opened and migrated on first use; PostgreSQL must have been opened by
 * `await initDb()` at process start (its migration is asynchronous).
 */
export function getDb(): Store {
  if (!globalForDb.flightdeckDb) {
    const database = configuredDatabase();
    if (POSTGRES_URL.test(database))
      throw new Error("FLIGHTDECK_DATABASE_URL selects PostgreSQL, which is opened by `await initDb()` at process start: nothing called it before getDb()");
    const store = openDatabase(database);
    migrateDatabase(store);
    globalForDb.flightdeckDb = store;
  }
  return globalForDb.flightdeckDb;
}

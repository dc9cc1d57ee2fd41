/**
 * The database: one SQLite file (WAL) through drizzle by default. Everything the engine needs to go on after a
 * crash lives here. Kept free of SQLite-only assumptions above this file (no reliance on a single writer).
 */
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { mkdirSync } from "node:fs";
import path from "node:path";
import * as schema from "./schema";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };
/** A transaction handle; services accept either. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export const MIGRATIONS_FOLDER = path.join(process.env.FLIGHTDECK_HOME ?? process.cwd(), "db/migrations");
export const DEFAULT_DB_FILE = path.join(process.cwd(), "data/flightdeck.db");

export function openDatabase(file: string = process.env.FLIGHTDECK_DB ?? DEFAULT_DB_FILE): Db {
  if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("synchronous = NORMAL");
  return drizzle(sqlite, { schema }) as Db;
}

export function migrateDatabase(db: Db, migrationsFolder: string = MIGRATIONS_FOLDER): void {
  migrate(db, { migrationsFolder });
}

const globalForDb = globalThis as unknown as { flightdeckDb?: Db };

/** The process's database, opened and migrated on first use. */
export function getDb(): Db {
  if (!globalForDb.flightdeckDb) {
    const db = openDatabase();
    migrateDatabase(db);
    globalForDb.flightdeckDb = db;
  }
  return globalForDb.flightdeckDb;
}

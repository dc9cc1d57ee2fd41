/**
 * The SQLite implementation's connection: one file (WAL) through drizzle's better-sqlite3 driver. Only this
 * folder and the table definitions in `db/schema` know the dialect; everything above speaks to `Store`.
 */
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { mkdirSync } from "node:fs";
import path from "node:path";
import * as schema from "../schema";

/** The drizzle handle the repositories are written against (a transaction shares it: one connection). */
export type SqliteQuery = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export function openSqlite(file: string): SqliteQuery {
  if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("synchronous = NORMAL");
  return drizzle(sqlite, { schema }) as SqliteQuery;
}

export function migrateSqlite(q: SqliteQuery, migrationsFolder: string): void {
  migrate(q, { migrationsFolder });
}

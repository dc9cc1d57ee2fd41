/**
 * For tests run on both dialects: a fresh migrated store per test, SQLite in memory and a new PostgreSQL database
 * on the run's server (lab/test-postgres.ts), and raw SQL through the store's own connection.
 */
import { testDatabaseUrl } from "../../lab/test-postgres";
import { migrateStore, openStore, type PgStore, type SqliteStore } from "../client";

export type AnyStore = SqliteStore | PgStore;

export const DIALECTS = [
  { dialect: "SQLite", open: async () => openStore(":memory:") },
  { dialect: "PostgreSQL", open: async () => openStore(await testDatabaseUrl()) },
] as const;

export async function freshStore(open: () => Promise<AnyStore>): Promise<AnyStore> {
  const store = await open();
  await migrateStore(store);
  return store;
}

/** Runs one SQL statement as written, outside the repositories (what a person at a SQL prompt could do). */
export async function rawSql(store: AnyStore, text: string): Promise<void> {
  if (store.dialect === "sqlite") (store as SqliteStore).$client.exec(text);
  else await (store as PgStore).raw.$client.query(text);
}

/** The rows of one SQL query as written, outside the repositories (for assertions on what is stored). */
export async function rawRows<T extends Record<string, unknown>>(store: AnyStore, text: string): Promise<T[]> {
  if (store.dialect === "sqlite") return (store as SqliteStore).$client.prepare(text).all() as T[];
  return (await (store as PgStore).raw.$client.query(text)).rows as T[];
}

/**
 * The PostgreSQL implementation's connection: a node-postgres pool through drizzle's node-postgres driver. Only
 * this folder knows the dialect (besides the tables in `db/schema`, which `schema.ts` translates).
 */
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";

/** The drizzle handle on the pool; a transaction gets its own handle on one pooled connection. */
export type PgQuery = NodePgDatabase & { $client: pg.Pool };

export function openPg(url: string): PgQuery {
  const pool = new pg.Pool({ connectionString: url });
  // A connection that breaks while idle in the pool (a server restart) is dropped by the pool and the next query
  // opens another; without a listener the error event would end the process. Errors of queries reach their callers.
  pool.on("error", () => {});
  return drizzle(pool) as PgQuery;
}

/** A drizzle handle on one pooled connection, for the transactions that run on it. */
export function onConnection(client: pg.PoolClient): NodePgDatabase {
  return drizzle(client);
}

/** Any constant: the key of the advisory lock that makes replicas starting together migrate one at a time. */
const MIGRATION_LOCK = 0x0f11_9d3c;

/**
 * Migrates the database, once however many processes start at the same time: each waits for the advisory lock,
 * and the ones after the first find every migration applied.
 */
export async function migratePg(q: PgQuery, migrationsFolder: string): Promise<void> {
  const client = await q.$client.connect();
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK]);
    try {
      await migrate(drizzle(client), { migrationsFolder });
    } finally {
      await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

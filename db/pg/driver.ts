/**
 * The PostgreSQL implementation's connection: a node-postgres pool through drizzle's node-postgres driver. Only
 * this folder knows the dialect (besides the tables in `db/schema`, which `schema.ts` translates).
 */
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";

/** The drizzle handle on the pool; a transaction gets its own handle on one pooled connection. */
export type PgQuery = NodePgDatabase & { $client: pg.Pool };

/**
 * How long the server lets a session sit idle inside a transaction before it ends the session, which rolls the
 * transaction back and frees its locks. Flightdeck sends a transaction's statements back to back, so only a
 * process that stopped in the middle of one (paused, cut off, starved for seconds) gets there. Without it, such a
 * replica would keep the lease row its save had confirmed locked, and every other replica's lease scan would
 * wait on that row until the replica woke up: no rollout taken over, and theirs stalled too.
 */
export const IDLE_IN_TRANSACTION_MS = 2_000;

export function openPg(url: string): PgQuery {
  const pool = new pg.Pool({ connectionString: url, options: `-c idle_in_transaction_session_timeout=${IDLE_IN_TRANSACTION_MS}` });
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

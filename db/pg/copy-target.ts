/**
 * A PostgreSQL database as the target of `flightdeck db copy` (db/copy.ts): migrated, then written in one
 * transaction on one pooled connection, so a copy that fails leaves it as empty as it was. Rows are written through
 * the translated tables (db/pg/schema.ts), whose columns convert the values (booleans, jsonb, bigint).
 */
import { count, is, sql } from "drizzle-orm";
import type { NodePgDatabase } from "drizzle-orm/node-postgres";
import { PgTable } from "drizzle-orm/pg-core";
import { migratePg, onConnection, openPg } from "./driver";
import { pgTables } from "./schema";

export type TargetWriter = {
  /** Every table of the database's schema that holds rows (any table: not only Flightdeck's), with its row count. */
  tablesWithRows(): Promise<Array<{ table: string; rows: number }>>;
  /** How many rows the table (by its export name in db/schema) holds. */
  count(name: string): Promise<number>;
  insert(name: string, rows: Record<string, unknown>[]): Promise<void>;
  /**
   * Sets the sequence of every identity column past the largest value copied into it, so the next row inserted
   * without an id (an event, a role change) gets a new one. Answers the columns set and their values.
   */
  advanceIdentities(): Promise<Array<{ column: string; value: number }>>;
};

export type CopyTarget = {
  tablesWithRows(): Promise<Array<{ table: string; rows: number }>>;
  migrate(): Promise<void>;
  /** Runs `write` between BEGIN and COMMIT; anything it throws rolls every write back. */
  transaction<T>(write: (writer: TargetWriter) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

function tableOf(name: string): PgTable {
  const table = (pgTables as Record<string, unknown>)[name];
  if (!is(table, PgTable)) throw new Error(`db/pg/schema.ts has no table ${name}`);
  return table;
}

const quoted = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

async function tablesWithRows(db: NodePgDatabase): Promise<Array<{ table: string; rows: number }>> {
  const { rows: tables } = await db.execute<{ table_name: string }>(
    sql`select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`,
  );
  const used: Array<{ table: string; rows: number }> = [];
  for (const { table_name: table } of tables) {
    const { rows } = await db.execute<{ n: number }>(sql`select count(*)::int as n from ${sql.identifier(table)}`);
    if (rows[0].n > 0) used.push({ table, rows: rows[0].n });
  }
  return used;
}

function writer(db: NodePgDatabase): TargetWriter {
  return {
    tablesWithRows: () => tablesWithRows(db),
    count: async (name) => (await db.select({ n: count() }).from(tableOf(name)))[0].n,
    insert: async (name, rows) => {
      await db.insert(tableOf(name)).values(rows);
    },
    async advanceIdentities() {
      const { rows: columns } = await db.execute<{ table_name: string; column_name: string }>(
        sql`select table_name, column_name from information_schema.columns where table_schema = current_schema() and is_identity = 'YES' order by table_name, column_name`,
      );
      const set: Array<{ column: string; value: number }> = [];
      for (const { table_name: table, column_name: column } of columns) {
        const { rows } = await db.execute<{ value: string }>(
          sql`select setval(pg_get_serial_sequence(${quoted(table)}, ${column}), max(${sql.identifier(column)})) as value from ${sql.identifier(table)} having max(${sql.identifier(column)}) is not null`,
        );
        if (rows.length > 0) set.push({ column: `${table}.${column}`, value: Number(rows[0].value) });
      }
      return set;
    },
  };
}

/** A pool on `url` that connects at the first query. */
export function openCopyTarget(url: string, migrationsFolder: string): CopyTarget {
  const q = openPg(url);
  return {
    tablesWithRows: () => tablesWithRows(q),
    migrate: () => migratePg(q, migrationsFolder),
    async transaction(write) {
      const client = await q.$client.connect();
      try {
        await client.query("BEGIN");
        try {
          const result = await write(writer(onConnection(client)));
          await client.query("COMMIT");
          return result;
        } catch (error) {
          // A connection too broken to roll back has rolled back by breaking: the first error is the one to tell.
          await client.query("ROLLBACK").catch(() => undefined);
          throw error;
        }
      } finally {
        client.release();
      }
    },
    close: () => q.$client.end(),
  };
}

/**
 * A SQLite file opened read-only as the source of `flightdeck db copy` (db/copy.ts): the tables of db/schema in
 * foreign-key order, the migrations applied to the file, and each table's rows in batches, read as the tables'
 * columns map them (booleans, parsed JSON) inside one read transaction, so every batch and count sees one snapshot.
 */
import Database from "better-sqlite3";
import { count, getTableColumns, gt, is, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { getTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import * as schema from "../schema";

export type SourceTable = { name: string; sqlName: string; table: SQLiteTable };

/**
 * Every table of db/schema (views are derived), each after the tables its foreign keys point at, otherwise in the
 * schema's order. A reference to its own table needs no order between tables; a cycle between tables has no order.
 */
export function tablesInForeignKeyOrder(): SourceTable[] {
  const tables = Object.entries(schema).flatMap(([name, value]) =>
    is(value, SQLiteTable) ? [{ name, sqlName: getTableConfig(value).name, table: value }] : [],
  );
  const ordered: SourceTable[] = [];
  const visiting = new Set<SQLiteTable>();
  const visit = (entry: SourceTable) => {
    if (ordered.includes(entry)) return;
    if (visiting.has(entry.table)) throw new Error(`db/schema: the foreign keys of ${entry.sqlName} form a cycle, so no copy order exists`);
    visiting.add(entry.table);
    for (const fk of getTableConfig(entry.table).foreignKeys) {
      const target = fk.reference().foreignTable;
      if (target !== entry.table) visit(tables.find((t) => t.table === target)!);
    }
    ordered.push(entry);
  };
  tables.forEach(visit);
  return ordered;
}

export type CopySource = {
  /** The `created_at` (the migration's journal time) of the latest migration applied, or null when none ever was. */
  latestMigration(): number | null;
  /** Runs `read` in one read transaction: every batch and count inside sees the file as it was at the first read. */
  snapshot<T>(read: () => Promise<T>): Promise<T>;
  /** The table's rows in rowid order, `size` at a time. */
  batches(table: SQLiteTable, size: number): Generator<Record<string, unknown>[]>;
  count(table: SQLiteTable): number;
  close(): void;
};

/** Opens an existing file read-only (better-sqlite3 refuses a missing one: SQLITE_CANTOPEN). */
export function openCopySource(file: string): CopySource {
  const client = new Database(file, { readonly: true, fileMustExist: true });
  const q = drizzle(client, { schema });
  return {
    latestMigration() {
      const migrated = client.prepare("select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'").get();
      if (!migrated) return null;
      const row = client.prepare("select max(created_at) as latest from __drizzle_migrations").get() as { latest: number | null };
      return row.latest;
    },
    async snapshot(read) {
      client.exec("BEGIN");
      try {
        return await read();
      } finally {
        client.exec("ROLLBACK");
      }
    },
    *batches(table, size) {
      const rowid = sql<number>`rowid`;
      for (let after: number | null = null; ;) {
        const rows = q
          .select({ rowid, row: getTableColumns(table) })
          .from(table)
          .where(after === null ? undefined : gt(rowid, after))
          .orderBy(rowid)
          .limit(size)
          .all();
        if (rows.length > 0) yield rows.map((r) => r.row);
        if (rows.length < size) return;
        after = rows[rows.length - 1].rowid;
      }
    },
    count: (table) => q.select({ n: count() }).from(table).get()!.n,
    close: () => client.close(),
  };
}

/**
 * The PostgreSQL tables, translated at import time from the one schema definition (`db/schema`, written with
 * sqlite-core): every table and view of it, column by column, with its keys, foreign keys and indexes. No table
 * is written twice; drizzle-kit reads the exports below (`drizzle.pg.config.ts`) to generate `db/pg/migrations`.
 *
 * Types: integer → bigint (times are unix ms and overflow int4) read as a JS number; integer in boolean mode →
 * boolean; an integer primary key → bigint identity (SQLite's rowid: assigned when not given, never reused);
 * text in JSON mode → jsonb (read as node-postgres parses it); text → text; real → double precision. `$type` narrowings are types only: the store
 * hands these tables to the repositories typed as the SQLite ones (db/pg/store.ts).
 */
import { getTableColumns, is } from "drizzle-orm";
import {
  bigint,
  boolean,
  doublePrecision,
  customType,
  foreignKey,
  index,
  pgTable,
  pgView,
  primaryKey,
  text,
  unique,
  uniqueIndex,
  type PgColumnBuilderBase,
  type PgTable,
  type PgView,
} from "drizzle-orm/pg-core";
import { getTableConfig, getViewConfig, SQLiteTable, SQLiteView, type SQLiteColumn } from "drizzle-orm/sqlite-core";
import * as sqlite from "../schema";

type Sqlite = typeof sqlite;
/** The export names of db/schema that are tables or views. */
export type TableName = { [K in keyof Sqlite]: Sqlite[K] extends SQLiteTable | SQLiteView ? K : never }[keyof Sqlite];

/**
 * jsonb read as node-postgres parsed it. Drizzle's own jsonb parses a string it reads once more, so the JSON string
 * "42" (a step's result, say) came back as the number 42.
 */
const parsedJsonb = customType<{ data: unknown; driverData: unknown }>({
  dataType: () => "jsonb",
  toDriver: (value) => JSON.stringify(value),
  fromDriver: (value) => value,
});

type ColumnModifiers = {
  primaryKey(): unknown;
  notNull(): unknown;
  default(value: unknown): unknown;
  $defaultFn(fn: () => unknown): unknown;
  $onUpdateFn(fn: () => unknown): unknown;
  unique(name?: string): unknown;
};

/** The PostgreSQL column for one SQLite column (name, type, null, default, primary key). */
function translateColumn(column: SQLiteColumn, where: string): PgColumnBuilderBase {
  const autoIncrement = (column as SQLiteColumn & { autoIncrement?: boolean }).autoIncrement;
  let builder: PgColumnBuilderBase;
  switch (column.columnType) {
    case "SQLiteInteger":
      builder =
        column.primary || autoIncrement ? bigint(column.name, { mode: "number" }).generatedByDefaultAsIdentity() : bigint(column.name, { mode: "number" });
      break;
    case "SQLiteBoolean":
      builder = boolean(column.name);
      break;
    case "SQLiteText":
      builder = text(column.name);
      break;
    case "SQLiteTextJson":
      builder = parsedJsonb(column.name);
      break;
    case "SQLiteReal":
      builder = doublePrecision(column.name);
      break;
    default:
      throw new Error(`db/pg/schema.ts: ${where} is a ${column.columnType} column, which has no PostgreSQL translation yet`);
  }
  // The modifiers set fields of the builder in place; the column types they narrow to are not needed here.
  const modify = builder as unknown as ColumnModifiers;
  if (column.primary) modify.primaryKey();
  if (column.notNull) modify.notNull();
  if (column.default !== undefined) modify.default(column.default);
  if (column.defaultFn) modify.$defaultFn(column.defaultFn);
  if (column.onUpdateFn) modify.$onUpdateFn(column.onUpdateFn);
  if (column.isUnique) modify.unique(column.uniqueName);
  return builder;
}

/** SQLite table → its PostgreSQL table, so a foreign key finds the table it points at (resolved lazily). */
const translated = new Map<SQLiteTable, PgTable>();

function translateTable(table: SQLiteTable): PgTable {
  const config = getTableConfig(table);
  if (config.checks.length > 0) throw new Error(`db/pg/schema.ts: table ${config.name} has CHECK constraints, which have no PostgreSQL translation yet`);
  const keyOf = new Map(Object.entries(getTableColumns(table)).map(([key, column]) => [column as SQLiteColumn, key]));
  const columns = Object.fromEntries([...keyOf].map(([column, key]) => [key, translateColumn(column, `${config.name}.${column.name}`)]));
  const pg = pgTable(config.name, columns, (t) => {
    const pgColumns = (list: SQLiteColumn[]) => list.map((c) => t[keyOf.get(c)!]) as [(typeof t)[string], ...Array<(typeof t)[string]>];
    return [
      ...config.primaryKeys.map((pk) => primaryKey({ name: pk.getName(), columns: pgColumns(pk.columns) })),
      ...config.uniqueConstraints.map((u) => unique(u.getName()).on(...pgColumns(u.columns))),
      ...config.indexes.map(({ config: ix }) => {
        if (ix.where) throw new Error(`db/pg/schema.ts: index ${ix.name} is partial, which has no PostgreSQL translation yet`);
        return (ix.unique ? uniqueIndex : index)(ix.name).on(...pgColumns(ix.columns as SQLiteColumn[]));
      }),
      ...config.foreignKeys.map((fk) => {
        const ref = fk.reference();
        const target = translated.get(ref.foreignTable)!;
        const targetKeys = new Map(Object.entries(getTableColumns(ref.foreignTable)).map(([key, column]) => [column, key]));
        const built = foreignKey({
          name: fk.getName(),
          columns: pgColumns(ref.columns),
          foreignColumns: ref.foreignColumns.map((c) => getTableColumns(target)[targetKeys.get(c)!]) as [(typeof t)[string]],
        });
        if (fk.onUpdate) built.onUpdate(fk.onUpdate);
        if (fk.onDelete) built.onDelete(fk.onDelete);
        return built;
      }),
    ];
  });
  translated.set(table, pg);
  return pg;
}

function translateView(view: SQLiteView): PgView {
  const config = getViewConfig(view);
  if (!config.query) throw new Error(`db/pg/schema.ts: view ${config.name} has no query to translate`);
  const columns = Object.fromEntries(
    Object.entries(config.selectedFields).map(([key, column]) => [key, translateColumn(column as SQLiteColumn, `${config.name}.${key}`)]),
  );
  return pgView(config.name, columns).as(config.query);
}

/** Every table and view of db/schema, by its export name. */
export const pgTables = Object.fromEntries(
  Object.entries(sqlite).flatMap(([name, value]): Array<[string, PgTable | PgView]> =>
    is(value, SQLiteTable) ? [[name, translateTable(value)]] : is(value, SQLiteView) ? [[name, translateView(value)]] : [],
  ),
) as Record<TableName, PgTable | PgView>;

// drizzle-kit finds tables by export: the same names as db/schema (db/pg/schema.test.ts checks none is missing).
export const {
  services,
  regions,
  regionStates,
  artifacts,
  rollouts,
  regionRollouts,
  stages,
  samples,
  events,
  approvals,
  notificationOutbox,
  webhookDeliveries,
  apiTokens,
  users,
  accounts,
  sessions,
  roleChanges,
  roleAssignments,
  steps,
  leases,
  runners,
  demoFaults,
  signInFailures,
  rateBuckets,
  freezes,
  slackLinks,
  quarantines,
} = pgTables;

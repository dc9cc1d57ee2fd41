import { getTableColumns, getTableName, is, Table, View } from "drizzle-orm";
import { getTableConfig, getViewConfig, PgTable, PgView } from "drizzle-orm/pg-core";
import { getViewConfig as getSqliteViewConfig, type SQLiteView } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import * as sqlite from "../schema";
import * as pg from "./schema";

const sqliteTables = Object.entries(sqlite).filter(([, v]) => is(v, Table) || is(v, View));
const pgExports = Object.entries(pg).filter(([, v]) => is(v, PgTable) || is(v, PgView));

describe("the PostgreSQL tables, translated from db/schema", () => {
  it("are every table and view of db/schema, exported under the same names (drizzle-kit reads the exports)", () => {
    expect(pgExports.map(([name]) => name).sort()).toEqual(sqliteTables.map(([name]) => name).sort());
    for (const [name, table] of pgExports) expect(pg.pgTables[name as pg.TableName], name).toBe(table);
  });

  it("keep every table's name and columns", () => {
    for (const [name, table] of sqliteTables) {
      const translated = pg.pgTables[name as pg.TableName];
      if (is(table, Table)) {
        expect(getTableName(translated as PgTable)).toBe(getTableName(table));
        expect(Object.keys(getTableColumns(translated as PgTable))).toEqual(Object.keys(getTableColumns(table)));
      } else {
        expect(getViewConfig(translated as PgView).name).toBe(getSqliteViewConfig(table as SQLiteView).name);
        expect(Object.keys(getViewConfig(translated as PgView).selectedFields)).toEqual(Object.keys(getSqliteViewConfig(table as SQLiteView).selectedFields));
      }
    }
  });

  it("widens integers to bigint, and maps booleans, JSON, reals and rowid keys to PostgreSQL's own types", () => {
    const type = (table: PgTable, column: string) => getTableConfig(table).columns.find((c) => c.name === column)!;
    expect(type(pg.events as PgTable, "at").getSQLType()).toBe("bigint");
    expect(type(pg.events as PgTable, "id")).toMatchObject({ primary: true, generatedIdentity: { type: "byDefault" } });
    expect(type(pg.events as PgTable, "data").getSQLType()).toBe("jsonb");
    expect(type(pg.users as PgTable, "demo").getSQLType()).toBe("boolean");
    expect(type(pg.users as PgTable, "demo")).toMatchObject({ notNull: true, default: false });
    expect(type(pg.samples as PgTable, "error_rate_pct").getSQLType()).toBe("double precision");
    expect(type(pg.leases as PgTable, "token")).toMatchObject({ notNull: true, default: 0 });
  });

  it("keeps composite keys, foreign keys and indexes with their names", () => {
    const states = getTableConfig(pg.regionStates as PgTable);
    expect(states.primaryKeys.map((k) => k.getName())).toEqual(["region_states_service_id_region_id_pk"]);
    expect(states.foreignKeys.map((fk) => fk.reference().foreignTable)).toContain(pg.artifacts);
    const outbox = getTableConfig(pg.notificationOutbox as PgTable);
    expect(outbox.indexes.map((i) => [i.config.name, i.config.unique])).toEqual([
      ["outbox_event_channel", true],
      ["outbox_due", false],
    ]);
  });
});

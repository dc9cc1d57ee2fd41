/**
 * What a repository is given: a drizzle handle (`Query`) and the tables to query (`Tables`). Both are typed as the
 * SQLite ones, the embedded default; the PostgreSQL store passes its pool or transaction handle and its translated
 * tables (db/pg/schema.ts) under these types, one cast at that boundary (db/pg/store.ts): drizzle's query builders
 * behave the same at run time for the portable subset the repositories use (db/store/repositories.test.ts runs
 * every repository on both).
 */
import type { Table, View } from "drizzle-orm";
import type * as schema from "../schema";
import type { SqliteQuery } from "../sqlite/driver";

export type Query = SqliteQuery;

type Schema = typeof schema;
/** db/schema's tables and views by export name (`t.events`, `t.roleAssignments`, …). */
export type Tables = { [K in keyof Schema as Schema[K] extends Table | View ? K : never]: Schema[K] };

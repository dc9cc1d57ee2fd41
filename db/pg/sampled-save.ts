/**
 * `Store.saveSampled` on PostgreSQL: the save of a pass that only took a sample, sent as one statement. As a
 * transaction it was five round trips (BEGIN, the lease's fence, the versioned update, the samples, COMMIT), most of
 * a replica's database time at a thousand passes a second. One statement is atomic on its own, and its fence is the
 * same: the lease row is updated (so locked) first, a take-over waits for the statement and a changed token stops
 * it; the versioned update runs only when the fence held, the samples only when the update did.
 *
 * The statement is built once from the tables' own columns (their SQL names, types and encoders): no column list is
 * kept by hand. It is prepared per connection under its name, like the repositories' hot statements.
 */
import { getTableColumns, type Column } from "drizzle-orm";
import type pg from "pg";
import { DECIDED_OMIT, type RegionRolloutRow } from "../store/repositories/region-rollouts";
import type { SampledSave, SampledSaveResult } from "../store/store";
import { pgTables } from "./schema";

type Columns = Array<[key: string, column: Column]>;

const columnsOf = (table: unknown, omit: readonly string[]): Columns =>
  Object.entries(getTableColumns(table as Parameters<typeof getTableColumns>[0])).filter(([key]) => !omit.includes(key));

const regionRolloutColumns = columnsOf(pgTables.regionRollouts, []);
const decided = regionRolloutColumns.filter(([key]) => !(DECIDED_OMIT as readonly string[]).includes(key));
const sampleColumns = columnsOf(pgTables.samples, ["id"]);

const quote = (name: string) => `"${name}"`;
const typeOf = (columns: Columns, key: string) => columns.find(([k]) => k === key)![1].getSQLType();
const tokenType = typeOf(columnsOf(pgTables.leases, []), "token");
const versionType = typeOf(regionRolloutColumns, "version");

/** `$n::type` for each column, numbered from `from`. */
const typed = (columns: Columns, from: number) => columns.map(([, c], i) => `$${from + i}::${c.getSQLType()}`);

function statementText(sampleRows: number): string {
  // $1–$3: the lease; then the decided columns; then the row's id and expected version; then each sample's columns.
  const set = decided.map(([, c], i) => `${quote(c.name)} = $${4 + i}::${c.getSQLType()}`).join(", ");
  const idAt = 4 + decided.length;
  const rows = Array.from({ length: sampleRows }, (_, r) => `(${typed(sampleColumns, idAt + 2 + r * sampleColumns.length).join(", ")})`);
  const sampled =
    sampleRows === 0
      ? ""
      : `, sampled AS (INSERT INTO "samples" (${sampleColumns.map(([, c]) => quote(c.name)).join(", ")}) ` +
        `SELECT * FROM (VALUES ${rows.join(", ")}) AS v WHERE EXISTS (SELECT 1 FROM saved))`;
  return (
    `WITH fence AS (UPDATE "leases" SET "token" = "token" WHERE "name" = $1 AND "owner" = $2 AND "token" = $3::${tokenType} RETURNING 1), ` +
    `saved AS (UPDATE "region_rollouts" SET ${set} WHERE "id" = $${idAt} AND "version" = $${idAt + 1}::${versionType} AND EXISTS (SELECT 1 FROM fence) RETURNING *)` +
    `${sampled} SELECT EXISTS (SELECT 1 FROM fence) AS "__fenced", saved.* FROM (SELECT 1) AS one LEFT JOIN saved ON true`
  );
}

const encode = (columns: Columns, values: Record<string, unknown>, into: unknown[]) => {
  for (const [key, column] of columns) {
    const value = values[key];
    into.push(value === null || value === undefined ? null : column.mapToDriverValue(value));
  }
};

/** A statement's text and name per number of samples (none, the sample, the sample and its baseline). */
const statements = [0, 1, 2].map((n) => ({ name: `fd_sampled_save_${n}`, text: statementText(n) }));

export async function saveSampledOnPool(pool: pg.Pool, save: SampledSave): Promise<SampledSaveResult> {
  const statement = statements[save.samples.length];
  if (!statement) throw new Error(`a sampled save writes at most a sample and its baseline, got ${save.samples.length} samples`);
  const values: unknown[] = [save.lease.name, save.lease.owner, save.lease.token];
  // The version moves on by one, as every versioned save of the region rollout does.
  encode(decided, { ...save.next, version: save.expectedVersion + 1 }, values);
  values.push(save.next.id, save.expectedVersion);
  for (const sample of save.samples) encode(sampleColumns, sample, values);
  const { rows } = await pool.query<Record<string, unknown>>({ name: statement.name, text: statement.text, values });
  const [row] = rows;
  if (!row?.__fenced) return { fenced: false };
  if (row.id === null) return { fenced: true, saved: null };
  const saved: Record<string, unknown> = {};
  for (const [key, column] of regionRolloutColumns) {
    const value = row[column.name];
    saved[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return { fenced: true, saved: saved as RegionRolloutRow };
}

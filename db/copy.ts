/**
 * Moves a SQLite installation to PostgreSQL (`flightdeck db copy`): the one place with both dialects open at once.
 * The source is read-only and must be migrated to the latest migration (its columns are then exactly the schema's);
 * the target is migrated and must hold no row at all, since copying into a database in use is how data gets lost.
 * Every table of db/schema is copied in foreign-key order, in batches, in ONE PostgreSQL transaction: a failure
 * leaves the target empty. Identity sequences are set past the copied ids, and the row counts of both sides are
 * compared before the commit.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { MIGRATIONS_FOLDER, PG_MIGRATIONS_FOLDER } from "./client";
import { openCopyTarget, type TargetWriter } from "./pg/copy-target";
import { openCopySource, tablesInForeignKeyOrder, type CopySource } from "./sqlite/copy-source";

/** A copy refused or failed for a reason the user can act on; the message says which and what to do. */
export class CopyError extends Error {}

export type CopiedTable = { table: string; rows: number };
export type CopyReport = { tables: CopiedTable[]; rows: number; identities: Array<{ column: string; value: number }> };

export type CopyInput = {
  /** The SQLite file. */
  from: string;
  /** A postgres:// URL. */
  to: string;
  batchSize?: number;
  /** Told after each table is copied, in copy order. */
  onTable?: (copied: CopiedTable) => void;
};

/** The URL to show: its password, if any, masked. */
export function shownUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}

export async function copySqliteToPostgres({ from, to, batchSize = 500, onTable }: CopyInput): Promise<CopyReport> {
  const source = openSource(from);
  const target = openCopyTarget(to, PG_MIGRATIONS_FOLDER);
  try {
    // Checked before migrating (a database of another application is left untouched) and again in the transaction.
    refuseUsed(to, await target.tablesWithRows().catch(unreachable(to)));
    await target.migrate().catch(unreachable(to));
    return await source
      .snapshot(() =>
        target.transaction(async (writer) => {
          refuseUsed(to, await writer.tablesWithRows());
          return copyTables(source, writer, batchSize, onTable);
        }),
      )
      .catch((err: unknown) => {
        throw err instanceof CopyError ? err : new CopyError(`the copy failed, so nothing was written to the target (rolled back): ${reason(err)}`);
      });
  } finally {
    await target.close();
    source.close();
  }
}

/** Every table, its rows in batches, then the identities set and the row counts of both sides compared. */
async function copyTables(source: CopySource, writer: TargetWriter, batchSize: number, onTable: CopyInput["onTable"]): Promise<CopyReport> {
  const tables = tablesInForeignKeyOrder();
  const copied: CopiedTable[] = [];
  for (const { name, sqlName, table } of tables) {
    let rows = 0;
    try {
      for (const batch of source.batches(table, batchSize)) {
        await writer.insert(name, batch);
        rows += batch.length;
      }
    } catch (err) {
      throw new CopyError(`copying ${sqlName} failed after ${rows} rows, so nothing was written to the target (rolled back): ${reason(err)}`);
    }
    copied.push({ table: sqlName, rows });
    onTable?.({ table: sqlName, rows });
  }
  const identities = await writer.advanceIdentities();

  const differences: string[] = [];
  for (const { name, sqlName, table } of tables) {
    const [inSource, inTarget] = [source.count(table), await writer.count(name)];
    if (inSource !== inTarget) differences.push(`${sqlName}: ${inSource} in SQLite, ${inTarget} in PostgreSQL`);
  }
  if (differences.length > 0)
    throw new CopyError(`the row counts differ after the copy (${differences.join("; ")}), so nothing was written to the target (rolled back)`);
  return { tables: copied, rows: copied.reduce((sum, t) => sum + t.rows, 0), identities };
}

/** The database's own words: drizzle's wrapper of a failed query repeats its values (session ids, password hashes). */
const reason = (err: unknown) => (err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err));

const unreachable = (to: string) => (err: Error) => {
  throw new CopyError(`cannot prepare the target ${shownUrl(to)}: ${reason(err)}`);
};

function refuseUsed(to: string, used: Array<{ table: string; rows: number }>): void {
  if (used.length === 0) return;
  const listed = used.map((t) => `${t.table} has ${t.rows} row${t.rows === 1 ? "" : "s"}`).join(", ");
  throw new CopyError(
    `the target ${shownUrl(to)} already holds data (${listed}): db copy only fills an empty database, so nothing was copied. ` +
      "Create a new database for Flightdeck and copy into that.",
  );
}

/** The source, opened read-only, checked to be a Flightdeck database migrated exactly as far as this version. */
function openSource(from: string): CopySource {
  if (!existsSync(from) || !statSync(from).isFile())
    throw new CopyError(`no SQLite database at ${from}: give --from the file Flightdeck ran on (FLIGHTDECK_DB, data/flightdeck.db by default)`);
  let source: CopySource | undefined;
  let latest: number | null;
  try {
    source = openCopySource(from);
    latest = source.latestMigration();
  } catch (err) {
    source?.close();
    throw new CopyError(`cannot read ${from} as a SQLite database: ${(err as Error).message}`);
  }
  const journal = (JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, "meta/_journal.json"), "utf8")) as { entries: Array<{ when: number; tag: string }> })
    .entries;
  const last = journal[journal.length - 1];
  const startOnce = `start this version of Flightdeck once on it (FLIGHTDECK_DB=${from} npm start) so it migrates, stop it, then copy`;
  const problem =
    latest === null
      ? `${from} has no Flightdeck migrations applied: it is not a Flightdeck database, or Flightdeck never started on it; ${startOnce}`
      : latest < last.when
        ? `${from} is migrated up to ${journal.find((m) => m.when === latest)?.tag ?? "an older migration"}, not the latest (${last.tag}): ${startOnce}`
        : latest > last.when
          ? `${from} was migrated by a newer Flightdeck (its latest migration is not among this version's, which end at ${last.tag}): copy it with the version that last ran on it`
          : null;
  if (problem) {
    source.close();
    throw new CopyError(problem);
  }
  return source;
}

/**
 * `flightdeck db copy --from <sqlite:path | path> --to <postgres://…>`: moves a SQLite installation to PostgreSQL
 * (db/copy.ts). Prints a line per table as it is copied and a last line once the row counts of both sides match;
 * a refusal or a failure says why and exits 1 with the target left as it was.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { CopyError, copySqliteToPostgres, shownUrl } from "@/db/copy";
import type { CliIo } from "./io";
import { ArgumentError } from "./simulate-args";

const POSTGRES_URL = /^postgres(ql)?:\/\//;

export async function runDb(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { from: { type: "string" }, to: { type: "string" }, json: { type: "boolean" } } });
  } catch (err) {
    throw new ArgumentError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || positionals[0] !== "copy") throw new ArgumentError(`expected db copy, got "db ${positionals.join(" ")}"`);
  if (!values.from)
    throw new ArgumentError("--from: expected the SQLite file to copy, as sqlite:<path> or <path> (data/flightdeck.db unless FLIGHTDECK_DB named another)");
  if (POSTGRES_URL.test(values.from)) throw new ArgumentError("--from: expected a SQLite file; db copy moves a SQLite installation to PostgreSQL");
  if (!values.to || !POSTGRES_URL.test(values.to) || !URL.canParse(values.to))
    throw new ArgumentError("--to: expected the PostgreSQL database to fill, as postgres://user:password@host:5432/database");
  const from = path.resolve(values.from.replace(/^sqlite:(\/\/)?/, ""));
  const to = values.to;

  try {
    const report = await copySqliteToPostgres({
      from,
      to,
      onTable: values.json ? undefined : ({ table, rows }) => io.out(`  ${table.padEnd(22)} ${String(rows).padStart(8)} row${rows === 1 ? "" : "s"}`),
    });
    if (values.json) io.out(JSON.stringify({ from, to: shownUrl(to), ...report }, null, 2));
    else io.out(`Copied ${report.rows} rows in ${report.tables.length} tables from ${from} to ${shownUrl(to)}; the row counts of every table match.`);
    return 0;
  } catch (err) {
    if (!(err instanceof CopyError)) throw err;
    io.err(`flightdeck db copy: ${err.message}`);
    return 1;
  }
}

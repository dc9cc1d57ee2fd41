/**
 * HAProxy's `show stat` answer, as pure functions: the CSV (its header line names the columns, so a newer
 * HAProxy with more columns reads the same) and each colour's cumulative request counters from it. A server's
 * requests are the HTTP answers it gave (`hrsp_1xx` … `hrsp_other`), its errors the 5xx among them
 * (`hrsp_5xx`); `rtime` / `ttime` are HAProxy's averages over the server's last 1024 requests, in ms.
 */
import { checkName } from "../traffic-haproxy/commands";
import { ProviderError, type Colour, type RequestCounters } from "../types";

export const PROVIDER = "metrics-haproxy-stats";

const RESPONSE_COLUMNS = ["hrsp_1xx", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx", "hrsp_other"] as const;

/** `show stat <backend> 4 -1`: the backend's servers only (type 4), one line each. */
export function showStatCommand(backend: string): string {
  return `show stat ${checkName("backend", backend)} 4 -1`;
}

/** The CSV as one record per line, by column name. An answer without the `# pxname,…` header is HAProxy's refusal. */
export function parseShowStat(answer: string): Array<Record<string, string>> | { refused: string } {
  const lines = answer
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => l !== "");
  const header = lines[0];
  if (!header?.startsWith("# pxname,")) return { refused: answer.trim() || "(empty answer)" };
  const columns = header.slice(2).split(",");
  return lines.slice(1).map((line) => {
    const cells = line.split(",");
    return Object.fromEntries(columns.map((name, i) => [name, cells[i] ?? ""]).filter(([name]) => name !== ""));
  });
}

/** Each colour's counters from the parsed rows; a server missing, or counters that are not numbers, is an error. */
export function countersOf(
  rows: Array<Record<string, string>>,
  backend: string,
  servers: Record<Colour, string>,
  where: string,
): Record<Colour, RequestCounters> {
  const read = (colour: Colour): RequestCounters => {
    const row = rows.find((r) => r.pxname === backend && r.svname === servers[colour]);
    if (!row) throw new ProviderError(PROVIDER, `HAProxy at ${where} has no server ${backend}/${servers[colour]} (${colour}) in "show stat"`);
    const count = (column: string) => {
      const value = Number(row[column]);
      if (row[column] === undefined || row[column] === "" || !Number.isInteger(value) || value < 0) {
        throw new ProviderError(
          PROVIDER,
          `HAProxy at ${where} shows ${JSON.stringify(row[column] ?? "")} for ${column} of ${backend}/${servers[colour]}: expected a count (is the backend in mode http?)`,
        );
      }
      return value;
    };
    const average = (column: string) => (row[column] === undefined || row[column] === "" ? null : Number(row[column]));
    const requests = RESPONSE_COLUMNS.reduce((sum, column) => sum + count(column), 0);
    return {
      requests,
      errors: count("hrsp_5xx"),
      responseMs: requests ? average("rtime") : null,
      totalMs: requests ? average("ttime") : null,
      status: row.status ?? "",
    };
  };
  return { blue: read("blue"), green: read("green") };
}

/**
 * Requests and errors between two reads of the same counters. Counters that went down were reset (HAProxy
 * reloaded, or `clear counters`): what they hold now is what came since.
 */
export function countsSince(
  start: Pick<RequestCounters, "requests" | "errors">,
  now: Pick<RequestCounters, "requests" | "errors">,
): { requests: number; errors: number } {
  if (now.requests < start.requests || now.errors < start.errors) return { requests: now.requests, errors: now.errors };
  return { requests: now.requests - start.requests, errors: now.errors - start.errors };
}

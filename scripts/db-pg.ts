/**
 * `npm run db:pg [-- --port N]`: a local PostgreSQL for Flightdeck in `data/pg` (git-ignored), on 127.0.0.1,
 * with a `flightdeck` database; prints the FLIGHTDECK_DATABASE_URL to use. The port of the last start is kept
 * when free, so the URL stays the same. `npm run db:pg -- stop` stops it; `status` says whether it runs.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { LabError } from "../lab/errors";
import { PROJECT_ROOT } from "../lab/layout";
import { DEFAULT_PG_DIR, createDatabase, runningPort, startPostgres, stopPostgres } from "../lab/servers/postgres";
import { portsFree } from "../lab/test-support";
import { ensureSystemPackages } from "./system-packages.mjs";

const dir = DEFAULT_PG_DIR;
const portFile = path.join(dir, "port");
const rel = path.relative(PROJECT_ROOT, dir);

async function start(args: string[]) {
  const at = args.indexOf("--port");
  const asked = at >= 0 ? Number(args[at + 1]) : undefined;
  if (asked !== undefined && !(Number.isInteger(asked) && asked > 0 && asked < 65536)) throw new LabError(`--port wants a port number, not "${args[at + 1]}"`);
  ensureSystemPackages(["postgresql"]);
  const wasRunning = runningPort(dir) !== null;
  const started = Date.now();
  const server = await startPostgres({ dir, port: asked ?? (await lastPortIfFree()) });
  const port = new URL(server.url).port;
  writeFileSync(portFile, `${port}\n`);
  const url = await flightdeckDatabase(server.url);
  console.log(`${wasRunning ? "PostgreSQL already runs" : `PostgreSQL is up (${((Date.now() - started) / 1000).toFixed(1)} s)`} in ${rel}, on 127.0.0.1:${port} only.
  FLIGHTDECK_DATABASE_URL=${url}
Run Flightdeck on it: FLIGHTDECK_DATABASE_URL=${url} npm start
Stop it: npm run db:pg -- stop  (its log: ${rel}/postgres.log)`);
}

/** The port of the previous start, while nothing else took it. */
async function lastPortIfFree(): Promise<number | undefined> {
  if (!existsSync(portFile)) return undefined;
  const port = Number(readFileSync(portFile, "utf8").trim());
  return Number.isInteger(port) && port > 0 && (await portsFree([port])) ? port : undefined;
}

/** The `flightdeck` database (made on the first start) and its URL; the server's `postgres` database stays for maintenance. */
async function flightdeckDatabase(serverUrl: string): Promise<string> {
  const url = new URL(serverUrl);
  url.pathname = "/flightdeck";
  await createDatabase(serverUrl, "flightdeck").catch((err: { code?: string }) => {
    if (err.code !== "42P04") throw err; // duplicate_database: made by an earlier start
  });
  return url.toString();
}

async function stop() {
  const port = runningPort(dir);
  await stopPostgres(dir);
  console.log(port === null ? `PostgreSQL in ${rel} was not running.` : `Stopped PostgreSQL in ${rel} (port ${port}).`);
}

function status() {
  const port = runningPort(dir);
  console.log(port === null ? `PostgreSQL in ${rel} is not running (npm run db:pg starts it).` : `PostgreSQL in ${rel} runs on 127.0.0.1:${port}.`);
}

const argv = process.argv.slice(2);
const command = argv.length && !argv[0].startsWith("--") ? argv[0] : "start";
const options = command === argv[0] ? argv.slice(1) : argv;
const commands: Record<string, () => unknown> = { start: () => start(options), stop, status };
if (!commands[command]) {
  console.error("usage: npm run db:pg [-- start [--port N] | stop | status]");
  process.exit(2);
}
try {
  await commands[command]();
} catch (err) {
  console.error(err instanceof LabError ? `db:pg ${command}: ${err.message}` : err);
  process.exit(1);
}

/**
 * A local PostgreSQL 15 from Debian's `postgresql` package, for `npm run db:pg` and the PostgreSQL tests: one
 * data dir (the cluster in `data/`, its log, its socket), listening on 127.0.0.1 only, trust auth for the
 * `flightdeck` superuser. PostgreSQL refuses to run as root, so as root the dir belongs to the `postgres` user
 * and initdb / pg_ctl run as that user; otherwise they run as the current user. An initialised dir is reused.
 */
import { execFile, spawnSync, type SpawnSyncOptions } from "node:child_process";
import { chownSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { LabError } from "../errors";
import { PROJECT_ROOT } from "../layout";
import { tail, waitUntil } from "../process";
import { freePort } from "../test-support";

export const POSTGRES_BIN = "/usr/lib/postgresql/15/bin";
export const DEFAULT_PG_DIR = path.join(PROJECT_ROOT, "data", "pg");
const SUPERUSER = "flightdeck";
/** Safe while the machine stays up (a killed server loses nothing the OS has); a lost test server is only re-created. */
const THROWAWAY_SETTINGS = " -c fsync=off -c full_page_writes=off -c max_connections=300";

export type PostgresOptions = {
  dir?: string;
  port?: number;
  /** A test server whose data is deleted after the run: no fsync (commits twice as fast), room for every worker's pool. */
  throwaway?: boolean;
};
export type LocalPostgres = { url: string; dir: string; stop(): Promise<void> };

/** Start (or find running) the PostgreSQL of `dir`; resolves once it answers `SELECT 1` over 127.0.0.1. */
export async function startPostgres({ dir = DEFAULT_PG_DIR, port, throwaway = false }: PostgresOptions = {}): Promise<LocalPostgres> {
  dir = path.resolve(dir);
  if (!existsSync(path.join(POSTGRES_BIN, "pg_ctl"))) {
    throw new LabError(`PostgreSQL 15 is not installed: no ${POSTGRES_BIN}/pg_ctl (apt-get install postgresql, or run \`npm test\` as root once)`);
  }
  // The socket path (dir + "/.s.PGSQL.<port>") must fit in 107 bytes; pg_ctl's -o is read by a shell.
  if (dir.length > 90 || /['\\]/.test(dir)) throw new LabError(`PostgreSQL dir ${dir}: keep it under 90 characters, without quotes or backslashes`);
  const runAs = prepareDir(dir);
  const data = path.join(dir, "data");
  const log = path.join(dir, "postgres.log");
  const stop = () => stopPostgres(dir);

  const running = runningPort(dir, runAs);
  if (running !== null && port !== undefined && port !== running) {
    throw new LabError(`PostgreSQL in ${dir} already runs on port ${running}, not ${port}; stop it first (npm run db:pg -- stop)`);
  }
  if (running === null) {
    if (!existsSync(path.join(data, "PG_VERSION"))) {
      await run(runAs, "initdb", ["-D", data, "-A", "trust", "-U", SUPERUSER, "-E", "UTF8", "--no-locale"], log);
    }
    port ??= await freePort();
    const settings = `-p ${port} -k '${dir}' -c listen_addresses=127.0.0.1${throwaway ? THROWAWAY_SETTINGS : ""}`;
    await run(runAs, "pg_ctl", ["-D", data, "-l", log, "-o", settings, "-w", "-t", "30", "start"], log);
  }
  const url = `postgres://${SUPERUSER}@127.0.0.1:${running ?? port}/postgres`;
  await waitForConnections(url, log, stop);
  return { url, dir, stop };
}

/** Stop the PostgreSQL of `dir` (fast shutdown: sessions are ended) and wait until it has exited; no-op when stopped. */
export async function stopPostgres(dir = DEFAULT_PG_DIR): Promise<void> {
  dir = path.resolve(dir);
  if (!existsSync(path.join(dir, "data", "PG_VERSION"))) return;
  const runAs = postgresUser();
  if (runningPort(dir, runAs) === null) return;
  await run(runAs, "pg_ctl", ["-D", path.join(dir, "data"), "-m", "fast", "-w", "-t", "30", "stop"], path.join(dir, "postgres.log"));
}

/** The port the PostgreSQL of `dir` listens on, or null when it is not running. */
export function runningPort(dir: string, runAs = postgresUser()): number | null {
  const data = path.join(dir, "data");
  if (!existsSync(path.join(data, "PG_VERSION"))) return null;
  const status = spawnSync(path.join(POSTGRES_BIN, "pg_ctl"), ["-D", data, "status"], { ...runAs, encoding: "utf8" });
  if (status.status !== 0) return null;
  // postmaster.pid: pid, data dir, start time, port, ... (one per line)
  const port = Number(readFileSync(path.join(data, "postmaster.pid"), "utf8").split("\n")[3]);
  return Number.isInteger(port) && port > 0 ? port : null;
}

/** A new, empty database on the server of `url`; returns its URL. Names are plain identifiers. */
export async function createDatabase(url: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new LabError(`database name "${name}": use lower-case letters, digits and _ (at most 63)`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const created = new URL(url);
  created.pathname = `/${name}`;
  return created.toString();
}

type RunAs = Pick<SpawnSyncOptions, "uid" | "gid">;

/** The uid/gid initdb and pg_ctl run as: `postgres` when we are root, else ourselves (empty). */
function postgresUser(): RunAs {
  if (process.getuid?.() !== 0) return {};
  const entry = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((line) => line.startsWith("postgres:"));
  if (!entry) throw new LabError("PostgreSQL refuses to run as root, and there is no `postgres` user to run it as (apt-get install postgresql creates it)");
  const [, , uid, gid] = entry.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

/** Make `dir` and give it to the user PostgreSQL runs as, who must also be able to reach it. */
function prepareDir(dir: string): RunAs {
  const runAs = postgresUser();
  mkdirSync(dir, { recursive: true });
  if (runAs.uid === undefined) return runAs;
  chownSync(dir, runAs.uid, runAs.gid ?? runAs.uid);
  if (!canReach(dir, runAs)) {
    let blocked = dir;
    for (let up = path.dirname(dir); up !== blocked && !canReach(up, runAs); up = path.dirname(up)) blocked = up;
    throw new LabError(
      `PostgreSQL runs as the postgres user, who cannot reach ${dir}: ${path.dirname(blocked)} is not traversable by others ` +
        `(chmod o+x it, or choose a dir under /tmp)`,
    );
  }
  return runAs;
}

function canReach(dir: string, runAs: RunAs): boolean {
  return spawnSync("test", ["-x", dir], runAs).status === 0;
}

/** One PostgreSQL program (without blocking: Vitest's main process runs this); a failure throws with its output and the server log's tail. */
function run(runAs: RunAs, program: string, args: string[], log: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(path.join(POSTGRES_BIN, program), args, { ...runAs, cwd: "/", timeout: 60_000 }, (err, stdout, stderr) => {
      if (!err) return resolve();
      const output = `${stdout}${stderr}`.trim() || err.message;
      reject(new LabError(`PostgreSQL: ${program} ${args.join(" ")} failed:\n${output}\nlast lines of ${log}:\n${tail(log)}`));
    });
  });
}

/** pg_ctl -w already waited for the socket; this proves 127.0.0.1 answers a query, within 10 s. */
async function waitForConnections(url: string, log: string, stop: () => Promise<void>): Promise<void> {
  let lastError = "";
  const up = await waitUntil(
    async () => {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
      try {
        await client.connect();
        await client.query("SELECT 1");
        return true;
      } catch (err) {
        lastError = (err as Error).message;
        return false;
      } finally {
        await client.end().catch(() => {});
      }
    },
    10_000,
    100,
  );
  if (!up) {
    await stop().catch(() => {});
    throw new LabError(`PostgreSQL did not answer SELECT 1 at ${url} within 10 s (${lastError}); last lines of ${log}:\n${tail(log)}`);
  }
}

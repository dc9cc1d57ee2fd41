import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabaseUrl } from "../test-postgres";
import { createDatabase, runningPort, startPostgres, type LocalPostgres } from "./postgres";

/** Run one query on a fresh connection and close it. */
async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Local addresses listening on `port`, as `ss -ltn` would list them (from /proc/net/tcp and tcp6). */
function listeners(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  return ["/proc/net/tcp", "/proc/net/tcp6"].flatMap((file) =>
    readFileSync(file, "utf8")
      .split("\n")
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[1]?.endsWith(`:${hexPort}`) && fields[3] === "0A") // 0A: LISTEN
      .map((fields) => {
        const hex = fields[1].split(":")[0];
        if (hex.length !== 8) return `[${hex}]`; // any IPv6 address is a failure here
        return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join(".");
      }),
  );
}

describe("the tests' PostgreSQL (one server per run, a fresh database per caller)", () => {
  it("gives each caller its own database: a table made in one is not in the other", async () => {
    const [a, b] = [await testDatabaseUrl(), await testDatabaseUrl()];
    expect(a).not.toBe(b);
    await query(a, "CREATE TABLE marks (id integer PRIMARY KEY); INSERT INTO marks VALUES (1)");

    expect(await query(a, "SELECT count(*)::int AS n FROM marks")).toEqual([{ n: 1 }]);
    expect(await query(b, "SELECT to_regclass('public.marks') AS t")).toEqual([{ t: null }]);
    expect((await query(a, "SELECT current_database() AS db"))[0].db).toBe(new URL(a).pathname.slice(1));
    expect((await query(b, "SELECT current_database() AS db"))[0].db).toBe(new URL(b).pathname.slice(1));
  });

  it("listens on 127.0.0.1 only", async () => {
    const url = await testDatabaseUrl();
    expect(new URL(url).hostname).toBe("127.0.0.1");
    expect(await query(url, "SHOW listen_addresses")).toEqual([{ listen_addresses: "127.0.0.1" }]);
    expect(listeners(Number(new URL(url).port))).toEqual(["127.0.0.1"]);
  });

  it("refuses a database name that is not a plain identifier", async () => {
    const url = await testDatabaseUrl();
    await expect(createDatabase(url, 'x"; DROP DATABASE postgres; --')).rejects.toThrow(/use lower-case letters, digits and _/);
  });
});

describe("startPostgres in its own dir", () => {
  let dir = "";
  let server: LocalPostgres | undefined;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "flightdeck-pg-own-"));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers on 127.0.0.1, keeps its data over a restart, and refuses connections once stopped", async () => {
    server = await startPostgres({ dir });
    const port = Number(new URL(server.url).port);
    expect(server.url).toBe(`postgres://flightdeck@127.0.0.1:${port}/postgres`);
    if (process.getuid?.() === 0) expect(statSync(path.join(dir, "data")).uid).not.toBe(0); // PostgreSQL refuses root
    const db = await createDatabase(server.url, "kept");
    await query(db, "CREATE TABLE notes (body text); INSERT INTO notes VALUES ('still here')");

    await server.stop();
    expect(runningPort(dir)).toBeNull();
    expect(listeners(port)).toEqual([]);
    await expect(query(db, "SELECT 1")).rejects.toMatchObject({ code: "ECONNREFUSED" });

    server = await startPostgres({ dir, port }); // the same dir: reused, not initialised again
    expect(await query(db, "SELECT body FROM notes")).toEqual([{ body: "still here" }]);
    await expect(startPostgres({ dir, port: port + 1 })).rejects.toThrow(`already runs on port ${port}`);
  });

  it("fails with PostgreSQL's own reason, from its log, when its port is taken", async () => {
    const other = mkdtempSync(path.join(os.tmpdir(), "flightdeck-pg-taken-"));
    const squatter = net.createServer().listen(0, "127.0.0.1");
    await new Promise((resolve) => squatter.once("listening", resolve));
    try {
      const port = (squatter.address() as net.AddressInfo).port;
      await expect(startPostgres({ dir: other, port, throwaway: true })).rejects.toThrow(
        /pg_ctl .* start failed[\s\S]*could not bind IPv4 address "127.0.0.1"/,
      );
      expect(runningPort(other)).toBeNull();
    } finally {
      squatter.close();
      rmSync(other, { recursive: true, force: true });
    }
  });
});

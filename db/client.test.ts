import { afterEach, describe, expect, it } from "vitest";
import { testDatabaseUrl } from "../lab/test-postgres";
import { configuredDatabase, getDb, initDb, migrateStore, openStore, type PgStore, type Store } from "./client";

const globalForDb = globalThis as { flightdeckDb?: Store };
const saved = { url: process.env.FLIGHTDECK_DATABASE_URL, file: process.env.FLIGHTDECK_DB };

afterEach(async () => {
  await globalForDb.flightdeckDb?.close();
  globalForDb.flightdeckDb = undefined;
  process.env.FLIGHTDECK_DB = saved.file;
  if (saved.url === undefined) delete process.env.FLIGHTDECK_DATABASE_URL;
  else process.env.FLIGHTDECK_DATABASE_URL = saved.url;
});

describe("which database a process uses", () => {
  it("is PostgreSQL when FLIGHTDECK_DATABASE_URL is set, whatever FLIGHTDECK_DB says; else the SQLite file", () => {
    expect(configuredDatabase({ FLIGHTDECK_DB: "/tmp/a.db" })).toBe("/tmp/a.db");
    expect(configuredDatabase({ FLIGHTDECK_DB: "/tmp/a.db", FLIGHTDECK_DATABASE_URL: "postgres://fd@127.0.0.1:5432/fd" })).toBe(
      "postgres://fd@127.0.0.1:5432/fd",
    );
  });

  it("refuses a FLIGHTDECK_DATABASE_URL that is not PostgreSQL's, by name, without echoing it", () => {
    expect(() => configuredDatabase({ FLIGHTDECK_DATABASE_URL: "mysql://fd:secret@db/fd" })).toThrow(/^FLIGHTDECK_DATABASE_URL is not a PostgreSQL URL/);
    expect(() => configuredDatabase({ FLIGHTDECK_DATABASE_URL: "mysql://fd:secret@db/fd" })).not.toThrow(/secret/);
  });

  it("opens the database it is given over the environment's", async () => {
    process.env.FLIGHTDECK_DATABASE_URL = "postgres://nobody@127.0.0.1:1/none";
    const store = await openStore(":memory:");
    expect(store.dialect).toBe("sqlite");
    await store.close();
  });

  it("opens and migrates PostgreSQL at start (initDb); getDb then returns that store, and refuses before it", async () => {
    process.env.FLIGHTDECK_DATABASE_URL = await testDatabaseUrl();
    expect(() => getDb()).toThrow(/await initDb\(\)/);
    const [db, again] = await Promise.all([initDb(), initDb()]);
    expect(again).toBe(db);
    expect(getDb()).toBe(db);
    expect(db.dialect).toBe("postgres");
    expect(await db.leases.acquire("a", "r1", 0, 1000)).not.toBeNull();
  });

  it("migrates a PostgreSQL database once when replicas start together", async () => {
    const url = await testDatabaseUrl();
    const replicas = (await Promise.all([openStore(url), openStore(url), openStore(url)])) as PgStore[];
    await Promise.all(replicas.map(migrateStore));
    const { rows } = await replicas[0].raw.$client.query("select count(*)::int as n from drizzle.__drizzle_migrations");
    await Promise.all(replicas.map((r) => r.close()));
    const journal = (await import("./pg/migrations/meta/_journal.json")).entries;
    expect(rows[0].n).toBe(journal.length);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { testDatabaseUrl } from "../../lab/test-postgres";
import { migrateStore, openStore, type PgStore } from "../client";

let db: PgStore | undefined;
afterEach(() => db?.close());

describe("the PostgreSQL store", () => {
  it("fails a transaction whose connection is cut, and runs the next one on a sound connection", async () => {
    db = (await openStore(await testDatabaseUrl())) as PgStore;
    await migrateStore(db);
    const store = db;
    const cut = store.transaction(async (tx) => {
      await tx.leases.acquire("a", "r1", 0, 1000);
      await store.raw.$client.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()");
      await tx.leases.acquire("b", "r1", 0, 1000);
    });
    await expect(cut).rejects.toThrow(/Failed query/);
    await store.transaction((tx) => tx.leases.acquire("c", "r1", 0, 1000));
    expect([await store.leases.holder("a", 10), await store.leases.holder("c", 10)]).toEqual([null, "r1"]);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase, type SqliteStore } from "../client";

let store: SqliteStore;
afterEach(() => store?.$client.close());

function fresh(): SqliteStore {
  store = openDatabase(":memory:");
  migrateDatabase(store);
  return store;
}

// The Store contract (commit, rollback, savepoints, misuse) is tested on both dialects in db/store/store.test.ts;
// here, what is SQLite's own: one connection taken in turns.
describe("the SQLite store's transactions", () => {
  it("makes a caller outside the transaction wait for its commit instead of writing into it", async () => {
    const db = fresh();
    let resume!: () => void;
    const paused = new Promise<void>((r) => (resume = r));
    const order: string[] = [];
    const tx = db.transaction(async (t) => {
      await t.leases.acquire("a", "r1", 0, 1000);
      await paused;
      order.push("tx done");
      throw new Error("rolled back");
    });
    const outside = db.leases.acquire("b", "r2", 0, 1000).then(() => order.push("outside written"));
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([]);
    resume();
    await expect(tx).rejects.toThrow("rolled back");
    await outside;
    expect(order).toEqual(["tx done", "outside written"]);
    expect(await db.leases.holder("a", 10)).toBeNull();
    expect(await db.leases.holder("b", 10)).toBe("r2");
  });
});

describe("the SQLite store under a burst", () => {
  it("runs many transactions started at once one after another, none inside another", async () => {
    const db = fresh();
    const inside: number[] = [];
    let open = 0;
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        db.transaction(async (tx) => {
          inside.push(++open);
          await tx.leases.acquire(`l${i}`, "r1", 0, 1000);
          await new Promise((r) => setTimeout(r, 1));
          open--;
        }),
      ),
    );
    expect(inside).toEqual(Array(12).fill(1));
    for (let i = 0; i < 12; i++) expect(await db.leases.holder(`l${i}`, 10)).toBe("r1");
  });
});

describe("a call outside a transaction", () => {
  it("do not let a transaction begin between two of their statements", async () => {
    const db = fresh();
    const names = Array.from({ length: 600 }, (_, i) => `l${i}`);
    for (const name of names) await db.leases.acquire(name, "r1", 0, 1000);
    // renewHeld writes 500 names per statement: its second statement runs after an await.
    const renewing = db.leases.renewHeld(names, "r1", 0, 5000);
    const seen = db.transaction((tx) => tx.leases.holder("l599", 2000));
    const reading = db.leases.holder("l0", 2000);
    expect(await seen).toBe("r1");
    expect((await renewing).size).toBe(600);
    expect(await reading).toBe("r1");
  });
});

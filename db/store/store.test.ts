import { afterEach, describe, expect, it } from "vitest";
import { DIALECTS, freshStore, type AnyStore } from "./test-stores";

describe.each(DIALECTS)("the store's transactions on $dialect", ({ open }) => {
  let db: AnyStore;
  afterEach(() => db?.close());

  it("commits every write of the function together", async () => {
    db = await freshStore(open);
    await db.transaction(async (tx) => {
      await tx.leases.acquire("a", "r1", 0, 1000);
      await tx.leases.acquire("b", "r1", 0, 1000);
    });
    expect([await db.leases.holder("a", 10), await db.leases.holder("b", 10)]).toEqual(["r1", "r1"]);
  });

  it("keeps none of them when the function throws, and passes the error on", async () => {
    db = await freshStore(open);
    const failing = db.transaction(async (tx) => {
      await tx.leases.acquire("a", "r1", 0, 1000);
      throw new Error("boom");
    });
    await expect(failing).rejects.toThrow("boom");
    expect(await db.leases.holder("a", 10)).toBeNull();
  });

  it("rolls a nested transaction back to its savepoint only", async () => {
    db = await freshStore(open);
    await db.transaction(async (tx) => {
      await tx.leases.acquire("a", "r1", 0, 1000);
      await expect(
        tx.transaction(async (inner) => {
          await inner.leases.acquire("b", "r1", 0, 1000);
          throw new Error("inner");
        }),
      ).rejects.toThrow("inner");
    });
    expect([await db.leases.holder("a", 10), await db.leases.holder("b", 10)]).toEqual(["r1", null]);
  });

  it("refuses the outer store inside a transaction rather than deadlocking", async () => {
    db = await freshStore(open);
    const misuse = db.transaction(async () => {
      await db.leases.acquire("a", "r1", 0, 1000);
    });
    await expect(misuse).rejects.toThrow(/use the transaction's own handle/);
    const nested = db.transaction(() => db.transaction(async () => undefined));
    await expect(nested).rejects.toThrow(/use the transaction's own handle/);
    expect(await db.leases.holder("a", 10)).toBeNull();
  });

  it("commits a burst of transactions started at once, each on its own, a failing one alone rolled back", async () => {
    db = await freshStore(open);
    const store = db;
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        store.transaction(async (tx) => {
          await tx.leases.acquire(`l${i}`, "r1", 0, 1000);
          await new Promise((r) => setTimeout(r, 1));
          if (i === 5) throw new Error("the sixth fails");
          return tx.leases.holder(`l${i}`, 10);
        }),
      ),
    );
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual(
      Array.from({ length: 12 }, (_, i) => (i === 5 ? "the sixth fails" : "r1")),
    );
    for (let i = 0; i < 12; i++) expect(await db.leases.holder(`l${i}`, 10)).toBe(i === 5 ? null : "r1");
  });

  it("runs the transactions that claim one exclusive topic one after the other, each seeing what the one before wrote", async () => {
    db = await freshStore(open);
    // Each reads the count, waits a little, then writes count + 1: without the topic two would read the same count.
    const claim = (owner: string) =>
      db.transaction(async (tx) => {
        await tx.exclusive("counting");
        const held = (await tx.leases.heldCountByOwner(0)).get("counter") ?? 0;
        await new Promise((resolve) => setTimeout(resolve, 20));
        await tx.leases.acquire(`n${held}`, "counter", 0, 1000);
        return `${owner}:${held}`;
      });
    const results = await Promise.all(["a", "b", "c", "d"].map(claim));
    expect(results.map((r) => r.split(":")[1]).sort()).toEqual(["0", "1", "2", "3"]);
    await expect(db.exclusive("counting")).rejects.toThrow(/on a transaction's handle/);
  });
});

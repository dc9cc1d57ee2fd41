import { afterEach, describe, expect, it } from "vitest";
import { DIALECTS, freshStore, type AnyStore } from "@/db/store/test-stores";

const NAME = "rollout:r1";

describe.each(DIALECTS)("lease fencing tokens on $dialect", ({ open }) => {
  let db: AnyStore;
  afterEach(() => db?.close());

  it("a take-over increments the token, a renewal keeps it, and only the current (owner, token) is confirmed", async () => {
    db = await freshStore(open);
    expect(await db.leases.acquire(NAME, "a", 1_000, 10_000)).toEqual({ expiresAt: 11_000, token: 1 });
    expect(await db.leases.acquire(NAME, "a", 5_000, 10_000)).toEqual({ expiresAt: 15_000, token: 1 });
    expect([...(await db.leases.renewHeld([NAME], "a", 9_000, 10_000))]).toEqual([NAME]);
    expect(await db.leases.acquire(NAME, "b", 19_001, 10_000)).toEqual({ expiresAt: 29_001, token: 2 });
    expect(await db.leases.unexpired(20_000)).toEqual([{ name: NAME, owner: "b" }]);
    expect(await db.leases.takeFrom(NAME, "b", "c", 20_000, 10_000)).toEqual({ expiresAt: 30_000, token: 3 });
    await db.leases.release(NAME, "c");
    expect(await db.leases.unexpired(20_000)).toEqual([]);
    expect(await db.leases.acquire(NAME, "c", 20_000, 10_000)).toEqual({ expiresAt: 30_000, token: 4 });

    expect(await db.leases.confirm({ name: NAME, owner: "c", token: 4 })).toBe(true);
    expect(await db.leases.confirm({ name: NAME, owner: "c", token: 3 })).toBe(false);
    expect(await db.leases.confirm({ name: NAME, owner: "b", token: 4 })).toBe(false);
  });

  it("a take-over waits for a save that confirmed the lease to commit, then moves the token past it", async () => {
    db = await freshStore(open);
    await db.leases.acquire(NAME, "a", 1_000, 10_000);
    const order: string[] = [];
    let confirmed!: () => void;
    const wasConfirmed = new Promise<void>((resolve) => (confirmed = resolve));
    const save = db.transaction(async (tx) => {
      expect(await tx.leases.confirm({ name: NAME, owner: "a", token: 1 })).toBe(true);
      confirmed();
      await new Promise((resolve) => setTimeout(resolve, 200)); // the rest of a's save
      order.push("a's save done");
    });
    await wasConfirmed;
    const takeover = db.leases.acquire(NAME, "b", 20_000, 10_000).then((lease) => {
      order.push("b took over");
      return lease;
    });

    await save;
    expect(await takeover).toEqual({ expiresAt: 30_000, token: 2 });
    expect(order).toEqual(["a's save done", "b took over"]);
    expect(await db.leases.confirm({ name: NAME, owner: "a", token: 1 })).toBe(false);
  });
});

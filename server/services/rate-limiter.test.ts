import { afterEach, describe, expect, it } from "vitest";
import { DIALECTS, freshStore, rawRows, type AnyStore } from "@/db/store/test-stores";
import { RateLimiter } from "./rate-limiter";

const limit = { capacity: 3, perSecond: 0.5 };

const bucketKeys = async (db: AnyStore) => (await rawRows<{ key: string }>(db, "select key from rate_buckets order by key")).map((row) => row.key);

describe.each(DIALECTS)("RateLimiter on $dialect", ({ open }) => {
  let db: AnyStore;
  afterEach(async () => db?.close());
  const store = async () => (db = await freshStore(open));

  it("lets `capacity` through at once, then one per refill, and says when to retry", async () => {
    const db = await store();
    const limiter = new RateLimiter("test", limit);
    const t = 1_000_000;
    for (let i = 0; i < 3; i++) expect(await limiter.take(db, "ci", t)).toEqual({ allowed: true });
    expect(await limiter.take(db, "ci", t)).toEqual({ allowed: false, retryAfterSeconds: 2 });
    expect(await limiter.take(db, "ci", t + 1_000)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(await limiter.take(db, "ci", t + 2_000)).toEqual({ allowed: true });
    expect(await limiter.take(db, "ci", t + 2_000)).toEqual({ allowed: false, retryAfterSeconds: 2 });
    // Refilled no further than its capacity however long it rested.
    for (let i = 0; i < 3; i++) expect(await limiter.take(db, "ci", t + 3_600_000)).toEqual({ allowed: true });
    expect((await limiter.take(db, "ci", t + 3_600_000)).allowed).toBe(false);
  });

  it("is one limit for every replica on the database, per source and per limit name", async () => {
    const db = await store();
    const replicaA = new RateLimiter("webhook", limit);
    const replicaB = new RateLimiter("webhook", limit);
    const t = 5_000_000;
    expect(await replicaA.take(db, "ci", t)).toEqual({ allowed: true });
    expect(await replicaB.take(db, "ci", t)).toEqual({ allowed: true });
    expect(await replicaA.take(db, "ci", t)).toEqual({ allowed: true });
    expect((await replicaB.take(db, "ci", t)).allowed).toBe(false);
    expect(await replicaB.take(db, "other-source", t)).toEqual({ allowed: true });
    expect(await new RateLimiter("sign-in", limit).take(db, "ci", t)).toEqual({ allowed: true });
  });

  it("takes each token once when many requests race for the last ones", async () => {
    const db = await store();
    const limiter = new RateLimiter("webhook", { capacity: 30, perSecond: 0.5 });
    const answers = await Promise.all(Array.from({ length: 50 }, () => limiter.take(db, "burst", 9_000_000)));
    expect(answers.filter((a) => a.allowed)).toHaveLength(30);
  });

  it("forgets buckets that have been full for a while, so a flood of sources does not grow the table forever", async () => {
    const db = await store();
    const limiter = new RateLimiter("webhook", limit);
    const t = 7_000_000;
    for (let i = 0; i < 20; i++) await limiter.take(db, `source-${i}`, t);
    expect(await bucketKeys(db)).toHaveLength(20);
    // Six seconds fill an empty bucket of 3 at 0.5/s; a take a minute later sweeps the full ones first.
    await limiter.take(db, "late", t + 61_000);
    expect(await bucketKeys(db)).toEqual(["webhook:late"]);
  });
});

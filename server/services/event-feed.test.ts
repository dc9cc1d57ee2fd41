import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DIALECTS, freshStore, seedRollout, type AnyStore } from "@/db/store/test-stores";
import { followEvents, GAP_WAIT_MS, SAMPLE_NOTICE_EVERY_MS, type FeedEvent } from "./event-feed";

const event = (message: string) => ({ at: Date.now(), type: "rollout.started", actor: "engine", message });

/** Collects what a follower yields until `count` events came (or the test times out). */
function follow(db: AnyStore, after: number, count: number, signal: AbortSignal): Promise<FeedEvent[]> {
  return (async () => {
    const seen: FeedEvent[] = [];
    for await (const item of followEvents(db, { after, signal })) {
      if (item.type === "sample.taken") continue;
      seen.push(item);
      if (seen.length === count) break;
    }
    return seen;
  })();
}

describe.each(DIALECTS)("the live feed on $dialect", ({ open }) => {
  let db: AnyStore;
  let abort: AbortController;
  beforeEach(() => (abort = new AbortController()));
  afterEach(async () => {
    abort.abort();
    await db?.close();
  });

  it("never steps past an event whose transaction commits after a later one's", async () => {
    db = await freshStore(open);
    const first = await db.events.insertOne(event("before"));
    const followed = follow(db, first, 2, abort.signal);
    let releaseSlow!: () => void;
    const slowHolds = new Promise<void>((resolve) => (releaseSlow = resolve));
    let slowInserted!: () => void;
    const slowHasId = new Promise<void>((resolve) => (slowInserted = resolve));
    // A transaction takes the next id and stays open while another event commits. SQLite lets one writer in at a
    // time, so there the second waits for the first; PostgreSQL commits the later id first.
    const slow = db.transaction(async (tx) => {
      await tx.events.insertOne(event("slow"));
      slowInserted();
      await slowHolds;
    });
    await slowHasId;
    const fast = db.events.insertOne(event("fast"));
    if (db.dialect === "postgres") await fast;
    await new Promise((resolve) => setTimeout(resolve, 300));
    releaseSlow();
    await Promise.all([slow, fast]);
    expect((await followed).map((e) => e.message)).toEqual(["slow", "fast"]);
  });

  it("goes on past an id a rolled-back transaction left unused, once it has waited for it", async () => {
    db = await freshStore(open);
    const first = await db.events.insertOne(event("before"));
    await expect(
      db.transaction(async (tx) => {
        await tx.events.insertOne(event("rolled back"));
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    await db.events.insertOne(event("after"));
    const started = Date.now();
    expect((await follow(db, first, 1, abort.signal)).map((e) => e.message)).toEqual(["after"]);
    // PostgreSQL's sequence does not give the rolled-back id back: the follower waited for it, then went on.
    if (db.dialect === "postgres") expect(Date.now() - started).toBeGreaterThanOrEqual(GAP_WAIT_MS);
  });

  it("costs a hundred open pages about one read per commit, not one each: followers share their reads", async () => {
    db = await freshStore(open);
    const first = await db.events.insertOne(event("before"));
    const events = db.events as { listAfter: (...args: never[]) => Promise<unknown> };
    const listAfter = events.listAfter;
    let reads = 0;
    events.listAfter = (...args) => {
      reads++;
      return listAfter.apply(db.events, args);
    };
    const pages = Array.from({ length: 100 }, () => follow(db, first, 2, abort.signal));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await db.events.insertOne(event("one"));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await db.events.insertOne(event("two"));
    for (const seen of await Promise.all(pages)) expect(seen.map((e) => e.message)).toEqual(["one", "two"]);
    // The first look, and one per commit, shared by all hundred (a look that met a pulse mid-read adds one).
    expect(reads).toBeLessThanOrEqual(10);
  });

  it("announces canary samples at most once a round, one notice naming every region rollout that took any", async () => {
    db = await freshStore(open);
    await seedRollout(db);
    const notices: FeedEvent[] = [];
    const following = (async () => {
      for await (const item of followEvents(db, { after: null, signal: abort.signal })) if (item.type === "sample.taken") notices.push(item);
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Ten commits over half a second, in both regions; baselines are nothing to redraw.
    const startedAt = Date.now();
    for (let i = 0; i < 10; i++) {
      const region = i % 2 === 0 ? "us-east" : "eu-west";
      await db.samples.insert({ regionRolloutId: `rr_ro_1_${region}`, stageIndex: 0, role: "canary", takenAt: Date.now(), requests: 100, verdict: "pass" });
      await db.samples.insert({ regionRolloutId: `rr_ro_1_${region}`, stageIndex: 0, role: "baseline", takenAt: Date.now(), requests: 100 });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const written = Date.now() - startedAt;
    await new Promise((resolve) => setTimeout(resolve, 2.5 * SAMPLE_NOTICE_EVERY_MS));
    abort.abort();
    await following;

    // Every sample announced once, in no more notices than the rounds the writes spanned (plus the round after).
    const announced = notices.flatMap((n) => n.regions ?? []);
    const counted = (region: string) => announced.filter((r) => r.regionId === region).reduce((sum, r) => sum + r.count, 0);
    expect([counted("us-east"), counted("eu-west")]).toEqual([5, 5]);
    expect(notices.length).toBeLessThanOrEqual(Math.ceil(written / SAMPLE_NOTICE_EVERY_MS) + 1);
    for (const notice of notices) {
      const regions = notice.regions ?? [];
      expect(regions.every((r) => r.rolloutId === "ro_1" && r.serviceId === "api" && r.correlationId === "c_ro_1")).toBe(true);
      // One region rollout is named as a stored event names it; several leave the single fields empty.
      if (regions.length === 1) expect(notice).toMatchObject({ rolloutId: "ro_1", regionId: regions[0].regionId });
      else expect(notice).toMatchObject({ rolloutId: null, regionId: null, message: expect.stringMatching(/ in 2 regions\.$/) });
    }
  });
});

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { migrateStore, openStore } from "../client";
import { testDatabaseUrl } from "../../lab/test-postgres";
import { DIALECTS, freshStore, type AnyStore } from "./test-stores";

const event = (message: string) => ({ at: Date.now(), type: "rollout.started", actor: "engine", message });

/** Resolves at the next signal (a test that never gets one times out). */
function nextSignal(store: AnyStore): Promise<void> {
  return new Promise((resolve) => {
    const unsubscribe = store.live.subscribe(() => {
      unsubscribe();
      resolve();
    });
  });
}

/**
 * On PostgreSQL the listening connection opens with the first subscriber (and closes with the last), and its
 * subscribers hear "look now" once it listens; SQLite's signal listens at once (in memory, and the file's log).
 */
async function listening(store: AnyStore): Promise<void> {
  if (store.dialect === "postgres") await nextSignal(store);
}

describe.each(DIALECTS)("the live signal on $dialect", ({ open }) => {
  const stores: AnyStore[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });
  const fresh = async () => {
    const store = await freshStore(open);
    stores.push(store);
    return store;
  };

  it("tells listeners once a transaction that wrote an event commits, not before", async () => {
    const db = await fresh();
    let heard = 0;
    const unsubscribe = db.live.subscribe(() => heard++);
    await listening(db);
    heard = 0;
    const signalled = nextSignal(db);
    await db.transaction(async (tx) => {
      await tx.events.insertOne(event("inside"));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(heard).toBe(0);
    });
    await signalled;
    expect(heard).toBeGreaterThanOrEqual(1);
    unsubscribe();
  });

  it("signals a sample written outside a transaction, and nothing for a rolled-back event", async () => {
    const db = await fresh();
    let heard = 0;
    db.live.subscribe(() => heard++);
    await listening(db);
    heard = 0;
    await expect(
      db.transaction(async (tx) => {
        await tx.events.insertOne(event("rolled back"));
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(heard).toBe(0);
    const signalled = nextSignal(db);
    await db.events.insertAll([event("outside")]);
    await signalled;
  });
});

/**
 * Two stores on one database, as two processes hold it (a web server and a worker apart; replicas): on PostgreSQL
 * through LISTEN/NOTIFY, on SQLite through the file's write-ahead log. The stores share no listeners, so the only
 * way `a`'s commit reaches `b`'s listener is through the database.
 */
const SHARED = [
  { dialect: "SQLite", url: async () => path.join(mkdtempSync(path.join(tmpdir(), "flightdeck-live-")), "flightdeck.db") },
  { dialect: "PostgreSQL", url: testDatabaseUrl },
] as const;

describe.each(SHARED)("the live signal across processes ($dialect)", ({ url }) => {
  it("reaches a store that did not write: an event committed by one store wakes the other's listener", async () => {
    const location = await url();
    const [a, b] = await Promise.all([openStore(location), openStore(location)]);
    try {
      await migrateStore(a);
      await listening(b);
      const heardByB = nextSignal(b);
      await a.events.insertOne(event("from store a"));
      await heardByB;
      expect((await b.events.listAfter(0, 10)).map((e) => e.message)).toEqual(["from store a"]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

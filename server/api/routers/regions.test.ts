import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { isTrackedEnvelope } from "@trpc/server";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { getDb, type SqliteStore } from "@/db/client";
import { artifacts, events, regionRollouts, roleChanges, rollouts, samples, users } from "@/db/schema";
import { createCaller } from "@/server/api/root";
import { LIVE_SESSION_CHECK_MS } from "@/server/api/routers/regions";
import { createTRPCContext } from "@/server/api/trpc";
import { createSession, revokeSession } from "@/server/auth/session-store";
import type { SessionUser } from "@/server/auth/session";
import { getConfig, setConfig } from "@/server/config";
import { DEMO_CONFIG_PATH, parseConfig } from "@/server/config/load";
import { systemContext } from "@/server/services/context";
import { syncFleet } from "@/server/services/fleet";

const viewer: SessionUser = { id: "u_1", email: "viewer@example.com", name: "Vi", roles: ["viewer"] };

beforeAll(async () => {
  process.env.FLIGHTDECK_DB = path.join(mkdtempSync(path.join(tmpdir(), "fd-regions-")), "test.db");
  const { config } = parseConfig(readFileSync(DEMO_CONFIG_PATH, "utf8"), process.env);
  setConfig({ config: config!, file: DEMO_CONFIG_PATH });
  await syncFleet(systemContext(getDb(), config!));
});

async function callerFor(user: SessionUser | null, signal?: AbortSignal) {
  return createCaller(await createTRPCContext({ headers: new Headers(), user }), { signal });
}

/** The process's store is SQLite in tests: seed through its drizzle handle. */
const raw = () => (getDb() as SqliteStore).raw;

function logEvent(message: string, regionId = "eu-west"): number {
  const row = raw()
    .insert(events)
    .values({ at: Date.now(), type: "test.note", actor: "engine", message, serviceId: "api", regionId })
    .returning({ id: events.id })
    .get();
  return row.id;
}

/** Reads `count` items from a subscription, failing after a few seconds instead of hanging. */
async function take<T>(iterator: AsyncIterator<T>, count: number): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i++) {
    const next = await Promise.race([
      iterator.next(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no event ${i + 1} of ${count} within 3 s`)), 3000)),
    ]);
    if (next.done) throw new Error(`subscription ended after ${i} event(s)`);
    out.push(next.value);
  }
  return out;
}

/** A tracked envelope is `[id, data, marker]`: the id goes to the client as the SSE event id. */
function unwrap(value: unknown): { id: string; message: string; eventId: number } {
  if (!isTrackedEnvelope(value)) throw new Error("expected a tracked event");
  const [id, data] = value as unknown as [string, { id: number; message: string }];
  return { id, message: data.message, eventId: data.id };
}

describe("regions router", () => {
  it("refuses a caller without a session with UNAUTHORIZED", async () => {
    const caller = await callerFor(null);
    await expect(caller.regions.overview()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(caller.regions.live({})).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("refuses a signed-in user without any role with FORBIDDEN", async () => {
    const caller = await callerFor({ ...viewer, roles: [] });
    await expect(caller.regions.overview()).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("gives a viewer the overview of every region", async () => {
    const overview = await (await callerFor(viewer)).regions.overview();
    expect(overview.services[0].regions.map((r) => [r.regionId, r.liveColour, `${r.greenPct} % on green, ${r.bluePct} % on blue`])).toEqual([
      ["us-east", "blue", "0 % on green, 100 % on blue"],
      ["eu-west", "blue", "0 % on green, 100 % on blue"],
      ["apac-se", "blue", "0 % on green, 100 % on blue"],
    ]);
  });

  it("streams new events in order with their ids, and resumes after a given lastEventId", async () => {
    const before = logEvent("before the subscription");
    const abort = new AbortController();
    const live = await (await callerFor(viewer, abort.signal)).regions.live({ lastEventId: String(before) });
    const iterator = live[Symbol.asyncIterator]();

    const first = take(iterator, 3);
    const ids = [logEvent("stage 10 %"), logEvent("stage 25 %"), logEvent("paused", "us-east")];
    expect((await first).map(unwrap)).toEqual([
      { id: String(ids[0]), eventId: ids[0], message: "stage 10 %" },
      { id: String(ids[1]), eventId: ids[1], message: "stage 25 %" },
      { id: String(ids[2]), eventId: ids[2], message: "paused" },
    ]);
    abort.abort();
    await expect(iterator.next()).resolves.toMatchObject({ done: true });

    // A reconnect with the id of the first event it saw gets the two after it, and nothing older.
    const resumed = await (await callerFor(viewer)).regions.live({ lastEventId: String(ids[0]) });
    const again = resumed[Symbol.asyncIterator]();
    expect((await take(again, 2)).map((v) => unwrap(v).message)).toEqual(["stage 25 %", "paused"]);
    await again.return?.(undefined);
  });

  it("starts after the newest event when no lastEventId is given", async () => {
    logEvent("old news");
    const abort = new AbortController();
    const live = await (await callerFor(viewer, abort.signal)).regions.live();
    const iterator = live[Symbol.asyncIterator]();
    const next = take(iterator, 1);
    // The generator reads its starting point when first pulled; give it a poll before writing.
    await new Promise((r) => setTimeout(r, 50));
    const id = logEvent("fresh");
    expect((await next).map(unwrap)).toEqual([{ id: String(id), eventId: id, message: "fresh" }]);
    abort.abort();
  });

  it("announces new canary samples, which write no event, after the event they follow", async () => {
    const db = raw();
    db.insert(artifacts)
      .values({ id: "ar_live", serviceId: "api", version: "2.0.0", digest: "sha256:" + "f".repeat(64), createdAt: Date.now() })
      .run();
    db.insert(rollouts)
      .values({
        id: "ro_live",
        serviceId: "api",
        artifactId: "ar_live",
        strategy: "parallel",
        initiator: "user:u_1",
        correlationId: "c_live",
        createdAt: Date.now(),
      })
      .run();
    db.insert(regionRollouts)
      .values({
        id: "rr_live",
        rolloutId: "ro_live",
        regionId: "eu-west",
        position: 0,
        phase: "canary",
        stageIndex: 0,
        fromColour: "blue",
        toColour: "green",
        updatedAt: Date.now(),
      })
      .run();
    const sample = (role: "canary" | "baseline") =>
      db
        .insert(samples)
        .values({
          regionRolloutId: "rr_live",
          stageIndex: 0,
          role,
          takenAt: Date.now(),
          requests: 400,
          errorRatePct: 0.1,
          latencyP95Ms: 120,
          verdict: role === "canary" ? "pass" : null,
        })
        .run();
    const before = logEvent("stage 10 %");
    const abort = new AbortController();
    const iterator = (await (await callerFor(viewer, abort.signal)).regions.live({ lastEventId: String(before) }))[Symbol.asyncIterator]();
    const first = take(iterator, 1);
    await new Promise((r) => setTimeout(r, 50));

    // A baseline sample alone is nothing to redraw: the next item is the stored event written after it.
    sample("baseline");
    await new Promise((r) => setTimeout(r, 400));
    const noted = logEvent("a note");
    expect((await first).map(unwrap)).toEqual([{ id: String(noted), eventId: noted, message: "a note" }]);

    sample("canary");
    sample("baseline");
    sample("canary");
    const [notice] = await take(iterator, 1);
    expect(isTrackedEnvelope(notice)).toBe(true);
    const [id, data] = notice as unknown as [string, Record<string, unknown>];
    expect(id).toBe(String(noted));
    expect(data).toMatchObject({
      type: "sample.taken",
      rolloutId: "ro_live",
      regionId: "eu-west",
      serviceId: "api",
      message: "eu-west: 2 new canary samples.",
    });
    abort.abort();
  });

  it("rejects a lastEventId that is not an event id", async () => {
    const caller = await callerFor(viewer);
    await expect(caller.regions.live({ lastEventId: "abc" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("ends an open live feed once its session is revoked, before it sends another event", async () => {
    const db = getDb();
    const now = Date.now();
    raw().insert(users).values({ id: "u_live", email: "live@example.com", name: "Liv", createdAt: now }).run();
    raw().insert(roleChanges).values({ userId: "u_live", role: "viewer", change: "granted", changedBy: "system", at: now }).run();
    const session = await createSession(systemContext(db, getConfig().config), "u_live");
    const user: SessionUser = { id: "u_live", email: "live@example.com", name: "Liv", roles: ["viewer"] };
    const abort = new AbortController();
    const context = await createTRPCContext({ headers: new Headers(), user, sessionId: session.id });
    const iterator = (await createCaller(context, { signal: abort.signal }).regions.live({ lastEventId: String(logEvent("before")) }))[Symbol.asyncIterator]();
    vi.useFakeTimers({ toFake: ["Date"], now });
    try {
      // Within the check's interval, and after it with the session standing: events flow.
      const first = take(iterator, 1);
      logEvent("while signed in");
      expect((await first).map(unwrap).map((e) => e.message)).toEqual(["while signed in"]);
      vi.setSystemTime(now + LIVE_SESSION_CHECK_MS + 1);
      const second = take(iterator, 1);
      logEvent("checked and still signed in");
      expect((await second).map(unwrap).map((e) => e.message)).toEqual(["checked and still signed in"]);

      // Signed out elsewhere: the next event is not sent; the feed ends with UNAUTHORIZED.
      await revokeSession(systemContext(db, getConfig().config), session.id);
      vi.setSystemTime(now + 2 * LIVE_SESSION_CHECK_MS + 2);
      const third = iterator.next();
      logEvent("after the sign-out");
      await expect(third).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    } finally {
      vi.useRealTimers();
      abort.abort();
    }
  });
});

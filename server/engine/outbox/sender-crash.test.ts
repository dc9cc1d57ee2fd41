/**
 * A sender that dies at each point of a card's delivery, without killing a process: the store call that would
 * come next throws, as if the process had gone. A fresh sender on the same store then delivers the row, and the
 * receiver's log says what a channel shows: one unmarked card, and a second one only if marked as a possible
 * repeat of the first (by its key, the outbox row's id).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase, type SqliteStore } from "@/db/client";
import { events, notificationOutbox } from "@/db/schema";
import { exampleIncidentView } from "@/server/providers/notify-example";
import { checkTeamsMessage } from "@/server/providers/notify-teams/adaptive-card-check";
import { renderCard } from "./enqueue";
import { deliverDueNotifications, SENDER_DEFAULTS, type SenderOptions } from "./sender";
import { notifyConfig } from "./test-notify-fixtures";
import { startReceiver, type Scripted } from "./test-receiver";

let dir: string;
let db: SqliteStore;
let t: number;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const config = notifyConfig();
const CHANNELS = [
  { id: "incidents", kind: "slack" },
  { id: "deployments", kind: "teams" },
] as const;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "flightdeck-sender-crash-"));
  db = openDatabase(path.join(dir, "test.db"));
  migrateDatabase(db);
  t = 1_700_000_000_000;
});
afterEach(async () => {
  await receiver?.close();
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

function writeCard(channel: (typeof CHANNELS)[number]): number {
  const payload = renderCard(channel.kind, exampleIncidentView("https://deploy.example.com"));
  return db.raw.transaction((tx) => {
    const [e] = tx.insert(events).values({ at: t, type: "rollout.started", actor: "engine", message: "m" }).returning().all();
    return tx
      .insert(notificationOutbox)
      .values({ eventId: e.id, channelId: channel.id, kind: "incident", payload, nextAttemptAt: t, createdAt: t })
      .returning()
      .get().id;
  });
}

const options = (store: SqliteStore, extra: Partial<SenderOptions> = {}): SenderOptions => ({
  db: store,
  config,
  env: { SLACK_WEBHOOK_URL: receiver.url, GLOBAL_TEAMS_WEBHOOK: receiver.url },
  now: () => t,
  timeoutMs: 2_000,
  ...extra,
});

/** The same store, but the process "dies" at the first call of `method` on the outbox (it throws, and nothing after it runs). */
function dyingAt(method: "markPostStarted" | "markClaimed"): SqliteStore {
  const died = async () => {
    throw new Error(`the process died at outbox.${method}`);
  };
  return { ...db, outbox: { ...db.outbox, [method]: died } };
}

/** What the channel shows of each post: whether it says it may be a repeat, and the key it carries. */
const seen = () =>
  receiver.received.map((r) => {
    const text = JSON.stringify(r.body);
    return { repeat: /possible repeat of flightdeck-outbox-\d+/i.test(text), key: /Delivery key: `?(flightdeck-outbox-\d+)/.exec(text)?.[1] ?? null };
  });
const row = (id: number) => db.raw.select().from(notificationOutbox).where(eq(notificationOutbox.id, id)).get()!;

describe.each(CHANNELS)("a $kind card whose sender died", (channel) => {
  it("after the POST left and before its answer was recorded: the resend, after the claim ran out, is marked as a possible repeat", async () => {
    receiver = await startReceiver([]);
    const id = writeCard(channel);
    await expect(deliverDueNotifications(options(dyingAt("markClaimed")))).rejects.toThrow("died");
    expect(row(id)).toMatchObject({ status: "sending", postStartedAt: t });

    expect(await deliverDueNotifications(options(db))).toEqual([]); // the dead sender's claim still holds
    t += SENDER_DEFAULTS.leaseMs;
    const [result] = await deliverDueNotifications(options(db));

    expect(result.outcome).toBe("sent");
    expect(seen()).toEqual([
      { repeat: false, key: `flightdeck-outbox-${id}` },
      { repeat: true, key: `flightdeck-outbox-${id}` },
    ]);
    expect(row(id)).toMatchObject({ status: "sent", attempts: 2 });
    if (channel.kind === "teams") for (const r of receiver.received) expect(checkTeamsMessage(r.body)).toEqual([]);
  });

  it("after its claim and before the POST: the card is posted once, unmarked", async () => {
    receiver = await startReceiver([]);
    const id = writeCard(channel);
    await expect(deliverDueNotifications(options(dyingAt("markPostStarted")))).rejects.toThrow("died");
    t += SENDER_DEFAULTS.leaseMs;
    await deliverDueNotifications(options(db));
    expect(seen()).toEqual([{ repeat: false, key: `flightdeck-outbox-${id}` }]);
    expect(row(id).status).toBe("sent");
  });
});

describe("a retry after an answer", () => {
  const retryAfter = async (first: Scripted, timeoutMs = 2_000) => {
    receiver = await startReceiver([first]);
    const id = writeCard(CHANNELS[0]);
    const [failed] = await deliverDueNotifications(options(db, { timeoutMs }));
    expect(failed.outcome).toBe("retry");
    t = row(id).nextAttemptAt;
    await deliverDueNotifications(options(db, { timeoutMs }));
    expect(row(id).status).toBe("sent");
    // The receiver logs a request when it arrives, whatever it answers.
    await new Promise((r) => setTimeout(r, first.delayMs ?? 0));
    return seen().map((s) => s.repeat);
  };

  it("that proves the card did not arrive (a 503) is not marked", async () => {
    expect(await retryAfter({ status: 503, body: "busy" })).toEqual([false, false]);
  });

  it("after a timeout (the card may have arrived) is marked", async () => {
    expect(await retryAfter({ status: 200, delayMs: 400 }, 150)).toEqual([false, true]);
  });
});

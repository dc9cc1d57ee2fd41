import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase, type SqliteStore } from "@/db/client";
import { events, notificationOutbox } from "@/db/schema";
import { deliverDueNotifications, type SenderOptions } from "./sender";
import { startReceiver } from "./test-receiver";
import { notifyConfig } from "./test-notify-fixtures";

let dir: string;
let db: SqliteStore;
let t: number;
let receiver: Awaited<ReturnType<typeof startReceiver>> | null;
const config = notifyConfig();

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "flightdeck-sender-"));
  db = openDatabase(path.join(dir, "test.db"));
  migrateDatabase(db);
  t = 1_700_000_000_000;
  receiver = null;
});
afterEach(async () => {
  await receiver?.close();
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

function writeCard(payload: unknown = { text: "card" }, channelId = "incidents"): number {
  return db.raw.transaction((tx) => {
    const [e] = tx.insert(events).values({ at: t, type: "region.rolled_back", actor: "engine", message: "m" }).returning().all();
    return tx.insert(notificationOutbox).values({ eventId: e.id, channelId, kind: "incident", payload, nextAttemptAt: t, createdAt: t }).returning().get().id;
  });
}
const row = (id: number) => db.raw.select().from(notificationOutbox).where(eq(notificationOutbox.id, id)).get()!;
const opts = (extra: Partial<SenderOptions> = {}): SenderOptions => ({
  db,
  config,
  env: { SLACK_WEBHOOK_URL: receiver!.url, GLOBAL_TEAMS_WEBHOOK: receiver!.url },
  now: () => t,
  baseBackoffMs: 1_000,
  maxBackoffMs: 8_000,
  maxAttempts: 4,
  timeoutMs: 2_000,
  ...extra,
});

describe("the outbox sender", () => {
  it("posts a due card once and marks it sent", async () => {
    receiver = await startReceiver([]);
    const id = writeCard({ text: "🚨 Incident Alert" });
    const results = await deliverDueNotifications(opts());
    expect(results).toEqual([{ id, channelId: "incidents", outcome: "sent", status: 200, body: "ok", error: null }]);
    expect(row(id)).toMatchObject({ status: "sent", attempts: 1, sentAt: t, lastError: null });
    expect(receiver.received.map((r) => r.body)).toEqual([
      {
        text: "🚨 Incident Alert",
        blocks: [
          { type: "section", text: { type: "mrkdwn", text: "🚨 Incident Alert" } },
          { type: "context", elements: [{ type: "mrkdwn", text: `Delivery key: \`flightdeck-outbox-${id}\`` }] },
        ],
      },
    ]);
    expect(await deliverDueNotifications(opts())).toEqual([]);
    expect(receiver.received).toHaveLength(1);
  });

  it("retries a 5xx with exponential backoff, then sends", async () => {
    receiver = await startReceiver([{ status: 503, body: "busy" }, { status: 500 }]);
    const id = writeCard();
    await deliverDueNotifications(opts());
    expect(row(id)).toMatchObject({ status: "pending", attempts: 1, nextAttemptAt: t + 1_000, lastError: "HTTP 503: busy" });
    t += 999;
    expect(await deliverDueNotifications(opts())).toEqual([]); // not yet due
    t += 1;
    await deliverDueNotifications(opts());
    expect(row(id)).toMatchObject({ status: "pending", attempts: 2, nextAttemptAt: t + 2_000, lastError: "HTTP 500" });
    t += 2_000;
    await deliverDueNotifications(opts());
    expect(row(id)).toMatchObject({ status: "sent", attempts: 3, lastError: null });
    expect(receiver.received).toHaveLength(3);
  });

  it("honours Retry-After on 429", async () => {
    receiver = await startReceiver([{ status: 429, body: "rate limited", headers: { "retry-after": "7" } }]);
    const id = writeCard();
    await deliverDueNotifications(opts());
    expect(row(id)).toMatchObject({ status: "pending", nextAttemptAt: t + 7_000, lastError: "HTTP 429: rate limited" });
    t += 6_999;
    expect(await deliverDueNotifications(opts())).toEqual([]);
    t += 1;
    expect((await deliverDueNotifications(opts()))[0].outcome).toBe("sent");
  });

  it("gives up on a slow receiver after the timeout and retries later", async () => {
    receiver = await startReceiver([{ status: 200, delayMs: 1_500 }]);
    const id = writeCard();
    const started = Date.now();
    const [result] = await deliverDueNotifications(opts({ timeoutMs: 200 }));
    expect(Date.now() - started).toBeLessThan(1_200);
    expect(result).toMatchObject({ outcome: "retry", error: "no answer within 200 ms" });
    expect(row(id)).toMatchObject({ status: "pending", lastError: "no answer within 200 ms" });
  });

  it("fails a row after the last attempt, keeping the last error", async () => {
    receiver = await startReceiver([], { status: 502, body: "bad gateway" });
    const id = writeCard();
    for (let i = 0; i < 4; i++) {
      await deliverDueNotifications(opts());
      t += 10_000;
    }
    expect(row(id)).toMatchObject({ status: "failed", attempts: 4, lastError: "HTTP 502: bad gateway" });
    expect(await deliverDueNotifications(opts())).toEqual([]);
    expect(receiver.received).toHaveLength(4);
  });

  it("fails at once on a 4xx other than 429, and when the webhook variable is not set", async () => {
    receiver = await startReceiver([{ status: 404, body: "no_service" }]);
    const a = writeCard();
    await deliverDueNotifications(opts());
    expect(row(a)).toMatchObject({ status: "failed", attempts: 1, lastError: "HTTP 404: no_service" });
    const b = writeCard();
    await deliverDueNotifications(opts({ env: {} }));
    expect(row(b)).toMatchObject({ status: "failed", lastError: "environment variable SLACK_WEBHOOK_URL is not set" });
  });

  it("a network error is retried and names the cause", async () => {
    receiver = await startReceiver([]);
    const closedUrl = receiver.url;
    await receiver.close();
    receiver = null;
    const id = writeCard();
    const [result] = await deliverDueNotifications({ db, config, now: () => t, env: { SLACK_WEBHOOK_URL: closedUrl } });
    expect(result.outcome).toBe("retry");
    expect(row(id).lastError).toMatch(/ECONNREFUSED/);
  });

  it("never stores or returns the webhook URL's secret path, even when fetch or the far end quotes it", async () => {
    receiver = await startReceiver([{ status: 404, body: "no route for /services/T000/B000/XXXXSECRET" }]);
    const secret = "hooks.slack.com/services/T000/B000/XXXXSECRET";
    const id = writeCard();
    const [unparsable] = await deliverDueNotifications(opts({ env: { SLACK_WEBHOOK_URL: secret } }));
    expect(unparsable.error).toMatch(/URL/);
    expect(unparsable.error).not.toContain("XXXXSECRET");
    expect(row(id).lastError).not.toContain("XXXXSECRET");

    const echoed = writeCard();
    t += 60_000;
    await deliverDueNotifications(opts({ env: { SLACK_WEBHOOK_URL: new URL("/services/T000/B000/XXXXSECRET", receiver.url).href } }));
    const failed = [row(id), row(echoed)].find((r) => r.status === "failed")!;
    expect(failed.lastError).toBe("HTTP 404: no route for /…");
  });

  it("two senders racing for the same rows send each card once", async () => {
    receiver = await startReceiver([], { status: 200, body: "ok", delayMs: 50 });
    const ids = [writeCard({ n: 1 }), writeCard({ n: 2 }), writeCard({ n: 3 })];
    const [a, b] = await Promise.all([deliverDueNotifications(opts()), deliverDueNotifications(opts())]);
    expect([...a, ...b].map((r) => r.id).sort()).toEqual(ids);
    expect(receiver.received.map((r) => (r.body as { n: number }).n).sort()).toEqual([1, 2, 3]);
  });
});

describe("a crash between writing and sending", () => {
  it("a card written before the process died is sent once by the next sender", async () => {
    receiver = await startReceiver([]);
    const id = writeCard({ text: "written, then the process died" });
    // A new process: a new sender with nothing in memory.
    await deliverDueNotifications(opts());
    await deliverDueNotifications(opts());
    expect(row(id).status).toBe("sent");
    expect(receiver.received).toHaveLength(1);
  });

  it("a card claimed by a sender that died is sent again only after its lease ran out", async () => {
    receiver = await startReceiver([]);
    const id = writeCard();
    // What a sender that died after claiming leaves behind.
    db.raw
      .update(notificationOutbox)
      .set({ status: "sending", attempts: 1, nextAttemptAt: t + 60_000 })
      .where(eq(notificationOutbox.id, id))
      .run();
    expect(await deliverDueNotifications(opts())).toEqual([]);
    t += 60_000;
    const [result] = await deliverDueNotifications(opts());
    expect(result.outcome).toBe("sent");
    expect(row(id)).toMatchObject({ status: "sent", attempts: 2 });
    expect(receiver.received).toHaveLength(1);
  });
});

/**
 * The test card: the spec's example incident, sent to every configured webhook (of one purpose, or all)
 * through the real outbox and sender, on a scratch database so nothing is left in the real one. One attempt
 * per channel: the point is to see each webhook's own answer now. Used by `flightdeck notify test` and the
 * admin's "Send test card" action.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { migrateDatabase, openDatabase } from "@/db/client";
import { events, notificationOutbox } from "@/db/schema";
import type { FleetConfig } from "@/server/config/schema";
import { exampleIncidentView } from "@/server/providers/notify-example";
import { renderCard } from "./enqueue";
import { deliverDueNotifications } from "./sender";

export type Purpose = "incidents" | "deployments";
export type ExampleCardResult = { channelId: string; name: string | null; kind: "slack" | "teams"; purpose: Purpose; ok: boolean; status: number | null; body: string | null; error: string | null };

export async function sendExampleCard(config: FleetConfig, env: Record<string, string | undefined>, purpose?: Purpose, opts: { timeoutMs?: number } = {}): Promise<ExampleCardResult[]> {
  const channels = config.notifications.channels.filter((c) => !purpose || c.purpose === purpose);
  if (channels.length === 0) return [];
  const dir = mkdtempSync(path.join(tmpdir(), "flightdeck-notify-test-"));
  const db = openDatabase(path.join(dir, "scratch.db"));
  try {
    migrateDatabase(db);
    const now = Date.now();
    const view = exampleIncidentView(config.baseUrl, config.notifications.debuggingGuideUrl);
    db.transaction((tx) => {
      const [e] = tx.insert(events).values({ at: now, type: "notify.test", actor: "system", message: "test card" }).returning().all();
      for (const c of channels) tx.insert(notificationOutbox).values({ eventId: e.id, channelId: c.id, kind: "incident", payload: renderCard(c.kind, view), nextAttemptAt: now, createdAt: now }).run();
    });
    const results = await deliverDueNotifications({ db, config, env, maxAttempts: 1, timeoutMs: opts.timeoutMs ?? 10_000, batchSize: channels.length });
    return channels.map((c) => {
      const r = results.find((x) => x.channelId === c.id);
      return { channelId: c.id, name: c.name ?? null, kind: c.kind, purpose: c.purpose, ok: r?.outcome === "sent", status: r?.status ?? null, body: r?.body ?? null, error: r?.error ?? "not attempted" };
    });
  } finally {
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

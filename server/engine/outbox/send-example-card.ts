/**
 * The test card: the spec's example incident, sent to every configured webhook (of one purpose, or all) by the
 * sender's own `postCard`, directly: no event, no outbox row, no database. One attempt per channel: the point is
 * to see each webhook's own answer now. Used by `flightdeck notify test` and the admin's "Send test card" action.
 */
import type { FleetConfig } from "@/server/config/schema";
import { engineMetrics } from "@/server/metrics";
import { exampleIncidentView } from "@/server/providers/notify-example";
import { renderCard } from "./enqueue";
import { postCard, SENDER_DEFAULTS } from "./sender";

export type Purpose = "incidents" | "deployments";
export type ExampleCardResult = {
  channelId: string;
  name: string | null;
  kind: "slack" | "teams";
  purpose: Purpose;
  ok: boolean;
  status: number | null;
  body: string | null;
  error: string | null;
};

export async function sendExampleCard(
  config: FleetConfig,
  env: Record<string, string | undefined>,
  purpose?: Purpose,
  opts: { timeoutMs?: number } = {},
): Promise<ExampleCardResult[]> {
  const channels = config.notifications.channels.filter((c) => !purpose || c.purpose === purpose);
  const view = exampleIncidentView(config.baseUrl, config.notifications.debuggingGuideUrl);
  const sendOne = async (c: (typeof channels)[number]): Promise<ExampleCardResult> => {
    const r = await postCard(config, c, renderCard(c.kind, view), {
      ...SENDER_DEFAULTS,
      env,
      timeoutMs: opts.timeoutMs ?? 10_000,
      correlationId: null,
      attempts: 1,
      maxAttempts: 1,
    });
    engineMetrics().deliveries.inc({ channel: c.id, result: r.outcome });
    return {
      channelId: c.id,
      name: c.name ?? null,
      kind: c.kind,
      purpose: c.purpose,
      ok: r.outcome === "sent",
      status: r.status,
      body: r.body,
      error: r.error,
    };
  };
  // One after another, as the sender's batch did: a slow webhook does not hide another's answer.
  const results: ExampleCardResult[] = [];
  for (const c of channels) results.push(await sendOne(c));
  return results;
}

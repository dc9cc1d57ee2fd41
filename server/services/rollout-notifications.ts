/**
 * The rollout page's notifications: every outbox row written for this rollout's events, newest first. Cards
 * (Slack, Teams) come with their channel, status, error and payload for a preview; rows on the reserved
 * Pushgateway and Grafana channels are not cards, so only their failures are listed, apart. Delivery errors
 * arrive redacted: the sender strips webhook URLs and keys before it stores them.
 */
import { z } from "zod";
import type { notificationOutbox } from "@/db/schema";
import type { FleetConfig } from "@/server/config/schema";
import { CARD_FOR_EVENT } from "@/server/engine/outbox/enqueue";
import { isEscalationChannel } from "@/server/engine/outbox/escalation-enqueue";
import { OBSERVABILITY_CHANNELS } from "@/server/engine/outbox/observability-enqueue";
import { parseInput, type ServiceContext } from "./context";
import { notFound } from "./errors";
import { requireRead } from "./rollout-status";

export const RolloutNotificationsInput = z.strictObject({ rolloutId: z.string().min(1) });
export type RolloutNotificationsInput = z.infer<typeof RolloutNotificationsInput>;

type ReadContext = Pick<ServiceContext, "db" | "config" | "actor" | "clock">;

type OutboxStatus = (typeof notificationOutbox.$inferSelect)["status"];
type Purpose = "incidents" | "deployments";

export type CardDelivery = {
  id: number;
  channel: { id: string; name: string; kind: "slack" | "teams" | null; purpose: Purpose | null };
  /** What the card is (incident, rollout-started...), as the outbox stores it. */
  cardKind: string;
  event: { id: number; type: string; message: string; at: number; regionId: string | null };
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  sentAt: number | null;
  /** When the sender tries again: only for a card still waiting (pending). */
  nextAttemptAt: number | null;
  createdAt: number;
  /** The rendered Slack Block Kit message or Teams Adaptive Card, as posted. */
  payload: unknown;
};

export type ObservabilityFailure = {
  id: number;
  target: "pushgateway" | "grafana";
  /** In words: "Pushgateway push", "Grafana annotation"... */
  what: string;
  event: { id: number; type: string; message: string; at: number; regionId: string | null };
  attempts: number;
  lastError: string | null;
  createdAt: number;
};

export type RolloutNotifications = {
  cards: CardDelivery[];
  observabilityFailures: ObservabilityFailure[];
  counts: { failed: number; pending: number; sent: number; grouped: number; observabilityFailed: number };
  /** Some delivery is still due or in flight: statuses change without a new event, so a page should poll. */
  awaitingDelivery: boolean;
};

const OBSERVABILITY_WORDS: Record<string, { target: ObservabilityFailure["target"]; what: string }> = {
  [OBSERVABILITY_CHANNELS.push]: { target: "pushgateway", what: "Pushgateway push of the stage metrics" },
  [OBSERVABILITY_CHANNELS.pushCleanup]: { target: "pushgateway", what: "Pushgateway clean-up of the region's metrics" },
  [OBSERVABILITY_CHANNELS.annotation]: { target: "grafana", what: "Grafana annotation" },
  [OBSERVABILITY_CHANNELS.regionAnnotation]: { target: "grafana", what: "Grafana region annotation" },
};

export async function getRolloutNotifications(ctx: ReadContext, raw: RolloutNotificationsInput): Promise<RolloutNotifications> {
  const now = ctx.clock.now();
  requireRead(ctx);
  const { rolloutId } = parseInput(RolloutNotificationsInput, raw);
  const rollout = await ctx.db.rollouts.byId(rolloutId);
  if (!rollout) throw notFound(`There is no rollout ${rolloutId}.`);

  const rows = await ctx.db.outbox.listForRollout(rolloutId);

  const cards: CardDelivery[] = [];
  const observabilityFailures: ObservabilityFailure[] = [];
  let awaitingDelivery = false;

  for (const { row, event } of rows) {
    // Escalation steps are not cards: the rollout page shows them as incidents and their events.
    if (isEscalationChannel(row.channelId)) continue;
    const inFlight = row.status === "pending" || row.status === "sending";
    const observability = OBSERVABILITY_WORDS[row.channelId];
    if (observability) {
      // A clean-up waits 15 minutes on purpose: only a row that is due (or being sent) is worth polling for.
      if (row.status === "sending" || (row.status === "pending" && row.nextAttemptAt <= now)) awaitingDelivery = true;
      if (row.status === "failed") {
        observabilityFailures.push({ id: row.id, ...observability, event, attempts: row.attempts, lastError: row.lastError, createdAt: row.createdAt });
      }
      continue;
    }
    if (inFlight) awaitingDelivery = true;
    cards.push({
      id: row.id,
      channel: channelOf(ctx.config, row.channelId, event.type),
      cardKind: row.kind,
      event,
      status: row.status,
      attempts: row.attempts,
      lastError: row.lastError,
      sentAt: row.sentAt,
      nextAttemptAt: row.status === "pending" ? row.nextAttemptAt : null,
      createdAt: row.createdAt,
      payload: row.payload,
    });
  }

  const count = (...statuses: OutboxStatus[]) => cards.filter((c) => statuses.includes(c.status)).length;
  return {
    cards,
    observabilityFailures,
    counts: {
      failed: count("failed"),
      pending: count("pending", "sending"),
      sent: count("sent"),
      grouped: count("grouped"),
      observabilityFailed: observabilityFailures.length,
    },
    awaitingDelivery,
  };
}

/** The channel as configured; a channel since removed from the config keeps its id and the purpose of its card. */
function channelOf(config: FleetConfig, channelId: string, eventType: string): CardDelivery["channel"] {
  const channel = config.notifications.channels.find((c) => c.id === channelId);
  if (channel) return { id: channel.id, name: channel.name ?? channel.id, kind: channel.kind, purpose: channel.purpose };
  return { id: channelId, name: channelId, kind: null, purpose: CARD_FOR_EVENT[eventType]?.purpose ?? null };
}

/**
 * The notification outbox: which events become cards, for which channels, written in the same transaction as
 * the event (so a card is never lost and never written without its event). One row per event and channel (a
 * unique index); repeats of the same alert for a region within GROUP_WINDOW_MS are stored as `grouped` and not
 * sent again. Delivery is ./sender.ts.
 */
import type { Store } from "@/db/client";
import { serverEnv } from "@/server/config/env";
import type { FleetConfig } from "@/server/config/schema";
import { buildSlackMessage } from "@/server/providers/notify-slack/blocks";
import { buildTeamsMessage } from "@/server/providers/notify-teams/card";
import type { CardKind, NotificationView } from "@/server/providers/notify-types";
import { readEvent } from "@/server/engine/machine/events";
import { buildNotificationView, type OutboxEvent } from "./card-view";
import { enqueueEscalation } from "./escalation-enqueue";
import { enqueueObservability, observabilityEnabled } from "./observability-enqueue";

export type { OutboxEvent } from "./card-view";
type Purpose = "incidents" | "deployments";
type Channel = FleetConfig["notifications"]["channels"][number];

/** Event type → card and the channel purpose it goes to. Everything else (samples, stage moves) makes no card. */
export const CARD_FOR_EVENT: Record<string, { kind: CardKind; purpose: Purpose }> = {
  "region.rolled_back": { kind: "incident", purpose: "incidents" },
  // The emergency rollback of every region: one card for all its regions (theirs are not sent while it is under way).
  "service.rolled_back": { kind: "emergency-rollback", purpose: "incidents" },
  "analysis.inconclusive_limit": { kind: "analysis-inconclusive", purpose: "incidents" },
  // A stage that ran out of extension unjudged, and an environment problem: both hold the stage for a person.
  "analysis.unjudged": { kind: "analysis-inconclusive", purpose: "incidents" },
  "analysis.environment_problem": { kind: "analysis-inconclusive", purpose: "incidents" },
  "deploy.failed": { kind: "provider-failure", purpose: "incidents" },
  "traffic.failed": { kind: "provider-failure", purpose: "incidents" },
  // A release quarantined after a breach rollback: each rollout still running it elsewhere is told it may roll back.
  "rollout.quarantine_notice": { kind: "quarantine", purpose: "incidents" },
  "rollout.started": { kind: "rollout-started", purpose: "deployments" },
  "gate.opened": { kind: "approval-needed", purpose: "deployments" },
  "region.succeeded": { kind: "region-succeeded", purpose: "deployments" },
  "rollout.succeeded": { kind: "rollout-finished", purpose: "deployments" },
  "rollout.failed": { kind: "rollout-finished", purpose: "deployments" },
  "rollout.aborted": { kind: "rollout-finished", purpose: "deployments" },
};

/** Alerts that can repeat while a region stays stuck; the rest happen once per region attempt. */
const GROUPED_KINDS: ReadonlySet<CardKind> = new Set(["analysis-inconclusive", "provider-failure"]);
export const GROUP_WINDOW_MS = 10 * 60_000;

/** Slack cards carry buttons only when a Slack app is set up (its signing secret): plain incoming webhooks stay as they are. */
export function renderCard(channelKind: Channel["kind"], view: NotificationView): unknown {
  return channelKind === "slack" ? buildSlackMessage(view, { buttons: Boolean(serverEnv().SLACK_SIGNING_SECRET) }) : buildTeamsMessage(view);
}

/** Writes the outbox rows an event calls for, in the caller's transaction. Returns how many were written. */
export async function enqueueNotifications(tx: Store, config: FleetConfig, event: OutboxEvent): Promise<number> {
  const card = CARD_FOR_EVENT[event.type];
  if (!card) return 0;
  const channels = config.notifications.channels.filter((c) => c.purpose === card.purpose);
  if (channels.length === 0) return 0;
  const view = await buildNotificationView(tx, config, event, card.kind);
  if (!view) return 0;
  const groupKey = GROUPED_KINDS.has(card.kind) && !isRollbackReminder(event) ? `${event.rolloutId}/${event.regionId ?? "-"}/${card.kind}` : null;
  for (const channel of channels) {
    const repeat = groupKey !== null && (await tx.outbox.hasAlertSince(channel.id, groupKey, event.at - GROUP_WINDOW_MS));
    await tx.outbox.insertIfAbsent({
      eventId: event.id,
      channelId: channel.id,
      kind: card.kind,
      payload: renderCard(channel.kind, view),
      groupKey,
      status: repeat ? "grouped" : "pending",
      nextAttemptAt: event.at,
      createdAt: event.at,
    });
  }
  return channels.length;
}

/** A failing rollback's alerts are already spaced (every 5 minutes) by the engine: each one is sent. */
function isRollbackReminder(event: OutboxEvent): boolean {
  const ev = readEvent(event);
  return ev?.type === "traffic.failed" && typeof ev.data.rollbackAttempts === "number";
}

/**
 * The outbox rows of written events, for the config given (./consumers.ts): nothing (cheaply) when no channel,
 * Pushgateway or Grafana is configured. Pushgateway pushes and Grafana annotations go through the same outbox.
 */
export async function enqueueForEvents(tx: Store, config: FleetConfig, events: OutboxEvent[]): Promise<void> {
  const cards = config.notifications.channels.length > 0;
  const observability = observabilityEnabled(config);
  const escalation = Boolean(config.escalation);
  if (!cards && !observability && !escalation) return;
  for (const event of events) {
    if (cards) await enqueueNotifications(tx, config, event);
    if (observability) await enqueueObservability(tx, config, event);
    if (escalation) await enqueueEscalation(tx, config, event);
  }
}

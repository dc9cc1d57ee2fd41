/**
 * Every card carries a stable key, its outbox row's id, stamped when it is sent (the id exists only once the row
 * is written). Slack and Teams incoming webhooks cannot deduplicate on it; it lets a reader (or a script reading
 * the channel) tell one card's deliveries apart, and a resend after a POST that may have arrived says so.
 */
import type { FleetConfig } from "@/server/config/schema";
import { withDeliveryKey as slackWithKey, type SlackBlock } from "@/server/providers/notify-slack/blocks";
import { withDeliveryKey as teamsWithKey, type TeamsMessage } from "@/server/providers/notify-teams/card";

type ChannelKind = FleetConfig["notifications"]["channels"][number]["kind"];

export const deliveryKey = (outboxId: number) => `flightdeck-outbox-${outboxId}`;

/** The stored card with its key (and the possible-repeat mark); throws when the stored payload is not a card of that kind. */
export function stampCard(kind: ChannelKind, payload: unknown, outboxId: number, possibleRepeat: boolean): unknown {
  const key = deliveryKey(outboxId);
  if (kind === "slack") {
    if (!isObject(payload) || (payload.blocks !== undefined && !Array.isArray(payload.blocks)))
      throw new Error(`outbox row ${outboxId}: the stored card is not a Slack message`);
    return slackWithKey(payload as { text?: string; blocks?: SlackBlock[] }, key, possibleRepeat);
  }
  const attachments = isObject(payload) ? payload.attachments : undefined;
  const cards = Array.isArray(attachments) && attachments.every((a) => isObject(a) && isObject(a.content) && Array.isArray(a.content.body));
  if (!cards) throw new Error(`outbox row ${outboxId}: the stored card is not a Teams message`);
  return teamsWithKey(payload as TeamsMessage, key, possibleRepeat);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

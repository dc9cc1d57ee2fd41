/**
 * Microsoft Teams: the same content as an Adaptive Card (1.5), wrapped as the message a Teams Workflows
 * webhook expects. Facts go in a FactSet, links are Action.OpenUrl buttons. Pure.
 */
import { cardContent, oncallLine } from "../notify-content";
import type { NotificationView } from "../notify-types";

export type AdaptiveTextBlock = {
  type: "TextBlock";
  text: string;
  wrap?: boolean;
  size?: "Small" | "Default" | "Medium" | "Large" | "ExtraLarge";
  weight?: "Lighter" | "Default" | "Bolder";
  isSubtle?: boolean;
  color?: "Default" | "Attention" | "Good" | "Warning" | "Accent";
};
export type AdaptiveFactSet = { type: "FactSet"; facts: Array<{ title: string; value: string }> };
export type AdaptiveOpenUrl = { type: "Action.OpenUrl"; title: string; url: string };
export type AdaptiveCard = {
  type: "AdaptiveCard";
  $schema: string;
  version: "1.5";
  body: Array<AdaptiveTextBlock | AdaptiveFactSet>;
  actions?: AdaptiveOpenUrl[];
  fallbackText: string;
};
export type TeamsMessage = {
  type: "message";
  attachments: Array<{ contentType: "application/vnd.microsoft.card.adaptive"; contentUrl: null; content: AdaptiveCard }>;
};

const COLOURS: Partial<Record<NotificationView["kind"], AdaptiveTextBlock["color"]>> = {
  incident: "Attention",
  "emergency-rollback": "Attention",
  "provider-failure": "Attention",
  "analysis-inconclusive": "Warning",
  "region-succeeded": "Good",
};

export function buildAdaptiveCard(view: NotificationView): AdaptiveCard {
  const card = cardContent(view);
  const colour = view.kind === "rollout-finished" ? (view.outcome === "succeeded" ? "Good" : "Attention") : (COLOURS[view.kind] ?? "Default");
  const oncall = oncallLine(view);
  return {
    type: "AdaptiveCard",
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    version: "1.5",
    body: [
      { type: "TextBlock", text: card.title, size: "Large", weight: "Bolder", wrap: true, color: colour },
      ...(oncall
        ? [{ type: "TextBlock" as const, text: `${oncall.handle}: ${oncall.rest}`, weight: "Bolder" as const, color: "Attention" as const, wrap: true }]
        : []),
      { type: "FactSet", facts: card.facts.map((f) => ({ title: f.label, value: f.value })) },
      { type: "TextBlock", text: `Correlation ID: ${card.correlationId}`, isSubtle: true, size: "Small", wrap: true },
    ],
    ...(card.links.length > 0 ? { actions: card.links.map((l) => ({ type: "Action.OpenUrl" as const, title: l.label, url: l.url })) } : {}),
    fallbackText: card.summary,
  };
}

export function buildTeamsMessage(view: NotificationView): TeamsMessage {
  return { type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content: buildAdaptiveCard(view) }] };
}

/**
 * The card as one delivery of outbox row `key`: the key in a subtle footer line, and when an earlier POST of it
 * may have arrived, a warning line under the title and a fallback text saying so. Teams' incoming webhooks
 * cannot deduplicate; this is what a reader gets instead.
 */
export function withDeliveryKey(message: TeamsMessage, key: string, possibleRepeat: boolean): TeamsMessage {
  return {
    ...message,
    attachments: message.attachments.map((attachment) => {
      const card = attachment.content;
      const footer: AdaptiveTextBlock = { type: "TextBlock", text: `Delivery key: ${key}`, isSubtle: true, size: "Small", wrap: true };
      if (!possibleRepeat) return { ...attachment, content: { ...card, body: [...card.body, footer] } };
      const warning: AdaptiveTextBlock = {
        type: "TextBlock",
        text: `⚠️ Possible repeat of ${key}: an earlier attempt to post this card may have arrived.`,
        weight: "Bolder",
        color: "Warning",
        wrap: true,
      };
      const [title, ...rest] = card.body;
      const body = title ? [title, warning, ...rest, footer] : [warning, footer];
      return { ...attachment, content: { ...card, body, fallbackText: `[possible repeat of ${key}] ${card.fallbackText}` } };
    }),
  };
}

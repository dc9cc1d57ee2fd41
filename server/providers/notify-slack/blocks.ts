/**
 * Slack Block Kit message for an incoming webhook: a header, the facts as the spec's bullet list, the links
 * on one line ("📊 View Dashboard | View Logs | 📋 Debugging Guide") and the correlation id in a context
 * block. `text` is the fallback Slack shows in notifications. Pure.
 */
import { cardContent } from "../notify-content";
import type { NotificationView } from "../notify-types";

export type SlackTextObject = { type: "mrkdwn" | "plain_text"; text: string; emoji?: boolean };
export type SlackBlock =
  { type: "header"; text: SlackTextObject } | { type: "section"; text: SlackTextObject } | { type: "context"; elements: SlackTextObject[] };
export type SlackMessage = { text: string; blocks: SlackBlock[] };

/** Slack's mrkdwn treats &, < and > as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const HEADER_MAX = 150;

export function buildSlackMessage(view: NotificationView): SlackMessage {
  const card = cardContent(view);
  const bullets = card.facts.map((f) => `• *${escapeMrkdwn(f.label)}:* ${escapeMrkdwn(f.value)}`).join("\n");
  const links = card.links.map((l) => `<${l.url}|${escapeMrkdwn(l.label)}>`).join(" | ");
  const blocks: SlackBlock[] = [
    { type: "header", text: { type: "plain_text", text: card.title.slice(0, HEADER_MAX), emoji: true } },
    { type: "section", text: { type: "mrkdwn", text: bullets } },
  ];
  if (links) blocks.push({ type: "section", text: { type: "mrkdwn", text: links } });
  blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `Correlation ID: \`${escapeMrkdwn(card.correlationId)}\`` }] });
  return { text: card.summary, blocks };
}

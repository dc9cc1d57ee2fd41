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

/**
 * The card as one delivery of outbox row `key`: the key in a context block (so a duplicate can be told apart
 * in the channel), and when an earlier POST of it may have arrived, a visible "possible repeat" line and a
 * fallback text saying so. Slack's incoming webhooks cannot deduplicate; this is what a reader gets instead.
 */
export function withDeliveryKey(message: { text?: string; blocks?: SlackBlock[] }, key: string, possibleRepeat: boolean): SlackMessage {
  const text = message.text ?? "";
  const blocks = message.blocks ?? [{ type: "section", text: { type: "mrkdwn", text: escapeMrkdwn(text) } }];
  const keyBlock: SlackBlock = { type: "context", elements: [{ type: "mrkdwn", text: `Delivery key: \`${escapeMrkdwn(key)}\`` }] };
  if (!possibleRepeat) return { ...message, text, blocks: [...blocks, keyBlock] };
  const warning: SlackBlock = {
    type: "section",
    text: { type: "mrkdwn", text: `:warning: *Possible repeat of ${escapeMrkdwn(key)}*: an earlier attempt to post this card may have arrived.` },
  };
  const [first, ...rest] = blocks;
  const top = first?.type === "header" ? [first, warning, ...rest] : [warning, ...blocks];
  return { ...message, text: `[possible repeat of ${key}] ${text}`, blocks: [...top, keyBlock] };
}

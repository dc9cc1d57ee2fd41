/**
 * Slack Block Kit message for an incoming webhook: a header, the facts as the spec's bullet list, the links
 * on one line ("📊 View Dashboard | View Logs | 📋 Debugging Guide") and the correlation id in a context
 * block. `text` is the fallback Slack shows in notifications. Pure.
 */
import { encodeButtonValue, SLACK_ACTIONS, SLACK_ACTIONS_BLOCK_ID, type SlackAction } from "@/lib/slack-actions";
import { cardContent, oncallLine } from "../notify-content";
import type { NotificationView } from "../notify-types";

export type SlackTextObject = { type: "mrkdwn" | "plain_text"; text: string; emoji?: boolean };
export type SlackButton = {
  type: "button";
  action_id: string;
  text: SlackTextObject;
  value: string;
  style?: "primary" | "danger";
  confirm?: { title: SlackTextObject; text: SlackTextObject; confirm: SlackTextObject; deny: SlackTextObject };
};
export type SlackBlock =
  | { type: "header"; text: SlackTextObject }
  | { type: "section"; text: SlackTextObject }
  | { type: "context"; elements: SlackTextObject[] }
  | { type: "actions"; block_id: string; elements: SlackButton[] };
export type SlackMessage = { text: string; blocks: SlackBlock[] };

/** Slack's mrkdwn treats &, < and > as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const HEADER_MAX = 150;

/** `buttons`: a Slack app receives the presses (POST /api/integrations/slack/actions); off for plain incoming webhooks. */
export function buildSlackMessage(view: NotificationView, opts: { buttons?: boolean } = {}): SlackMessage {
  const card = cardContent(view);
  const bullets = card.facts.map((f) => `• *${escapeMrkdwn(f.label)}:* ${escapeMrkdwn(f.value)}`).join("\n");
  const links = card.links.map((l) => `<${l.url}|${escapeMrkdwn(l.label)}>`).join(" | ");
  const oncall = oncallLine(view);
  const mention = view.oncall ? `<!subteam^${view.oncall.slackUserGroupId}|${oncall?.handle}>` : null;
  const blocks: SlackBlock[] = [
    { type: "header", text: { type: "plain_text", text: card.title.slice(0, HEADER_MAX), emoji: true } },
    ...(oncall && mention ? [{ type: "section" as const, text: { type: "mrkdwn" as const, text: `${mention} ${escapeMrkdwn(oncall.rest)}` } }] : []),
    { type: "section", text: { type: "mrkdwn", text: bullets } },
  ];
  if (links) blocks.push({ type: "section", text: { type: "mrkdwn", text: links } });
  const actions = opts.buttons ? actionsBlock(view) : null;
  if (actions) blocks.push(actions);
  blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `Correlation ID: \`${escapeMrkdwn(card.correlationId)}\`` }] });
  return { text: mention ? `${mention} ${card.summary}` : card.summary, blocks };
}

const INCIDENT_KINDS: ReadonlySet<NotificationView["kind"]> = new Set(["incident", "analysis-inconclusive", "provider-failure", "quarantine"]);

/** Approve / Reject on an approval card, Pause / Roll back on an incident card about one region of a rollout (Acknowledge first when it mentions the on-call). */
function actionsBlock(view: NotificationView): SlackBlock | null {
  if (!view.rolloutId || !view.regionId) return null;
  const value = encodeButtonValue({ rolloutId: view.rolloutId, regionId: view.regionId });
  const region = view.regionName ?? view.regionId;
  const button = (action: SlackAction, label: string, style?: "primary" | "danger", confirm?: string): SlackButton => ({
    type: "button",
    action_id: SLACK_ACTIONS[action],
    text: { type: "plain_text", text: label },
    value,
    ...(style ? { style } : {}),
    ...(confirm
      ? {
          confirm: {
            title: { type: "plain_text", text: `${label}?` },
            text: { type: "plain_text", text: confirm },
            confirm: { type: "plain_text", text: label },
            deny: { type: "plain_text", text: "Cancel" },
          },
        }
      : {}),
  });
  const elements =
    view.kind === "approval-needed"
      ? [button("approve", "Approve", "primary"), button("reject", "Reject", "danger", `${region} will be aborted and the regions after it blocked.`)]
      : INCIDENT_KINDS.has(view.kind)
        ? [
            ...(view.oncall ? [button("acknowledge", "Acknowledge", "primary")] : []),
            button("pause", "Pause"),
            button("rollback", "Roll back", "danger", `Traffic in ${region} goes back to the old colour.`),
          ]
        : [];
  return elements.length ? { type: "actions", block_id: SLACK_ACTIONS_BLOCK_ID, elements } : null;
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

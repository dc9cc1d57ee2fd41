/**
 * A sent card, read back into a few simple blocks the rollout page can show as plain HTML: what a person in
 * Slack or Teams saw. Slack Block Kit (header, section text and fields, context, actions' buttons, dividers,
 * images by their alt text) and Adaptive Cards (TextBlock, RichTextBlock, FactSet, Container, ColumnSet,
 * ActionSet and the card's actions). A block type it does not know is named, not dropped silently. Pure.
 */
import { markdownLines, plainLines, safeHref, slackMrkdwnLines, type TextLine } from "./card-inline-text";

export type Tone = "default" | "attention" | "good" | "warning" | "accent";
export type PreviewLink = { label: string; href: string | null };

export type PreviewBlock =
  | { kind: "header"; lines: TextLine[] }
  | { kind: "text"; lines: TextLine[]; size: "small" | "default" | "large"; bold: boolean; subtle: boolean; tone: Tone }
  | { kind: "fields"; fields: TextLine[][] }
  | { kind: "facts"; facts: Array<{ title: TextLine[]; value: TextLine[] }> }
  | { kind: "context"; lines: TextLine[] }
  | { kind: "links"; links: PreviewLink[] }
  | { kind: "divider" }
  | { kind: "note"; text: string };

export type CardPreview = {
  format: "slack" | "teams" | "unknown";
  /** Slack's `text` or the Adaptive Card's `fallbackText`: what a notification banner shows. */
  fallback: string | null;
  blocks: PreviewBlock[];
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export function previewCard(payload: unknown): CardPreview {
  const adaptive = adaptiveCardOf(payload);
  if (adaptive) return { format: "teams", fallback: str(adaptive.fallbackText), blocks: adaptiveBlocks(adaptive) };
  if (isObj(payload) && (Array.isArray(payload.blocks) || typeof payload.text === "string")) {
    const text = str(payload.text);
    const blocks = Array.isArray(payload.blocks) ? payload.blocks.flatMap(slackBlock) : [];
    // A message without blocks shows its text; with blocks, the text is only the notification fallback.
    if (blocks.length === 0 && text) return { format: "slack", fallback: null, blocks: [textBlock(slackMrkdwnLines(text))] };
    return { format: "slack", fallback: text, blocks };
  }
  return { format: "unknown", fallback: null, blocks: [] };
}

const textBlock = (lines: TextLine[], more: Partial<Extract<PreviewBlock, { kind: "text" }>> = {}): PreviewBlock => ({
  kind: "text",
  lines,
  size: "default",
  bold: false,
  subtle: false,
  tone: "default",
  ...more,
});

// ---------- Slack Block Kit ----------

/** A text object: mrkdwn is parsed, plain_text is taken as it is. */
function slackText(v: unknown): TextLine[] | null {
  if (!isObj(v) || typeof v.text !== "string") return null;
  return v.type === "mrkdwn" ? slackMrkdwnLines(v.text) : plainLines(v.text);
}

function slackButton(v: unknown): PreviewLink | null {
  if (!isObj(v) || v.type !== "button") return null;
  const label = isObj(v.text) ? (str(v.text.text) ?? "Button") : "Button";
  return { label, href: safeHref(str(v.url) ?? "") };
}

function slackBlock(block: unknown): PreviewBlock[] {
  if (!isObj(block)) return [];
  switch (block.type) {
    case "header": {
      const lines = slackText(block.text);
      return lines ? [{ kind: "header", lines }] : [];
    }
    case "section": {
      const out: PreviewBlock[] = [];
      const lines = slackText(block.text);
      if (lines) out.push(textBlock(lines));
      const fields = list(block.fields)
        .map(slackText)
        .filter((f): f is TextLine[] => f !== null);
      if (fields.length > 0) out.push({ kind: "fields", fields });
      const button = slackButton(block.accessory);
      if (button) out.push({ kind: "links", links: [button] });
      return out;
    }
    case "context": {
      const lines = list(block.elements).flatMap((e) =>
        isObj(e) && e.type === "image" ? [[{ text: `[image: ${str(e.alt_text) ?? ""}]` }]] : (slackText(e) ?? []),
      );
      return lines.length > 0 ? [{ kind: "context", lines }] : [];
    }
    case "actions": {
      const links = list(block.elements)
        .map(slackButton)
        .filter((l): l is PreviewLink => l !== null);
      return links.length > 0 ? [{ kind: "links", links }] : [];
    }
    case "divider":
      return [{ kind: "divider" }];
    case "image":
      return [{ kind: "note", text: `[image: ${str(block.alt_text) ?? str(block.title) ?? "no description"}]` }];
    default:
      return [{ kind: "note", text: `(a ${String(block.type)} block, not shown here)` }];
  }
}

// ---------- Adaptive Cards (Teams) ----------

/** The card itself, or the one inside a Teams message's attachments. */
function adaptiveCardOf(payload: unknown): Obj | null {
  if (!isObj(payload)) return null;
  if (payload.type === "AdaptiveCard") return payload;
  if (payload.type !== "message") return null;
  const attachment = list(payload.attachments).find((a) => isObj(a) && a.contentType === "application/vnd.microsoft.card.adaptive" && isObj(a.content));
  return attachment && isObj(attachment) && isObj(attachment.content) ? attachment.content : null;
}

const TONES: Record<string, Tone> = { Attention: "attention", Good: "good", Warning: "warning", Accent: "accent" };
const SIZES: Record<string, "small" | "large"> = { Small: "small", Medium: "large", Large: "large", ExtraLarge: "large" };

function adaptiveAction(v: unknown): PreviewLink | null {
  if (!isObj(v)) return null;
  const label = str(v.title) ?? "Action";
  return { label, href: v.type === "Action.OpenUrl" ? safeHref(str(v.url) ?? "") : null };
}

function adaptiveLinks(actions: unknown): PreviewBlock[] {
  const links = list(actions)
    .map(adaptiveAction)
    .filter((l): l is PreviewLink => l !== null);
  return links.length > 0 ? [{ kind: "links", links }] : [];
}

function adaptiveElement(el: unknown): PreviewBlock[] {
  if (!isObj(el)) return [];
  switch (el.type) {
    case "TextBlock":
      return [
        textBlock(markdownLines(str(el.text) ?? ""), {
          size: SIZES[str(el.size) ?? ""] ?? "default",
          bold: el.weight === "Bolder",
          subtle: el.isSubtle === true,
          tone: TONES[str(el.color) ?? ""] ?? "default",
        }),
      ];
    case "RichTextBlock":
      return [
        textBlock([
          list(el.inlines).flatMap((i) => (typeof i === "string" ? [{ text: i }] : isObj(i) && typeof i.text === "string" ? [{ text: i.text }] : [])),
        ]),
      ];
    case "FactSet":
      return [
        {
          kind: "facts",
          facts: list(el.facts).flatMap((f) => (isObj(f) ? [{ title: markdownLines(str(f.title) ?? ""), value: markdownLines(str(f.value) ?? "") }] : [])),
        },
      ];
    case "Container":
      return list(el.items).flatMap(adaptiveElement);
    case "ColumnSet":
      return list(el.columns).flatMap((c) => (isObj(c) ? list(c.items).flatMap(adaptiveElement) : []));
    case "ActionSet":
      return adaptiveLinks(el.actions);
    case "Image":
      return [{ kind: "note", text: `[image: ${str(el.altText) ?? "no description"}]` }];
    default:
      return [{ kind: "note", text: `(a ${String(el.type)} element, not shown here)` }];
  }
}

function adaptiveBlocks(card: Obj): PreviewBlock[] {
  return [...list(card.body).flatMap(adaptiveElement), ...adaptiveLinks(card.actions)];
}

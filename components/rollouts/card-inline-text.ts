/**
 * The inline formatting of card text, parsed into spans a component renders as plain elements (never as HTML,
 * so a card cannot inject markup): Slack's mrkdwn (*bold*, _italic_, ~strike~, `code`, <url|text>, with &, <
 * and > escaped as entities) and the Markdown subset Adaptive Cards allow (**bold**, _italic_, [text](url)).
 * Only http(s) and mailto links become links; anything else stays text. Pure.
 */

export type InlineSpan = { text: string; bold?: true; italic?: true; strike?: true; code?: true; href?: string };
/** One line of text as spans; a block of text is a list of lines. */
export type TextLine = InlineSpan[];

const SAFE_HREF = /^(https?:\/\/|mailto:)/i;
export const safeHref = (href: string): string | null => (SAFE_HREF.test(href.trim()) ? href.trim() : null);

const decodeEntities = (text: string) => text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/** Plain text (Slack plain_text, Teams without Markdown): lines only. */
export function plainLines(text: string): TextLine[] {
  return text.split("\n").map((line) => (line ? [{ text: line }] : []));
}

// Emphasis marks count only at word edges, as in Slack: `analysis_inconclusive_limit` stays as it is.
const SLACK_EMPHASIS = /`([^`\n]+)`|(?<![\w*])\*([^*\n]+)\*(?![\w*])|(?<![\w_])_([^_\n]+)_(?![\w_])|(?<![\w~])~([^~\n]+)~(?![\w~])/g;
const SLACK_ANGLE = /<([^<>\n]+)>/g;

function slackEmphasis(text: string): InlineSpan[] {
  const spans: InlineSpan[] = [];
  let last = 0;
  for (const m of text.matchAll(SLACK_EMPHASIS)) {
    if (m.index > last) spans.push({ text: decodeEntities(text.slice(last, m.index)) });
    const [, code, bold, italic, strike] = m;
    if (code !== undefined) spans.push({ text: decodeEntities(code), code: true });
    else if (bold !== undefined) spans.push({ text: decodeEntities(bold), bold: true });
    else if (italic !== undefined) spans.push({ text: decodeEntities(italic), italic: true });
    else spans.push({ text: decodeEntities(strike), strike: true });
    last = m.index + m[0].length;
  }
  if (last < text.length) spans.push({ text: decodeEntities(text.slice(last)) });
  return spans;
}

/** `<url|text>`, `<url>`, `<!here>`, `<@U123>`, `<#C123|name>`. */
function slackAngle(inner: string): InlineSpan {
  const [target, label] = [inner.split("|")[0], inner.includes("|") ? inner.slice(inner.indexOf("|") + 1) : null];
  if (target.startsWith("!")) return { text: decodeEntities(label ?? `@${target.slice(1)}`) };
  if (target.startsWith("@")) return { text: decodeEntities(label ?? target) };
  if (target.startsWith("#")) return { text: decodeEntities(label ? `#${label}` : target) };
  const href = safeHref(decodeEntities(target));
  const text = decodeEntities(label ?? target);
  return href ? { text, href } : { text };
}

export function slackMrkdwnLines(text: string): TextLine[] {
  return text.split("\n").map((line) => {
    const spans: InlineSpan[] = [];
    let last = 0;
    for (const m of line.matchAll(SLACK_ANGLE)) {
      spans.push(...slackEmphasis(line.slice(last, m.index)));
      spans.push(slackAngle(m[1]));
      last = m.index + m[0].length;
    }
    spans.push(...slackEmphasis(line.slice(last)));
    return spans.filter((s) => s.text !== "");
  });
}

const MARKDOWN = /\[([^\]\n]+)\]\(([^)\s]+)\)|\*\*([^*\n]+)\*\*|(?<![\w*])\*([^*\n]+)\*(?![\w*])|(?<![\w_])_([^_\n]+)_(?![\w_])/g;

/** The Markdown Adaptive Card TextBlocks and facts support. */
export function markdownLines(text: string): TextLine[] {
  return text.split("\n").map((line) => {
    const spans: InlineSpan[] = [];
    let last = 0;
    for (const m of line.matchAll(MARKDOWN)) {
      if (m.index > last) spans.push({ text: line.slice(last, m.index) });
      const [, label, url, bold, starItalic, underscoreItalic] = m;
      if (label !== undefined) {
        const href = safeHref(url);
        spans.push(href ? { text: label, href } : { text: label });
      } else if (bold !== undefined) spans.push({ text: bold, bold: true });
      else spans.push({ text: starItalic ?? underscoreItalic, italic: true });
      last = m.index + m[0].length;
    }
    if (last < line.length) spans.push({ text: line.slice(last) });
    return spans;
  });
}

import { describe, expect, it } from "vitest";
import { markdownLines, slackMrkdwnLines } from "./card-inline-text";
import { previewCard } from "./card-preview-model";

// As server/providers/notify-slack/blocks.ts writes an incident card.
const SLACK_INCIDENT = {
  text: "🚨 Incident Alert • EU West • api 1.4.2",
  blocks: [
    { type: "header", text: { type: "plain_text", text: "🚨 Incident Alert", emoji: true } },
    { type: "section", text: { type: "mrkdwn", text: "• *Region:* EU West\n• *Cause:* Error rate 1.2% &gt; 0.8% threshold" } },
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: "<https://grafana.example.com/d/x?var-region=eu-west&amp;from=1|📊 View Dashboard> | <https://docs.example.com/guide#error-rate-breach|📋 Debugging Guide>",
      },
    },
    { type: "context", elements: [{ type: "mrkdwn", text: "Correlation ID: `c-1`" }] },
  ],
};

// As server/providers/notify-teams/card.ts wraps an Adaptive Card for a Teams Workflows webhook.
const TEAMS_INCIDENT = {
  type: "message",
  attachments: [
    {
      contentType: "application/vnd.microsoft.card.adaptive",
      contentUrl: null,
      content: {
        type: "AdaptiveCard",
        version: "1.5",
        body: [
          { type: "TextBlock", text: "🚨 Incident Alert", size: "Large", weight: "Bolder", wrap: true, color: "Attention" },
          {
            type: "FactSet",
            facts: [
              { title: "Region", value: "EU West" },
              { title: "Cause", value: "Error rate 1.2% > 0.8% threshold" },
            ],
          },
          { type: "TextBlock", text: "Correlation ID: c-1", isSubtle: true, size: "Small", wrap: true },
        ],
        actions: [{ type: "Action.OpenUrl", title: "📊 View Dashboard", url: "https://grafana.example.com/d/x" }],
        fallbackText: "🚨 Incident Alert • EU West",
      },
    },
  ],
};

describe("previewing a Slack card", () => {
  it("reads the header, the bold fact labels, the links and the context of an incident card", () => {
    const preview = previewCard(SLACK_INCIDENT);
    expect(preview.format).toBe("slack");
    expect(preview.fallback).toBe("🚨 Incident Alert • EU West • api 1.4.2");
    expect(preview.blocks).toEqual([
      { kind: "header", lines: [[{ text: "🚨 Incident Alert" }]] },
      {
        kind: "text",
        size: "default",
        bold: false,
        subtle: false,
        tone: "default",
        lines: [
          [{ text: "• " }, { text: "Region:", bold: true }, { text: " EU West" }],
          [{ text: "• " }, { text: "Cause:", bold: true }, { text: " Error rate 1.2% > 0.8% threshold" }],
        ],
      },
      {
        kind: "text",
        size: "default",
        bold: false,
        subtle: false,
        tone: "default",
        lines: [
          [
            { text: "📊 View Dashboard", href: "https://grafana.example.com/d/x?var-region=eu-west&from=1" },
            { text: " | " },
            { text: "📋 Debugging Guide", href: "https://docs.example.com/guide#error-rate-breach" },
          ],
        ],
      },
      { kind: "context", lines: [[{ text: "Correlation ID: " }, { text: "c-1", code: true }]] },
    ]);
  });

  it("shows section fields, buttons as links, dividers, and names a block it cannot show", () => {
    const preview = previewCard({
      text: "fallback",
      blocks: [
        {
          type: "section",
          fields: [
            { type: "mrkdwn", text: "*Region*\nEU West" },
            { type: "plain_text", text: "*not bold*" },
          ],
          accessory: { type: "button", text: { type: "plain_text", text: "Open" }, url: "https://example.com/a" },
        },
        { type: "divider" },
        {
          type: "actions",
          elements: [
            { type: "button", text: { type: "plain_text", text: "Approve" }, url: "http://localhost:3000/approvals" },
            { type: "button", text: { type: "plain_text", text: "Evil" }, url: "javascript:alert(1)" },
          ],
        },
        { type: "image", image_url: "https://example.com/x.png", alt_text: "error rate chart" },
        { type: "rich_text", elements: [] },
      ],
    });
    expect(preview.blocks).toEqual([
      { kind: "fields", fields: [[[{ text: "Region", bold: true }], [{ text: "EU West" }]], [[{ text: "*not bold*" }]]] },
      { kind: "links", links: [{ label: "Open", href: "https://example.com/a" }] },
      { kind: "divider" },
      {
        kind: "links",
        links: [
          { label: "Approve", href: "http://localhost:3000/approvals" },
          { label: "Evil", href: null },
        ],
      },
      { kind: "note", text: "[image: error rate chart]" },
      { kind: "note", text: "(a rich_text block, not shown here)" },
    ]);
  });

  it("shows the text of a message that has no blocks", () => {
    expect(previewCard({ text: "Deploy of *api* done" })).toEqual({
      format: "slack",
      fallback: null,
      blocks: [
        {
          kind: "text",
          size: "default",
          bold: false,
          subtle: false,
          tone: "default",
          lines: [[{ text: "Deploy of " }, { text: "api", bold: true }, { text: " done" }]],
        },
      ],
    });
  });
});

describe("previewing a Teams card", () => {
  it("reads the title with its colour, the facts, the subtle footer and the OpenUrl actions", () => {
    const preview = previewCard(TEAMS_INCIDENT);
    expect(preview.format).toBe("teams");
    expect(preview.fallback).toBe("🚨 Incident Alert • EU West");
    expect(preview.blocks).toEqual([
      { kind: "text", lines: [[{ text: "🚨 Incident Alert" }]], size: "large", bold: true, subtle: false, tone: "attention" },
      {
        kind: "facts",
        facts: [
          { title: [[{ text: "Region" }]], value: [[{ text: "EU West" }]] },
          { title: [[{ text: "Cause" }]], value: [[{ text: "Error rate 1.2% > 0.8% threshold" }]] },
        ],
      },
      { kind: "text", lines: [[{ text: "Correlation ID: c-1" }]], size: "small", bold: false, subtle: true, tone: "default" },
      { kind: "links", links: [{ label: "📊 View Dashboard", href: "https://grafana.example.com/d/x" }] },
    ]);
  });

  it("reads a bare Adaptive Card with containers, columns and an action set", () => {
    const preview = previewCard({
      type: "AdaptiveCard",
      body: [
        { type: "Container", items: [{ type: "TextBlock", text: "**Stage** 25 %", color: "Good" }] },
        {
          type: "ColumnSet",
          columns: [
            { type: "Column", items: [{ type: "TextBlock", text: "left" }] },
            { type: "Column", items: [{ type: "TextBlock", text: "right" }] },
          ],
        },
        {
          type: "ActionSet",
          actions: [
            { type: "Action.OpenUrl", title: "Logs", url: "https://logs.example.com" },
            { type: "Action.Submit", title: "Ack" },
          ],
        },
      ],
    });
    expect(preview).toMatchObject({ format: "teams", fallback: null });
    expect(preview.blocks).toEqual([
      { kind: "text", lines: [[{ text: "Stage", bold: true }, { text: " 25 %" }]], size: "default", bold: false, subtle: false, tone: "good" },
      { kind: "text", lines: [[{ text: "left" }]], size: "default", bold: false, subtle: false, tone: "default" },
      { kind: "text", lines: [[{ text: "right" }]], size: "default", bold: false, subtle: false, tone: "default" },
      {
        kind: "links",
        links: [
          { label: "Logs", href: "https://logs.example.com" },
          { label: "Ack", href: null },
        ],
      },
    ]);
  });
});

it("previews nothing for a payload that is neither (the raw JSON is still shown)", () => {
  expect(previewCard({ rolloutId: "r1", body: "x" })).toEqual({ format: "unknown", fallback: null, blocks: [] });
  expect(previewCard(null)).toEqual({ format: "unknown", fallback: null, blocks: [] });
});

describe("inline text", () => {
  it("keeps underscores and asterisks inside words, and reads Slack's mentions and special links", () => {
    expect(slackMrkdwnLines("analysis_inconclusive_limit 2*3*4 _why_ ~old~ <!here> <#C1|ops> <mailto:a@b.c|mail> <ftp://x|ftp>")).toEqual([
      [
        { text: "analysis_inconclusive_limit 2*3*4 " },
        { text: "why", italic: true },
        { text: " " },
        { text: "old", strike: true },
        { text: " " },
        { text: "@here" },
        { text: " " },
        { text: "#ops" },
        { text: " " },
        { text: "mail", href: "mailto:a@b.c" },
        { text: " " },
        { text: "ftp" },
      ],
    ]);
  });

  it("reads Markdown links, bold and italics in Adaptive Card text, and refuses script links", () => {
    expect(markdownLines("See [the guide](https://docs.example.com) _now_, **really**\n[x](javascript:alert(1))")).toEqual([
      [
        { text: "See " },
        { text: "the guide", href: "https://docs.example.com" },
        { text: " " },
        { text: "now", italic: true },
        { text: ", " },
        { text: "really", bold: true },
      ],
      [{ text: "x" }, { text: ")" }],
    ]);
  });
});

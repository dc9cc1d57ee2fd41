import { describe, expect, it } from "vitest";
import { exampleIncidentView } from "../notify-example";
import type { CardKind, NotificationView } from "../notify-types";
import { checkAdaptiveCard, checkTeamsMessage } from "./adaptive-card-check";
import { buildAdaptiveCard, buildTeamsMessage } from "./card";

const incident: NotificationView = {
  ...exampleIncidentView("https://deploy.example.com"),
  links: { rollout: "https://deploy.example.com/rollouts/r1", dashboard: "https://grafana.example.com/d/x", logs: "https://logs.example.com/q", guide: "https://deploy.example.com/docs/debugging-guide#error-rate-breach" },
};

const allKinds: NotificationView[] = (
  [
    ["incident", {}],
    ["rollout-started", { strategy: "parallel" }],
    ["approval-needed", { regionName: "US East", detail: "1 SRE" }],
    ["region-succeeded", { regionName: "US East", newColour: "green" }],
    ["rollout-finished", { outcome: "succeeded", durationMs: 60_000, regions: [{ name: "US East", outcome: "succeeded", durationMs: 60_000 }] }],
    ["analysis-inconclusive", { detail: "no data" }],
    ["provider-failure", { detail: "traffic move failed", error: "socket closed" }],
  ] as Array<[CardKind, Partial<NotificationView>]>
).map(([kind, extra]) => ({ ...incident, kind, ...extra }));

describe("the Teams incident card", () => {
  it("is an Adaptive Card 1.5 in a Workflows webhook message", () => {
    const message = buildTeamsMessage(incident);
    expect(message.type).toBe("message");
    expect(message.attachments).toHaveLength(1);
    expect(message.attachments[0].contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(message.attachments[0].content.version).toBe("1.5");
    expect(message.attachments[0].content.type).toBe("AdaptiveCard");
  });

  it("carries the spec's example fact by fact", () => {
    const card = buildAdaptiveCard(incident);
    expect(card.body[0]).toMatchObject({ type: "TextBlock", text: "🚨 Incident Alert", color: "Attention" });
    expect(card.body[1]).toEqual({
      type: "FactSet",
      facts: [
        { title: "Region", value: "EU West" },
        { title: "Stage", value: "Canary rollout at 25%" },
        { title: "Impact", value: "Rollback triggered, traffic routed to Blue" },
        { title: "Cause", value: "Error rate 1.2% > 0.8% threshold" },
        { title: "Error Rate", value: "1.2% | Latency P95: 420ms" },
        { title: "Status", value: "✅ Rollback done in 4 s" },
        { title: "Release", value: "api 1.4.2" },
      ],
    });
    expect(card.body[2]).toMatchObject({ type: "TextBlock", text: "Correlation ID: test-0000-example" });
    expect(card.actions).toEqual([
      { type: "Action.OpenUrl", title: "🔗 Rollout", url: "https://deploy.example.com/rollouts/r1" },
      { type: "Action.OpenUrl", title: "📊 View Dashboard", url: "https://grafana.example.com/d/x" },
      { type: "Action.OpenUrl", title: "View Logs", url: "https://logs.example.com/q" },
      { type: "Action.OpenUrl", title: "📋 Debugging Guide", url: "https://deploy.example.com/docs/debugging-guide#error-rate-breach" },
    ]);
  });
});

describe("Adaptive Card validity (hand-written check of the subset we emit, per the official schema)", () => {
  it.each(allKinds.map((v) => [v.kind, v] as const))("the %s card passes", (_kind, view) => {
    expect(checkTeamsMessage(buildTeamsMessage(view))).toEqual([]);
  });

  it("the check rejects what the schema rejects", () => {
    expect(checkAdaptiveCard({ type: "AdaptiveCard", body: [] })).toContain('version: required, a string such as "1.5"');
    expect(checkAdaptiveCard({ type: "AdaptiveCard", version: "1.5", body: [{ type: "TextBlock" }] })).toContain("body[0].text: required");
    expect(checkAdaptiveCard({ type: "AdaptiveCard", version: "1.5", body: [{ type: "FactSet", facts: [{ title: "a", value: 1 }] }] })).toContain("body[0].facts[0]: title and value must be strings");
    expect(checkAdaptiveCard({ type: "AdaptiveCard", version: "1.5", body: [{ type: "TextBlock", text: "x", colour: "red" }] })).toContain("body[0].colour: not a property of TextBlock");
    expect(checkAdaptiveCard({ type: "AdaptiveCard", version: "1.5", body: [{ type: "TextBlock", text: "x", size: "huge" }] })).toContain('body[0].size: invalid value "huge"');
    expect(checkAdaptiveCard({ type: "AdaptiveCard", version: "1.5", actions: [{ type: "Action.OpenUrl", title: "x" }] })).toContain("actions[0].url: required");
    expect(checkAdaptiveCard({ type: "AdaptiveCard", version: "1.5", body: [{ type: "Markdown", text: "x" }] })[0]).toMatch(/is not an allowed type/);
    expect(checkTeamsMessage({ type: "message", attachments: [{ contentType: "application/json", content: {} }] })[0]).toMatch(/contentType/);
  });
});

import { describe, expect, it } from "vitest";
import { exampleIncidentView } from "../notify-example";
import type { CardKind, NotificationView } from "../notify-types";
import { checkAdaptiveCard, checkTeamsMessage } from "./adaptive-card-check";
import { buildAdaptiveCard, buildTeamsMessage, withDeliveryKey } from "./card";

const incident: NotificationView = {
  ...exampleIncidentView("https://deploy.example.com"),
  links: {
    rollout: "https://deploy.example.com/rollouts/r1",
    dashboard: "https://grafana.example.com/d/x",
    logs: "https://logs.example.com/q",
    guide: "https://deploy.example.com/docs/debugging-guide#error-rate-breach",
  },
};
// The approval card is the one with the most buttons (five); this link appears on no other kind.
const withApprovals: NotificationView["links"] = { ...incident.links, approvals: "https://deploy.example.com/rollouts/r1/approvals" };

const allKinds: NotificationView[] = (
  [
    ["incident", {}],
    ["rollout-started", { strategy: "parallel" }],
    ["approval-needed", { regionName: "US East", detail: "1 SRE", links: withApprovals }],
    [
      "approval-needed",
      {
        regionName: "US East",
        detail: "1 SRE",
        links: withApprovals,
        schema: {
          migrations: [
            { id: "0042_add_col", class: "expand" },
            { id: "0043_drop_x", class: "contract" },
          ],
          liveVersion: "1.4.0",
          tolerated: true,
          overridden: false,
        },
      },
    ],
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

describe("the Teams approval card", () => {
  const [plain, withMigrations] = allKinds.filter((v) => v.kind === "approval-needed");

  it("lists the release's migrations as a fact, a contract one with the live release that tolerates it", () => {
    expect(buildAdaptiveCard(withMigrations).body[1]).toEqual({
      type: "FactSet",
      facts: [
        { title: "Region", value: "US East" },
        { title: "Release", value: "api 1.4.2" },
        { title: "Waiting for", value: "1 SRE" },
        { title: "Migrations", value: "0042_add_col (expand), 0043_drop_x (contract, tolerated by 1.4.0)" },
      ],
    });
  });

  it("of a release without a manifest shows no migrations", () => {
    const card = buildAdaptiveCard(plain);
    expect(card.body[1]).toMatchObject({ type: "FactSet", facts: [{ title: "Region" }, { title: "Release" }, { title: "Waiting for" }] });
    expect(JSON.stringify(card)).not.toContain("Migrations");
  });
});

describe("every Teams card, checked by Microsoft's Adaptive Cards parser", () => {
  it.each(allKinds.map((v) => [v.kind, v] as const))("the %s card is valid", (_kind, view) => {
    expect(checkTeamsMessage(buildTeamsMessage(view))).toEqual([]);
  });

  it("the spec's example incident, as `flightdeck notify test` sends it, is valid", () => {
    expect(checkTeamsMessage(buildTeamsMessage(exampleIncidentView()))).toEqual([]);
  });

  it("the approval card keeps all five buttons", () => {
    const approval = allKinds.find((v) => v.kind === "approval-needed" && v.schema)!;
    expect(buildAdaptiveCard(approval).actions?.map((a) => a.title)).toEqual([
      "🔗 Rollout",
      "✋ Approve or reject",
      "📊 View Dashboard",
      "View Logs",
      "📋 Debugging Guide",
    ]);
  });

  it("a card with no links and few facts is valid", () => {
    const bare: NotificationView = { kind: "rollout-started", rolloutId: "r2", correlationId: "c-2", service: "api", version: "2.0.0", links: {} };
    const card = buildAdaptiveCard(bare);
    expect(card.actions).toBeUndefined();
    expect(checkAdaptiveCard(card)).toEqual([]);
  });
});

describe("the delivery key on a Teams card", () => {
  it("is a subtle footer line; a possible repeat also says so under the title and in the fallback text; both stay valid", () => {
    const keyed = withDeliveryKey(buildTeamsMessage(incident), "flightdeck-outbox-7", false).attachments[0].content;
    expect(keyed.body.at(-1)).toEqual({ type: "TextBlock", text: "Delivery key: flightdeck-outbox-7", isSubtle: true, size: "Small", wrap: true });
    const repeat = withDeliveryKey(buildTeamsMessage(incident), "flightdeck-outbox-7", true);
    const card = repeat.attachments[0].content;
    expect(card.body[1]).toMatchObject({ type: "TextBlock", color: "Warning", text: expect.stringContaining("Possible repeat of flightdeck-outbox-7") });
    expect(card.fallbackText.startsWith("[possible repeat of flightdeck-outbox-7] ")).toBe(true);
    for (const view of allKinds) {
      for (const marked of [false, true]) expect(checkTeamsMessage(withDeliveryKey(buildTeamsMessage(view), "flightdeck-outbox-7", marked))).toEqual([]);
    }
  });
});

import { describe, expect, it } from "vitest";
import { exampleIncidentView } from "../notify-example";
import type { NotificationView } from "../notify-types";
import { buildSlackMessage, withDeliveryKey, type SlackBlock } from "./blocks";

const sectionTexts = (blocks: SlackBlock[]) => blocks.filter((b) => b.type === "section").map((b) => (b as { text: { text: string } }).text.text);
const bullets = (view: NotificationView) => sectionTexts(buildSlackMessage(view).blocks)[0].split("\n");

describe("the Slack incident quick card", () => {
  const view: NotificationView = {
    ...exampleIncidentView("https://deploy.example.com"),
    links: {
      rollout: "https://deploy.example.com/rollouts/r1",
      dashboard: "https://grafana.example.com/d/x?var-region=eu-west",
      logs: "https://logs.example.com/search?q=a&b",
      guide: "https://deploy.example.com/docs/debugging-guide#error-rate-breach",
    },
  };

  it("carries the spec's example field by field, with the cause naming only the error rate", () => {
    const message = buildSlackMessage(view);
    expect(message.blocks[0]).toEqual({ type: "header", text: { type: "plain_text", text: "🚨 Incident Alert", emoji: true } });
    expect(bullets(view)).toEqual([
      "• *Region:* EU West",
      "• *Stage:* Canary rollout at 25%",
      "• *Impact:* Rollback triggered, traffic routed to Blue",
      "• *Cause:* Error rate 1.2% &gt; 0.8% threshold",
      "• *Error Rate:* 1.2% | Latency P95: 420ms",
      "• *Status:* ✅ Rollback done in 4 s",
      "• *Release:* api 1.4.2",
    ]);
    expect(bullets(view).join("\n")).not.toMatch(/latency.*threshold/i);
  });

  it("links the rollout, dashboard, logs and the debugging guide section, and shows the correlation id", () => {
    const message = buildSlackMessage(view);
    expect(sectionTexts(message.blocks)[1]).toBe(
      "<https://deploy.example.com/rollouts/r1|🔗 Rollout> | <https://grafana.example.com/d/x?var-region=eu-west|📊 View Dashboard> | <https://logs.example.com/search?q=a&b|View Logs> | <https://deploy.example.com/docs/debugging-guide#error-rate-breach|📋 Debugging Guide>",
    );
    expect(message.blocks.at(-1)).toEqual({ type: "context", elements: [{ type: "mrkdwn", text: "Correlation ID: `test-0000-example`" }] });
    expect(message.text).toBe("🚨 Incident Alert • EU West • api 1.4.2 • Error rate 1.2% > 0.8% threshold");
  });

  it("says the old colour shows the same when the baseline breaches too", () => {
    const same = {
      ...view,
      cause: [{ metric: "error_rate" as const, observed: 1.2, threshold: 0.8, unit: "%" as const, baseline: 1.1, baselineAlsoBreaches: true }],
    };
    expect(bullets(same)[3]).toBe("• *Cause:* Error rate 1.2% &gt; 0.8% threshold. Blue shows the same (Error rate 1.1%): the release may not be the cause");
  });

  it("names every metric that breached and only those", () => {
    const two = {
      ...view,
      cause: [
        { metric: "latency_p95" as const, observed: 480, threshold: 450, unit: "ms" as const, baseline: 200, baselineAlsoBreaches: false },
        { metric: "health" as const, observed: 503, threshold: 200, unit: "status" as const, baseline: 200, baselineAlsoBreaches: false },
      ],
    };
    expect(bullets(two)[3]).toBe("• *Cause:* Latency P95 480ms &gt; 450ms threshold; Health status 503, expected 200");
  });

  it("shows a person's emergency rollback as its own cause", () => {
    const manual = { ...view, cause: [], triggeredBy: "Ana (SRE)", stagePercent: null, errorRatePct: null, latencyP95Ms: null };
    expect(bullets(manual)).toEqual([
      "• *Region:* EU West",
      "• *Impact:* Emergency rollback by Ana (SRE), traffic routed to Blue",
      "• *Cause:* Manual emergency rollback by Ana (SRE)",
      "• *Status:* ✅ Rollback done in 4 s",
      "• *Release:* api 1.4.2",
    ]);
  });

  it("shows a person's rollback during the canary with its stage and the numbers at that moment", () => {
    const manual = { ...view, cause: [], triggeredBy: "Ana (SRE)", rollbackTookMs: null };
    const lines = bullets(manual);
    expect(lines).toContain("• *Impact:* Rollback by Ana (SRE), traffic routed to Blue");
    expect(lines).toContain("• *Cause:* Manual rollback during the canary by Ana (SRE)");
    expect(lines.some((l) => l.startsWith("• *Stage:*") && l.includes("25"))).toBe(true);
  });
});

describe("the other Slack cards", () => {
  const base = {
    rolloutId: "r1",
    correlationId: "c-1",
    service: "api",
    version: "2.0.0",
    links: { rollout: "https://d.example.com/rollouts/r1", approvals: "https://d.example.com/approvals" },
  };

  it("rollout started names the release and strategy", () => {
    const m = buildSlackMessage({ ...base, kind: "rollout-started", strategy: "sequential", detail: "us-east, eu-west; about 1.2 h" });
    expect(m.blocks[0]).toMatchObject({ text: { text: "🚀 Rollout started" } });
    expect(sectionTexts(m.blocks)[0].split("\n")).toEqual(["• *Release:* api 2.0.0", "• *Strategy:* sequential", "• *Plan:* us-east, eu-west; about 1.2 h"]);
  });

  it("approval needed links the approval page", () => {
    const m = buildSlackMessage({ ...base, kind: "approval-needed", regionName: "US East", detail: "1 functional reviewer and 1 SRE" });
    expect(sectionTexts(m.blocks)[0]).toContain("• *Waiting for:* 1 functional reviewer and 1 SRE");
    expect(sectionTexts(m.blocks)[1]).toContain("<https://d.example.com/approvals|✋ Approve or reject>");
  });

  it("approval needed lists the release's migrations, a contract one with the live release that tolerates it", () => {
    const schema = {
      migrations: [
        { id: "0042_add_col", class: "expand" as const },
        { id: "0043_drop_x", class: "contract" as const },
        { id: "0044_backfill", class: "none" as const },
      ],
      liveVersion: "1.4.0",
      tolerated: true,
      overridden: false,
    };
    const m = buildSlackMessage({ ...base, kind: "approval-needed", regionName: "US East", detail: "1 SRE", schema }, { buttons: true });
    expect(sectionTexts(m.blocks)[0].split("\n")).toEqual([
      "• *Region:* US East",
      "• *Release:* api 2.0.0",
      "• *Waiting for:* 1 SRE",
      "• *Migrations:* 0042_add_col (expand), 0043_drop_x (contract, tolerated by 1.4.0), 0044_backfill (none)",
    ]);
    const overridden = { ...schema, migrations: [schema.migrations[1]], tolerated: false, overridden: true };
    expect(bullets({ ...base, kind: "approval-needed", schema: overridden }).at(-1)).toBe(
      "• *Migrations:* 0043_drop_x (contract, not tolerated by 1.4.0: started by an admin's override)",
    );
    expect(bullets({ ...base, kind: "approval-needed", schema: { ...schema, migrations: [] } }).at(-1)).toBe("• *Migrations:* none declared");
  });

  it("a long manifest keeps its contract migrations on the card and counts the rest", () => {
    const migrations = Array.from({ length: 14 }, (_, i) => ({ id: `00${10 + i}_step`, class: i === 12 ? ("contract" as const) : ("expand" as const) }));
    const line = bullets({ ...base, kind: "approval-needed", schema: { migrations, liveVersion: null, tolerated: true, overridden: false } }).at(-1)!;
    expect(line).toContain("0022_step (contract, nothing live yet)");
    expect(line.match(/_step/g)).toHaveLength(10);
    expect(line.endsWith(", and 4 more on the approval page")).toBe(true);
  });

  it("an approval card of a release without a manifest shows no migrations", () => {
    const m = buildSlackMessage({ ...base, kind: "approval-needed", regionName: "US East", detail: "1 SRE" });
    expect(sectionTexts(m.blocks)[0].split("\n")).toEqual(["• *Region:* US East", "• *Release:* api 2.0.0", "• *Waiting for:* 1 SRE"]);
    expect(JSON.stringify(m)).not.toContain("Migrations");
  });

  it("the approval link appears only on the approval card", () => {
    const m = buildSlackMessage({ ...base, kind: "region-succeeded", regionName: "US East", newColour: "green", durationMs: 1_800_000 });
    expect(sectionTexts(m.blocks)[1]).not.toContain("approvals");
    expect(sectionTexts(m.blocks)[0].split("\n")).toEqual(["• *Region:* US East", "• *Release:* api 2.0.0", "• *Live on:* Green", "• *Took:* 30 min"]);
  });

  it("rollout finished summarises each region with its duration", () => {
    const m = buildSlackMessage({
      ...base,
      kind: "rollout-finished",
      outcome: "failed",
      durationMs: 5_400_000,
      regions: [
        { name: "US East", outcome: "succeeded", durationMs: 3_000_000 },
        { name: "EU West", outcome: "rolled back", durationMs: 600_000 },
        { name: "APAC", outcome: "blocked", durationMs: null },
      ],
    });
    expect(sectionTexts(m.blocks)[0].split("\n")).toEqual([
      "• *Release:* api 2.0.0",
      "• *Outcome:* Failed",
      "• *Took:* 1 h 30 min",
      "• *US East:* succeeded in 50 min",
      "• *EU West:* rolled back in 10 min",
      "• *APAC:* blocked",
    ]);
  });

  it("inconclusive analysis says the stage holds and why", () => {
    const m = buildSlackMessage({
      ...base,
      kind: "analysis-inconclusive",
      regionName: "EU West",
      stagePercent: 10,
      detail: "3 inconclusive samples in a row (12 requests < 20)",
    });
    expect(sectionTexts(m.blocks)[0]).toContain("• *Status:* ⏸ Stage on hold, paused until someone looks");
    expect(sectionTexts(m.blocks)[0]).toContain("• *Why:* 3 inconclusive samples in a row (12 requests &lt; 20)");
  });

  it("provider failure carries the provider's error", () => {
    const m = buildSlackMessage({
      ...base,
      kind: "provider-failure",
      regionName: "EU West",
      detail: "Deploy to green failed",
      error: "ssh: connection refused",
    });
    expect(sectionTexts(m.blocks)[0]).toContain("• *What failed:* Deploy to green failed");
    expect(sectionTexts(m.blocks)[0]).toContain("• *Error:* ssh: connection refused");
  });
});

describe("the delivery key on a Slack card", () => {
  const message = buildSlackMessage(exampleIncidentView("https://deploy.example.com"));

  it("is the last context block", () => {
    const keyed = withDeliveryKey(message, "flightdeck-outbox-7", false);
    expect(keyed.text).toBe(message.text);
    expect(keyed.blocks).toEqual([...message.blocks, { type: "context", elements: [{ type: "mrkdwn", text: "Delivery key: `flightdeck-outbox-7`" }] }]);
  });

  it("a possible repeat says so under the header and in the notification text", () => {
    const repeat = withDeliveryKey(message, "flightdeck-outbox-7", true);
    expect(repeat.text).toBe(`[possible repeat of flightdeck-outbox-7] ${message.text}`);
    expect(repeat.blocks[0]).toEqual(message.blocks[0]);
    expect(sectionTexts([repeat.blocks[1]])[0]).toContain("*Possible repeat of flightdeck-outbox-7*");
    expect(repeat.blocks).toHaveLength(message.blocks.length + 2);
  });
});

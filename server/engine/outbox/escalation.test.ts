/**
 * The spec's support path (Slack mention → P1 ticket → page) on a virtual clock, through the outbox and its
 * sender, against local receivers on 127.0.0.1 standing in for Jira's REST API and PagerDuty's Events API v2.
 */
import { readFileSync } from "node:fs";
import { eq } from "drizzle-orm";
import { parseDocument } from "yaml";
import { afterEach, describe, expect, it } from "vitest";
import { notificationOutbox } from "@/db/schema";
import type { Actor } from "@/server/actor";
import { setConfig } from "@/server/config";
import { DEMO_CONFIG_PATH, parseConfig } from "@/server/config/load";
import { approveGate } from "@/server/services/approvals";
import { clearDemoFaults, injectDemoFault } from "@/server/services/demo-faults";
import { acknowledgeIncident, listIncidents, resolveIncident } from "@/server/services/incidents";
import { startRollout } from "@/server/services/rollouts";
import {
  addUser,
  approveWaitingGates,
  createHarness,
  demoConfig,
  DIGEST_A,
  DIGEST_B,
  eventsOf,
  phases,
  runUntil,
  type Harness,
} from "@/server/engine/runner/test-fixtures";
import { exampleIncidentView } from "@/server/providers/notify-example";
import { buildTeamsMessage } from "@/server/providers/notify-teams/card";
import { deliverDueNotifications } from "./sender";
import { startReceiver } from "./test-receiver";

const MIN = 60_000;
const ENV = {
  JIRA_EMAIL: "bot@acme.test",
  JIRA_API_TOKEN: "jira-secret-token-0123",
  PAGERDUTY_ROUTING_KEY: "pd-routing-key-R0123456789",
  SLACK_WEBHOOK_URL: "http://127.0.0.1:9/hook/unused",
};
const SECRETS = [ENV.JIRA_API_TOKEN, ENV.PAGERDUTY_ROUTING_KEY];

type Receiver = Awaited<ReturnType<typeof startReceiver>>;
let h: Harness | undefined;
const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  h?.cleanup();
  h = undefined;
  setConfig({ config: demoConfig(), file: DEMO_CONFIG_PATH });
});

type Script = Parameters<typeof startReceiver>[0];
async function setUp(jiraScript: Script = [], pdScript: Script = []) {
  const jira = await startReceiver(jiraScript, { status: 201, body: '{"id":"10001","key":"OPS-42","self":"x"}' });
  const pd = await startReceiver(pdScript, { status: 202, body: '{"status":"success","message":"Event processed","dedup_key":"x"}' });
  receivers.push(jira, pd);
  const raw = parseDocument(readFileSync(DEMO_CONFIG_PATH, "utf8")).toJS() as Record<string, unknown>;
  raw.notifications = { channels: [{ id: "incidents", kind: "slack", purpose: "incidents", webhookUrlEnv: "SLACK_WEBHOOK_URL" }] };
  raw.escalation = {
    oncall: { slackUserGroupId: "S0ONCALL1", handle: "oncall-sre" },
    ticketAfterMinutes: 15,
    pageAfterMinutes: 30,
    jira: { baseUrl: new URL(jira.url).origin, projectKey: "OPS", emailEnv: "JIRA_EMAIL", apiTokenEnv: "JIRA_API_TOKEN" },
    pagerduty: { routingKeyEnv: "PAGERDUTY_ROUTING_KEY", eventsUrl: new URL(pd.url).origin },
  };
  const { config, problems } = parseConfig(JSON.stringify(raw), {}, { requireEnv: false });
  if (!config) throw new Error(problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
  setConfig({ config, file: DEMO_CONFIG_PATH });
  h = createHarness({ config });
  const sre = addUser(h.db, "sam", "Sam", ["sre"]);
  const deployer = addUser(h.db, "dana", "Dana", ["deployer"]);
  const reviewer = addUser(h.db, "rafael", "Rafael", ["reviewer"]);
  return { jira, pd, sre, deployer, reviewers: [reviewer, sre] };
}

/** Roll a version out to EU West alone; `fault`: 1.2 % errors at its 25 % stage, so it rolls back. */
async function rollOut(harness: Harness, who: { deployer: Actor; reviewers: Actor[] }, version: string, digest: string, fault: boolean) {
  const ops = addUser(harness.db, `ops-${version}`, "Ops", ["admin"]);
  if (fault) await injectDemoFault(harness.as(ops), { regionId: "eu-west", stagePercent: 25, errorRatePct: 1.2 });
  else await clearDemoFaults(harness.as(ops), { regionId: "eu-west" });
  const started = await startRollout(harness.as(who.deployer), {
    serviceId: "api",
    artifact: { version, digest, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
    strategy: "parallel",
    regions: ["eu-west"],
  });
  await runUntil(
    harness,
    () => ["succeeded", "rolled_back"].includes(phases(harness.db)["eu-west"]),
    () => approveWaitingGates(harness, who.reviewers, approveGate),
  );
  return started;
}

const send = (at: number) => deliverDueNotifications({ db: h!.db, config: h!.config, env: ENV, now: () => at, batchSize: 100, timeoutMs: 2_000 });
const posts = (r: Receiver) => r.received;
const rolledBackAt = () => eventsOf(h!.db, { type: "region.rolled_back" })[0].at;
const outboxRows = () => h!.db.raw.select().from(notificationOutbox).all();

describe("an incident nobody acknowledges", () => {
  it("mentions the on-call on the card, opens a P1 Jira ticket after 15 minutes and pages after 30, each once", async () => {
    const { jira, pd, ...who } = await setUp();
    const { rolloutId, correlationId } = await rollOut(h!, who, "1.4.2", DIGEST_A, true);
    const t0 = rolledBackAt();
    const { incidents } = await listIncidents(h!.as(who.sre), { rolloutId });
    expect(incidents).toEqual([expect.objectContaining({ regionId: "eu-west", state: "open" })]);
    const incidentId = incidents[0].incidentId;

    // The incident card (Slack) mentions the user group and carries Acknowledge.
    const card = outboxRows().find((r) => r.channelId === "incidents" && r.kind === "incident")!;
    const slack = card.payload as { text: string; blocks: Array<{ type: string; text?: { text: string } }> };
    expect(slack.text.startsWith("<!subteam^S0ONCALL1|@oncall-sre> ")).toBe(true);
    expect(slack.blocks[1].text?.text).toMatch(/^<!subteam\^S0ONCALL1\|@oncall-sre> please acknowledge this incident/);

    await send(t0 + 14 * MIN);
    expect(posts(jira)).toHaveLength(0);
    await send(t0 + 15 * MIN);
    expect(posts(jira)).toHaveLength(1);
    const ticket = posts(jira)[0];
    expect(ticket.path).toBe("/rest/api/2/issue");
    expect(ticket.headers.authorization).toBe(`Basic ${Buffer.from(`${ENV.JIRA_EMAIL}:${ENV.JIRA_API_TOKEN}`).toString("base64")}`);
    expect(ticket.headers["content-type"]).toBe("application/json");
    expect(ticket.headers["x-correlation-id"]).toBe(correlationId);
    const fields = (ticket.body as { fields: Record<string, unknown> }).fields;
    expect(fields).toMatchObject({ project: { key: "OPS" }, issuetype: { name: "Bug" }, priority: { name: "P1" }, labels: ["flightdeck", incidentId] });
    expect(fields.summary).toMatch(/EU West • API 1\.4\.2 • Error rate 1\.2% > 0\.8% threshold/);
    expect(fields.description).toContain("Cause: Error rate 1.2% > 0.8% threshold");
    expect(fields.description).toContain(`Rollout: http://localhost:3000/rollouts/${rolloutId}`);
    expect(fields.description).toContain(`Correlation ID: ${correlationId}`);
    expect(fields.description).toContain(`flightdeck ack ${rolloutId} --region eu-west`);
    expect(eventsOf(h!.db, { type: "escalation.ticket_opened" }).map((e) => e.data)).toEqual([
      { incidentId, ticketKey: "OPS-42", ticketUrl: `${new URL(jira.url).origin}/browse/OPS-42` },
    ]);

    await send(t0 + 29 * MIN);
    expect(posts(pd)).toHaveLength(0);
    await send(t0 + 30 * MIN);
    expect(posts(pd)).toHaveLength(1);
    expect(posts(pd)[0].path).toBe("/v2/enqueue");
    expect(posts(pd)[0].body).toMatchObject({
      routing_key: ENV.PAGERDUTY_ROUTING_KEY,
      event_action: "trigger",
      dedup_key: incidentId,
      payload: { severity: "critical", source: "flightdeck/api/eu-west", component: "api", group: "eu-west", summary: expect.stringContaining("Error rate") },
      links: expect.arrayContaining([{ text: "Rollout", href: `http://localhost:3000/rollouts/${rolloutId}` }]),
    });
    expect(eventsOf(h!.db, { type: "escalation.paged" }).map((e) => e.data)).toEqual([{ incidentId, dedupKey: incidentId }]);

    await send(t0 + 120 * MIN);
    expect([posts(jira).length, posts(pd).length]).toEqual([1, 1]);
    // Secrets go in headers and bodies to Jira and PagerDuty only: never in events, cards or the outbox's errors.
    const stored = JSON.stringify([
      h!.db.raw
        .select()
        .from(notificationOutbox)
        .all()
        .map((r) => [r.payload, r.lastError]),
      eventsOf(h!.db),
    ]);
    for (const secret of SECRETS) expect(stored).not.toContain(secret);
  });
});

describe("the mention on a Teams incident card", () => {
  it("is the handle in words under the title", () => {
    const view = { ...exampleIncidentView("https://deploy.example.com"), oncall: { slackUserGroupId: "S0ONCALL1", handle: "oncall-sre" } };
    const body = buildTeamsMessage(view).attachments[0].content.body;
    expect(body[1]).toMatchObject({ type: "TextBlock", color: "Attention" });
    expect((body[1] as { text: string }).text).toMatch(
      /^@oncall-sre: please acknowledge this incident \(Acknowledge on the card or the rollout page, or flightdeck ack /,
    );
  });
});

describe("acknowledging", () => {
  it("stops the chain: no ticket, no page; a deployer is refused and nothing is written; a second acknowledgement is refused", async () => {
    const { jira, pd, ...who } = await setUp();
    const { rolloutId } = await rollOut(h!, who, "1.4.2", DIGEST_A, true);
    const t0 = rolledBackAt();
    h!.clock.setTime(t0 + 5 * MIN);

    await expect(acknowledgeIncident(h!.as(who.deployer), { rolloutId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(eventsOf(h!.db, { type: "incident.acknowledged" })).toHaveLength(0);

    const done = await acknowledgeIncident(h!.as(who.sre), { rolloutId });
    expect(done.message).toBe("Sam acknowledged the incident in eu-west: no ticket or page follows.");
    await expect(acknowledgeIncident(h!.as(who.sre), { rolloutId })).rejects.toThrow(
      /Nothing to acknowledge in rollout .*: eu-west is acknowledged \(Sam acknowledged/,
    );
    expect(eventsOf(h!.db, { type: "incident.acknowledged" })).toHaveLength(1);

    await send(t0 + 60 * MIN);
    expect([posts(jira).length, posts(pd).length]).toEqual([0, 0]);
    const steps = outboxRows().filter((r) => r.channelId.startsWith("escalation-"));
    expect(steps.map((r) => [r.channelId, r.status, (r.payload as { skipped?: string }).skipped])).toEqual([
      ["escalation-ticket", "sent", "not needed: Sam acknowledged the incident in eu-west: no ticket or page follows."],
      ["escalation-page", "sent", "not needed: Sam acknowledged the incident in eu-west: no ticket or page follows."],
    ]);
    expect(eventsOf(h!.db, { type: "escalation.paged" })).toHaveLength(0);
  });

  it("a rollout without a rollback has no incident to acknowledge", async () => {
    const who = await setUp();
    const { rolloutId } = await rollOut(h!, who, "1.4.2", DIGEST_A, false);
    await expect(acknowledgeIncident(h!.as(who.sre), { rolloutId })).rejects.toThrow(/has no incident to acknowledge/);
    expect(eventsOf(h!.db, { type: "incident.acknowledged" })).toHaveLength(0);
  });
});

describe("resolving", () => {
  it("a person's resolution after the page sends PagerDuty a resolve with the same dedup_key", async () => {
    const { pd, ...who } = await setUp();
    const { rolloutId } = await rollOut(h!, who, "1.4.2", DIGEST_A, true);
    const t0 = rolledBackAt();
    await send(t0 + 30 * MIN);
    const incidentId = (posts(pd)[0].body as { dedup_key: string }).dedup_key;
    h!.clock.setTime(t0 + 40 * MIN);
    await resolveIncident(h!.as(who.sre), { rolloutId, reason: "bad config flag, reverted" });
    await send(t0 + 40 * MIN);
    expect(posts(pd).map((p) => p.body)).toEqual([
      expect.objectContaining({ event_action: "trigger", dedup_key: incidentId }),
      { routing_key: ENV.PAGERDUTY_ROUTING_KEY, event_action: "resolve", dedup_key: incidentId },
    ]);
    expect(eventsOf(h!.db, { type: "escalation.page_resolved" })).toHaveLength(1);
  });

  it("recovery (the next release live in the region) resolves the page it sent", async () => {
    const { pd, ...who } = await setUp();
    await rollOut(h!, who, "1.4.2", DIGEST_A, true);
    const t0 = rolledBackAt();
    await send(t0 + 30 * MIN);
    expect(posts(pd)).toHaveLength(1);
    h!.clock.setTime(t0 + 31 * MIN);
    await rollOut(h!, who, "1.4.3", DIGEST_B, false);
    await send(h!.clock.now());
    expect(posts(pd).map((p) => (p.body as { event_action: string }).event_action)).toEqual(["trigger", "resolve"]);
    expect(eventsOf(h!.db, { type: "escalation.page_resolved" })[0].message).toMatch(/recovered: rollout .* succeeded in eu-west/);
  });
});

describe("exactly once across a restart of the sender", () => {
  it("a ticket whose POST may have arrived (no answer in time) is found by its label, not opened twice", async () => {
    const { jira, ...who } = await setUp([
      { status: 201, body: '{"key":"OPS-7"}', delayMs: 1_500 },
      { status: 200, body: '{"issues":[{"key":"OPS-7"}]}' },
    ]);
    await rollOut(h!, who, "1.4.2", DIGEST_A, true);
    const t0 = rolledBackAt();
    const first = await deliverDueNotifications({ db: h!.db, config: h!.config, env: ENV, now: () => t0 + 15 * MIN, batchSize: 100, timeoutMs: 300 });
    expect(first.find((r) => r.channelId === "escalation-ticket")?.outcome).toBe("retry");
    // A new sender (as after a restart) picks the row up when its retry is due.
    await send(t0 + 20 * MIN);
    expect(posts(jira).map((p) => p.path.split("?")[0])).toEqual(["/rest/api/2/issue", "/rest/api/2/search"]);
    expect(new URL(posts(jira)[1].path, "http://x").searchParams.get("jql")).toMatch(/^labels = "flightdeck-incident-\d+"/);
    expect(eventsOf(h!.db, { type: "escalation.ticket_opened" }).map((e) => e.data)).toEqual([
      expect.objectContaining({ ticketKey: "OPS-7", foundExisting: true }),
    ]);
    await send(t0 + 60 * MIN);
    expect(posts(jira).filter((p) => p.path === "/rest/api/2/issue")).toHaveLength(1);
  });

  it("a sender killed after the Jira POST left (the row left sending) is followed by one that finds the ticket and opens none", async () => {
    const { jira, ...who } = await setUp([{ status: 200, body: '{"issues":[{"key":"OPS-9"}]}' }]);
    await rollOut(h!, who, "1.4.2", DIGEST_A, true);
    const t0 = rolledBackAt();
    // As a kill -9 between the POST and its record leaves the row: claimed (lease until +1 min), its POST started.
    const row = outboxRows().find((r) => r.channelId === "escalation-ticket")!;
    h!.db.raw
      .update(notificationOutbox)
      .set({ status: "sending", attempts: 1, nextAttemptAt: t0 + 16 * MIN, postStartedAt: t0 + 15 * MIN })
      .where(eq(notificationOutbox.id, row.id))
      .run();
    await send(t0 + 15.5 * MIN);
    expect(posts(jira)).toHaveLength(0);
    await send(t0 + 16 * MIN);
    expect(posts(jira).map((p) => p.path.split("?")[0])).toEqual(["/rest/api/2/search"]);
    expect(eventsOf(h!.db, { type: "escalation.ticket_opened" }).map((e) => e.data)).toEqual([
      expect.objectContaining({ ticketKey: "OPS-9", foundExisting: true }),
    ]);
  });

  it("a page that failed once is retried with the same dedup_key and recorded once", async () => {
    const { pd, ...who } = await setUp([], [{ status: 503, body: "busy" }]);
    await rollOut(h!, who, "1.4.2", DIGEST_A, true);
    const t0 = rolledBackAt();
    const down = await send(t0 + 30 * MIN);
    expect(down.find((r) => r.channelId === "escalation-page")?.outcome).toBe("retry");
    expect(eventsOf(h!.db, { type: "escalation.paged" })).toHaveLength(0);
    // A new sender (as after a restart) retries when due: the same dedup_key, so PagerDuty pages once.
    await send(t0 + 31 * MIN);
    await send(t0 + 90 * MIN);
    const keys = posts(pd).map((p) => (p.body as { dedup_key: string }).dedup_key);
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(1);
    expect(eventsOf(h!.db, { type: "escalation.paged" })).toHaveLength(1);
  });
});

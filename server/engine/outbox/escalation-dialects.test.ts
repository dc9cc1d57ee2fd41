/**
 * The spec's support path on both dialects (docs/notifications.md#escalation): the store queries the escalation
 * relies on, driven through the real enqueue, sender and incident verbs. What an on-call would check: the ticket
 * is due at ticketAfterMinutes and the page at pageAfterMinutes, each written once however often the enqueue
 * runs; an acknowledged incident is neither ticketed nor paged; a resolution or a recovery resolves the page with
 * the incident id as its dedup key, once. (escalation.test.ts runs the same path through the runner on SQLite.)
 */
import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "@/db/client";
import { DIALECTS, freshStore, NOW, rawSql, seedRollout, type AnyStore } from "@/db/store/test-stores";
import type { Actor } from "@/server/actor";
import { DEMO_CONFIG_PATH, parseConfig } from "@/server/config/load";
import type { FleetConfig } from "@/server/config/schema";
import { fixedClock } from "@/server/engine/clock";
import { eventValues } from "@/server/engine/machine/events";
import { acknowledgeIncident, listIncidents, resolveIncident } from "@/server/services/incidents";
import { eventConsumers } from "./consumers";
import { ESCALATION_CHANNELS, type EscalationJob, type ResolveJob } from "./escalation-enqueue";
import { incidentIdOf, incidentState, incidentsOfRollout } from "./incidents";
import { deliverDueNotifications } from "./sender";

const MIN = 60_000;
const T0 = NOW + 10 * MIN;
const ENV = { JIRA_API_TOKEN: "jira-secret-token-0123", PAGERDUTY_ROUTING_KEY: "pd-routing-key-R0123456789" };
const SAM: Actor = { kind: "user", id: "sam", name: "Sam", roles: ["sre"] };
const DANA: Actor = { kind: "user", id: "dana", name: "Dana", roles: ["deployer"] };

function escalationConfig(): FleetConfig {
  const raw = parseDocument(readFileSync(DEMO_CONFIG_PATH, "utf8")).toJS() as Record<string, unknown>;
  raw.notifications = { channels: [] };
  raw.escalation = {
    oncall: { slackUserGroupId: "S0ONCALL1", handle: "oncall-sre" },
    ticketAfterMinutes: 15,
    pageAfterMinutes: 30,
    jira: { baseUrl: "https://jira.example.test", projectKey: "OPS", apiTokenEnv: "JIRA_API_TOKEN" },
    pagerduty: { routingKeyEnv: "PAGERDUTY_ROUTING_KEY", eventsUrl: "https://events.pagerduty.example.test" },
  };
  const { config, problems } = parseConfig(JSON.stringify(raw), {}, { requireEnv: false });
  if (!config) throw new Error(problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
  return config;
}

type Request = { url: string; body: Record<string, unknown> };

describe.each(DIALECTS)("escalation of an incident on $dialect", ({ open }) => {
  const config = escalationConfig();
  const consumers = eventConsumers(config);
  let db: AnyStore;
  let requests: Request[];
  /** Jira and PagerDuty as far as the sender sees them: every request recorded, each answered with success. */
  const fetchImpl: typeof fetch = async (url, init) => {
    requests.push({ url: String(url), body: JSON.parse(String(init?.body ?? "{}")) as Record<string, unknown> });
    return String(url).includes("jira")
      ? new Response('{"id":"10001","key":"OPS-42"}', { status: 201 })
      : new Response('{"status":"success"}', { status: 202 });
  };
  const send = (at: number) => deliverDueNotifications({ db, config, env: ENV, now: () => at, fetchImpl, batchSize: 100, timeoutMs: 2_000 });
  const as = (actor: Actor, at: number) => ({ db: db as Store, config, actor, clock: fixedClock(at) });

  beforeEach(async () => {
    db = await freshStore(open);
    await seedRollout(db);
    for (const [id, name] of [
      ["sam", "Sam"],
      ["dana", "Dana"],
    ])
      await db.users.insert({ id, email: `${id}@example.com`, name, createdAt: NOW });
    requests = [];
  });
  afterEach(async () => {
    await db.close();
  });

  /** Writes an event and its outbox rows in one transaction, as the engine's store does; returns the event as written. */
  async function write(draft: Parameters<typeof eventValues>[0]) {
    return db.transaction(async (tx) => {
      const written = await tx.events.insertAll([eventValues(draft)]);
      await consumers.enqueue(tx, written);
      return written[0];
    });
  }
  /** The enqueue run again for an event already written (a retried transaction, a second runner): it must add nothing. */
  const enqueueAgain = (event: Awaited<ReturnType<typeof write>>) => db.transaction((tx) => consumers.enqueue(tx, [event]));

  /** EU West of ro_1 rolled back for a breach at T0: the incident. */
  const rollBack = () =>
    write({
      at: T0,
      type: "region.rolled_back",
      actor: "engine",
      message: "EU West rolled back: error rate 1.2 % > 0.8 %.",
      serviceId: "api",
      rolloutId: "ro_1",
      regionId: "eu-west",
      correlationId: "c_ro_1",
      data: { stageIndex: 1, percent: 25, cause: [] },
    });

  const escalationRows = async () =>
    (await db.outbox.listForRollout("ro_1")).map((r) => r.row).filter((r) => Object.values<string>(ESCALATION_CHANNELS).includes(r.channelId));
  const dueSteps = async (at: number) =>
    (await db.outbox.due(at, 100)).filter((r) => Object.values<string>(ESCALATION_CHANNELS).includes(r.channelId)).map((r) => r.channelId);
  const eventsOfType = (type: string) => db.events.listForRolloutsOfType(["ro_1"], type);

  it("a breach rollback opens an incident whose ticket is due at 15 minutes and page at 30, each written once however often the enqueue runs", async () => {
    const rolledBack = await rollBack();
    await enqueueAgain(rolledBack);
    await enqueueAgain(rolledBack);

    const incidentId = incidentIdOf(rolledBack.id);
    const rows = await escalationRows();
    expect(rows.map((r) => [r.channelId, r.status, r.nextAttemptAt]).sort()).toEqual([
      [ESCALATION_CHANNELS.page, "pending", T0 + 30 * MIN],
      [ESCALATION_CHANNELS.ticket, "pending", T0 + 15 * MIN],
    ]);
    for (const row of rows) {
      const job = row.payload as EscalationJob;
      expect(job.incident).toEqual({ incidentId, rolloutId: "ro_1", regionId: "eu-west", serviceId: "api", openedAt: T0 });
      expect(job.facts).toMatchObject({ incidentId, correlationId: "c_ro_1", rolloutId: "ro_1", regionId: "eu-west", serviceId: "api" });
    }

    expect(await incidentsOfRollout(db, "ro_1", "api")).toEqual([{ incidentId, rolloutId: "ro_1", regionId: "eu-west", serviceId: "api", openedAt: T0 }]);
    expect((await listIncidents(as(SAM, T0), { rolloutId: "ro_1" })).incidents).toEqual([
      { incidentId, rolloutId: "ro_1", regionId: "eu-west", openedAt: T0, state: "open", why: null, at: null },
    ]);
    expect(await dueSteps(T0 + 15 * MIN - 1)).toEqual([]);
    expect(await dueSteps(T0 + 15 * MIN)).toEqual([ESCALATION_CHANNELS.ticket]);
    expect(await dueSteps(T0 + 30 * MIN - 1)).toEqual([ESCALATION_CHANNELS.ticket]);
    expect(await dueSteps(T0 + 30 * MIN)).toEqual([ESCALATION_CHANNELS.ticket, ESCALATION_CHANNELS.page]);

    // Sent when due, once each: a second sender pass at the same minute finds nothing left to send.
    expect((await send(T0 + 15 * MIN - 1)).map((r) => r.channelId)).toEqual([]);
    expect((await send(T0 + 15 * MIN)).map((r) => [r.channelId, r.outcome])).toEqual([[ESCALATION_CHANNELS.ticket, "sent"]]);
    expect((await send(T0 + 30 * MIN)).map((r) => [r.channelId, r.outcome])).toEqual([[ESCALATION_CHANNELS.page, "sent"]]);
    expect(await send(T0 + 30 * MIN)).toEqual([]);
    expect(requests.map((r) => r.url)).toEqual(["https://jira.example.test/rest/api/2/issue", "https://events.pagerduty.example.test/v2/enqueue"]);
    expect(requests[1].body).toMatchObject({ event_action: "trigger", dedup_key: incidentId });
    expect((await eventsOfType("escalation.ticket_opened")).map((e) => e.data)).toEqual([
      { incidentId, ticketKey: "OPS-42", ticketUrl: "https://jira.example.test/browse/OPS-42" },
    ]);
    expect((await eventsOfType("escalation.paged")).map((e) => e.data)).toEqual([{ incidentId, dedupKey: incidentId }]);
  });

  it("an acknowledged incident is neither ticketed nor paged: both steps are settled when due without a request", async () => {
    const rolledBack = await rollBack();
    const incident = (await incidentsOfRollout(db, "ro_1", "api"))[0];

    await expect(acknowledgeIncident(as(DANA, T0 + 5 * MIN), { rolloutId: "ro_1" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await eventsOfType("incident.acknowledged")).toEqual([]);
    const done = await acknowledgeIncident(as(SAM, T0 + 5 * MIN), { rolloutId: "ro_1" });
    expect(done.message).toBe("Sam acknowledged the incident in eu-west: no ticket or page follows.");
    await expect(acknowledgeIncident(as(SAM, T0 + 6 * MIN), { rolloutId: "ro_1" })).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
    expect((await eventsOfType("incident.acknowledged")).map((e) => [e.actor, e.data])).toEqual([
      ["user:sam", { incidentId: incidentIdOf(rolledBack.id), actor: "user:sam" }],
    ]);
    expect(await incidentState(db, incident)).toEqual({ state: "acknowledged", why: done.message, at: T0 + 5 * MIN });

    expect((await send(T0 + 60 * MIN)).map((r) => [r.channelId, r.outcome])).toEqual([
      [ESCALATION_CHANNELS.ticket, "skipped"],
      [ESCALATION_CHANNELS.page, "skipped"],
    ]);
    expect(requests).toEqual([]);
    expect(await dueSteps(T0 + 120 * MIN)).toEqual([]);
    expect(await eventsOfType("escalation.ticket_opened")).toEqual([]);
    expect(await eventsOfType("escalation.paged")).toEqual([]);
  });

  it("a person's resolution after the page resolves it once, with the incident id as its dedup key", async () => {
    const rolledBack = await rollBack();
    const incidentId = incidentIdOf(rolledBack.id);
    await send(T0 + 30 * MIN);
    expect(requests).toHaveLength(2);

    const resolved = await resolveIncident(as(SAM, T0 + 40 * MIN), { rolloutId: "ro_1", reason: "bad config flag, reverted" });
    const [event] = await eventsOfType("incident.resolved");
    await enqueueAgain(event);
    const resolves = (await escalationRows()).filter((r) => r.channelId === ESCALATION_CHANNELS.resolve);
    expect(resolves.map((r) => [r.status, r.nextAttemptAt, (r.payload as ResolveJob).incident.incidentId])).toEqual([["pending", T0 + 40 * MIN, incidentId]]);
    expect(await incidentState(db, (await incidentsOfRollout(db, "ro_1", "api"))[0])).toMatchObject({ state: "resolved", why: resolved.message });

    expect((await send(T0 + 40 * MIN)).map((r) => [r.channelId, r.outcome])).toEqual([[ESCALATION_CHANNELS.resolve, "sent"]]);
    expect(requests.slice(2).map((r) => r.body)).toEqual([{ routing_key: ENV.PAGERDUTY_ROUTING_KEY, event_action: "resolve", dedup_key: incidentId }]);
    expect((await eventsOfType("escalation.page_resolved")).map((e) => e.data)).toEqual([
      { incidentId, dedupKey: incidentId, why: 'Sam resolved the incident in eu-west: "bad config flag, reverted".' },
    ]);
  });

  it("recovery (a later rollout of the service live in the region) resolves the page it sent and stops what was still due", async () => {
    const rolledBack = await rollBack();
    const incidentId = incidentIdOf(rolledBack.id);
    await send(T0 + 30 * MIN);

    await seedRollout(db, "ro_2", T0 + 31 * MIN);
    await rawSql(
      db,
      `update region_rollouts set phase = 'succeeded', started_at = ${T0 + 31 * MIN}, finished_at = ${T0 + 45 * MIN} where id = 'rr_ro_2_eu-west'`,
    );
    const succeeded = await write({
      at: T0 + 45 * MIN,
      type: "region.succeeded",
      actor: "engine",
      message: "EU West succeeded.",
      serviceId: "api",
      rolloutId: "ro_2",
      regionId: "eu-west",
      correlationId: "c_ro_2",
      data: { colour: "green" },
    });
    await enqueueAgain(succeeded);
    const resolves = (await db.outbox.listForRollout("ro_2")).map((r) => r.row).filter((r) => r.channelId === ESCALATION_CHANNELS.resolve);
    expect(resolves.map((r) => [(r.payload as ResolveJob).incident.incidentId, (r.payload as ResolveJob).why])).toEqual([
      [incidentId, "recovered: rollout ro_2 succeeded in eu-west"],
    ]);
    expect(await incidentState(db, (await incidentsOfRollout(db, "ro_1", "api"))[0])).toEqual({
      state: "resolved",
      why: "recovered: rollout ro_2 succeeded in eu-west",
      at: T0 + 45 * MIN,
    });

    await send(T0 + 45 * MIN);
    expect(requests.map((r) => r.body.event_action ?? "ticket")).toEqual(["ticket", "trigger", "resolve"]);
    expect(requests[2].body).toMatchObject({ dedup_key: incidentId });
  });
});

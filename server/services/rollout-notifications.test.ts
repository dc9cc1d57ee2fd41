import { afterEach, describe, expect, it } from "vitest";
import type { Actor } from "@/server/actor";
import { setConfig } from "@/server/config";
import { DEMO_CONFIG_PATH } from "@/server/config/load";
import type { FleetConfig } from "@/server/config/schema";
import { deliverDueNotifications, type SenderOptions } from "@/server/engine/outbox/sender";
import { notifyConfig, notifyHarness } from "@/server/engine/outbox/test-notify-fixtures";
import { rollOutToEuWest } from "@/server/engine/outbox/test-observability-fixtures";
import { addUser, createHarness, demoConfig, DIGEST_A, DIGEST_B, type Harness } from "@/server/engine/runner/test-fixtures";
import { getRolloutNotifications } from "./rollout-notifications";
import { startRollout } from "./rollouts";

let h: Harness;
afterEach(() => {
  h?.cleanup();
  setConfig({ config: demoConfig(), file: DEMO_CONFIG_PATH });
});

// Scheme-less, so Node's fetch fails with "Failed to parse URL from <the whole URL>" and the sender stores that.
const SLACK_URL = "hooks.slack.com/services/T0001/B0001/sekret-slack-path";
const TEAMS_URL = "https://teams.example.test/workflows/sekret-teams-path";
const PUSHGATEWAY_URL = "http://pushgateway.example.test:9091";
const ENV = { SLACK_WEBHOOK_URL: SLACK_URL, GLOBAL_TEAMS_WEBHOOK: TEAMS_URL, PROMETHEUS_PUSHGATEWAY_URL: PUSHGATEWAY_URL };

/** Teams takes every card; the Pushgateway refuses every push and echoes the URL it was sent to; Slack goes to real fetch. */
const fetchImpl: typeof fetch = async (input, init) => {
  const url = String(input);
  if (url.startsWith(TEAMS_URL)) return new Response("1", { status: 200 });
  if (url.startsWith(PUSHGATEWAY_URL)) return new Response(`push to ${url} refused: bad label`, { status: 400 });
  return fetch(input, init);
};

/** Cards for a Slack incidents channel and a Teams deployments channel, and Pushgateway pushes, all through the outbox. */
function cardsAndPushes(): Harness {
  const config: FleetConfig = { ...notifyConfig({ faultAt25: true }), observability: { pushgatewayUrlEnv: "PROMETHEUS_PUSHGATEWAY_URL" } };
  setConfig({ config, file: DEMO_CONFIG_PATH });
  return createHarness({ config });
}

async function deliverAll(extra: Partial<SenderOptions> = {}) {
  const options: SenderOptions = { db: h.db, config: h.config, env: ENV, now: () => h.clock.now(), fetchImpl, baseBackoffMs: 5_000, ...extra };
  while ((await deliverDueNotifications(options)).length > 0);
}

const viewer = (): Actor => addUser(h.db, "vic", "Vic", ["viewer"]);
const read = async (actor: Actor, rolloutId: string, config = h.config) => getRolloutNotifications({ ...h.as(actor), config }, { rolloutId });

describe("a rollout's notifications", () => {
  it("lists its cards newest first with channel, event and delivery state, and Pushgateway failures apart", async () => {
    h = cardsAndPushes();
    const { rolloutId } = await rollOutToEuWest(h);
    const vic = viewer();
    await deliverAll();
    const now = h.clock.now();
    const list = await read(vic, rolloutId);

    expect(list.cards.map((c) => [c.cardKind, c.channel.id, c.status])).toEqual([
      ["rollout-finished", "deployments", "sent"],
      ["incident", "incidents", "pending"],
      ["approval-needed", "deployments", "sent"],
      ["rollout-started", "deployments", "sent"],
    ]);
    const created = list.cards.map((c) => c.createdAt);
    expect(created).toEqual([...created].sort((a, b) => b - a));

    const incident = list.cards[1];
    expect(incident).toMatchObject({
      channel: { id: "incidents", name: "#incidents-deployments", kind: "slack", purpose: "incidents" },
      event: { type: "region.rolled_back", regionId: "eu-west" },
      attempts: 1,
      sentAt: null,
      nextAttemptAt: now + 5_000,
    });
    expect(incident.event.message).toContain("error rate 1.2 % > 0.8 %");
    expect(incident.lastError).toMatch(/^Failed to parse URL from /);
    expect(incident.payload).toMatchObject({ text: expect.any(String), blocks: expect.arrayContaining([expect.objectContaining({ type: "header" })]) });

    const started = list.cards[3];
    expect(started).toMatchObject({
      channel: { name: "#deployments", kind: "teams", purpose: "deployments" },
      event: { type: "rollout.started" },
      attempts: 1,
      lastError: null,
      nextAttemptAt: null,
    });
    expect(started.sentAt).toBe(now);
    expect(started.payload).toMatchObject({ type: "message", attachments: [{ content: { type: "AdaptiveCard" } }] });

    // Pushes are not cards: the refused ones are listed as observability failures, with the URL's path hidden.
    expect(list.cards.every((c) => c.channel.id === "incidents" || c.channel.id === "deployments")).toBe(true);
    expect(list.observabilityFailures.length).toBeGreaterThan(0);
    expect(list.observabilityFailures[0]).toMatchObject({ target: "pushgateway", what: "Pushgateway push of the stage metrics", attempts: 1 });
    expect(list.observabilityFailures.map((f) => f.lastError)).toContain(`HTTP 400: push to ${PUSHGATEWAY_URL}/… refused: bad label`);
    expect(list.counts).toEqual({ failed: 0, pending: 1, sent: 3, grouped: 0, observabilityFailed: list.observabilityFailures.length });
    expect(list.awaitingDelivery).toBe(true);

    const json = JSON.stringify(list);
    expect(json).not.toContain("sekret");
    expect(json).not.toContain("/metrics/job");
  });

  it("shows a card that ran out of attempts as failed, and stops asking to poll while only a later clean-up waits", async () => {
    h = cardsAndPushes();
    const { rolloutId } = await rollOutToEuWest(h);
    const vic = viewer();
    await deliverAll({ maxAttempts: 2 });
    h.clock.advance(5_000);
    await deliverAll({ maxAttempts: 2 });
    const list = await read(vic, rolloutId);

    const incident = list.cards.find((c) => c.cardKind === "incident")!;
    expect(incident).toMatchObject({ status: "failed", attempts: 2, nextAttemptAt: null });
    expect(incident.lastError).toMatch(/^Failed to parse URL from /);
    expect(incident.lastError).not.toContain("sekret");
    expect(list.counts).toMatchObject({ failed: 1, pending: 0, sent: 3 });
    // The Pushgateway clean-up is due 15 minutes after the region ended: nothing is in flight until then.
    expect(list.awaitingDelivery).toBe(false);
  });

  it("holds only this rollout's cards, and names a channel since removed from the config by its id", async () => {
    h = notifyHarness();
    const dana = addUser(h.db, "dana", "Dana", ["deployer"]);
    const vic = viewer();
    const first = await startRollout(h.as(dana), {
      serviceId: "api",
      artifact: { version: "1.4.2", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
      strategy: "parallel",
      regions: ["us-east"],
    });
    await startRollout(h.as(dana), {
      serviceId: "api",
      artifact: { version: "1.5.0", digest: DIGEST_B, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
      strategy: "parallel",
      regions: ["eu-west"],
    });

    const list = await read(vic, first.rolloutId);
    expect(list.cards).toHaveLength(1);
    expect(list.cards[0]).toMatchObject({ cardKind: "rollout-started", status: "pending", attempts: 0, lastError: null });
    expect(list.cards[0].event.message).toContain("1.4.2");
    expect(list.counts).toEqual({ failed: 0, pending: 1, sent: 0, grouped: 0, observabilityFailed: 0 });

    const withoutChannels: FleetConfig = { ...h.config, notifications: { channels: [] } };
    expect((await read(vic, first.rolloutId, withoutChannels)).cards[0].channel).toEqual({
      id: "deployments",
      name: "deployments",
      kind: null,
      purpose: "deployments",
    });
  });

  it("refuses a reader without a role and names a rollout that does not exist", async () => {
    h = notifyHarness();
    const nobody = addUser(h.db, "nobody", "Nobody", []);
    await expect(read(nobody, "r_missing")).rejects.toThrow(expect.objectContaining({ code: "FORBIDDEN" }));
    await expect(read(viewer(), "r_missing")).rejects.toThrow(expect.objectContaining({ code: "NOT_FOUND", message: "There is no rollout r_missing." }));
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILT } from "./ci-webhook.fixtures";
import { approvals, events, notificationOutbox } from "@/db/schema";
import { SLACK_ACTIONS, SLACK_ACTIONS_BLOCK_ID } from "@/lib/slack-actions";
import type { Actor } from "@/server/actor";
import { startReceiver } from "@/server/engine/outbox/test-receiver";
import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import { DEMO_CONFIG_PATH, parseConfig } from "@/server/config/load";
import { addUser, createHarness, DIGEST_A, phases, type Harness } from "@/server/engine/runner/test-fixtures";
import { buildSlackMessage } from "@/server/providers/notify-slack/blocks";
import type { CardKind } from "@/server/providers/notify-types";
import { startRollout } from "./rollouts";
import { receiveSlackAction, type SlackActionsContext } from "./slack-actions";
import { signSlackRequest } from "./slack-actions-signature";

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
let h: Harness;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let rolloutId: string;
let card: { text: string; blocks: Array<Record<string, unknown>> };

beforeEach(async () => {
  // The card is rendered when the gate opens: with a Slack app configured, it carries the buttons.
  process.env.SLACK_SIGNING_SECRET = SECRET;
  receiver = await startReceiver([]);
  h = createHarness({ config: slackConfig() });
  const ada = addUser(h.db, "ada", "Ada", ["admin"]);
  addUser(h.db, "rafael", "Rafael", ["reviewer"]);
  addUser(h.db, "vera", "Vera", ["viewer"]);
  for (const [slackUserId, userId] of [
    ["U0ADA", "ada"],
    ["U0RAFAEL", "rafael"],
    ["U0VERA", "vera"],
  ])
    await h.db.slackLinks.replaceForUser({ slackUserId, userId, linkedAt: h.clock.now() });
  rolloutId = (
    await startRollout(h.as(ada), { serviceId: "api", artifact: { version: "2.0.0", digest: DIGEST_A, ...BUILT }, strategy: "sequential", regions: "all" })
  ).rolloutId;
  await h.runner.tick();
  expect(phases(h.db)["us-east"]).toBe("awaiting_approval");
  const rows = h.db.raw.select().from(notificationOutbox).all();
  card = rows.find((r) => r.kind === "approval-needed")!.payload as typeof card;
});
afterEach(async () => {
  delete process.env.SLACK_SIGNING_SECRET;
  h?.cleanup();
  await receiver.close();
});

/** The demo fleet with one Slack deployments channel (its webhook variable is read when sending, not here). */
function slackConfig() {
  const raw = parseDocument(readFileSync(DEMO_CONFIG_PATH, "utf8")).toJS() as Record<string, unknown>;
  raw.notifications = { channels: [{ id: "deploys", kind: "slack", purpose: "deployments", webhookUrlEnv: "SLACK_WEBHOOK_URL", name: "#deploys" }] };
  const { config, problems } = parseConfig(JSON.stringify(raw), {}, { requireEnv: false });
  if (!config) throw new Error(problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
  return config;
}

const ctx = (): SlackActionsContext => ({
  db: h.db,
  config: h.config,
  clock: h.clock,
  signingSecret: SECRET,
  responseUrlAllowed: (u) => u.hostname === "127.0.0.1",
});
const nowSeconds = () => String(Math.floor(h.clock.now() / 1000));

/** A block_actions payload as Slack posts it (fields and nesting as recorded from a real app), pressing `actionId` on the card. */
function pressed(slackUserId: string, actionId: string, message = card) {
  const button = (message.blocks.find((b) => b.block_id === SLACK_ACTIONS_BLOCK_ID)!.elements as Array<Record<string, unknown>>).find(
    (e) => e.action_id === actionId,
  )!;
  const payload = {
    type: "block_actions",
    user: { id: slackUserId, username: slackUserId.toLowerCase(), name: slackUserId.toLowerCase(), team_id: "T0FLIGHT" },
    api_app_id: "A0FLIGHTDECK",
    token: "verification-token-unused",
    container: { type: "message", message_ts: "1736154000.000100", channel_id: "C0DEPLOYS", is_ephemeral: false },
    trigger_id: "8140253465.2938473.abcdef",
    team: { id: "T0FLIGHT", domain: "flightdeck-lab" },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: "C0DEPLOYS", name: "deploys" },
    message: { type: "message", subtype: "bot_message", text: message.text, ts: "1736154000.000100", bot_id: "B0HOOK", blocks: message.blocks },
    state: { values: {} },
    response_url: receiver.url.replace("/hook/secret-path", "/actions/T0FLIGHT/1234/abcd"),
    actions: [{ ...button, block_id: SLACK_ACTIONS_BLOCK_ID, type: "button", action_ts: "1736154012.345678" }],
  };
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

function signed(rawBody: string, timestamp = nowSeconds()) {
  return { timestamp, signature: signSlackRequest(SECRET, timestamp, rawBody), rawBody };
}

const counts = () => ({ approvals: h.db.raw.select().from(approvals).all().length, events: h.db.raw.select().from(events).all().length });
const replies = () => receiver.received.map((r) => r.body as Record<string, unknown>);

describe("POST /api/integrations/slack/actions", () => {
  it("puts Approve and Reject on the approval card, naming the rollout and region only", () => {
    const actions = card.blocks.find((b) => b.block_id === SLACK_ACTIONS_BLOCK_ID)!;
    expect((actions.elements as Array<{ action_id: string; value: string }>).map((e) => [e.action_id, JSON.parse(e.value)])).toEqual([
      [SLACK_ACTIONS.approve, { rolloutId, regionId: "us-east" }],
      [SLACK_ACTIONS.reject, { rolloutId, regionId: "us-east" }],
    ]);
  });

  it("records a reviewer's approval under their identity and updates the card in place with who did what", async () => {
    const before = counts();
    const started = performance.now();
    const answer = await receiveSlackAction(ctx(), signed(pressed("U0RAFAEL", SLACK_ACTIONS.approve)));
    expect(performance.now() - started, "Slack wants its answer within 3 s").toBeLessThan(3000);
    expect(answer).toEqual({ status: 200, body: "" });
    const [row] = h.db.raw.select().from(approvals).all();
    expect([row.reviewerId, row.kind, row.decision]).toEqual(["rafael", "functional", "approved"]);
    expect(counts().approvals).toBe(before.approvals + 1);

    expect(receiver.received.map((r) => r.path)).toEqual(["/actions/T0FLIGHT/1234/abcd"]);
    const [reply] = replies();
    expect(reply.replace_original).toBe(true);
    const blocks = reply.blocks as Array<{ type: string; block_id?: string; elements?: Array<{ text: string }> }>;
    const note = blocks.find((b) => b.type === "context" && b.elements?.[0].text.startsWith("Rafael"))!;
    expect(note.elements![0].text).toMatch(/^Rafael \(<@U0RAFAEL>\) approved us-east as reviewer .*Still needed: 1 SRE\. \(09:0\d UTC\)$/);
    // The SRE approval is still needed: the buttons stay for the next person.
    expect(blocks.some((b) => b.block_id === SLACK_ACTIONS_BLOCK_ID)).toBe(true);
  });

  it("refuses the starter (separation of duty) in a message only they see, and writes nothing", async () => {
    const before = counts();
    expect((await receiveSlackAction(ctx(), signed(pressed("U0ADA", SLACK_ACTIONS.approve)))).status).toBe(200);
    expect(counts()).toEqual(before);
    const [reply] = replies();
    expect(reply).toMatchObject({ response_type: "ephemeral", replace_original: false });
    expect(reply.text).toContain("You started this rollout");
  });

  it("refuses a viewer pressing Approve, ephemerally, and writes nothing", async () => {
    const before = counts();
    await receiveSlackAction(ctx(), signed(pressed("U0VERA", SLACK_ACTIONS.approve)));
    expect(counts()).toEqual(before);
    const [reply] = replies();
    expect(reply.response_type).toBe("ephemeral");
    expect(reply.text).toContain("Vera, viewer");
    expect(reply.text).toContain("needs the reviewer role");
  });

  it("tells an unlinked Slack member how to link, and does nothing", async () => {
    const before = counts();
    await receiveSlackAction(ctx(), signed(pressed("U0NOBODY", SLACK_ACTIONS.approve)));
    expect(counts()).toEqual(before);
    const [reply] = replies();
    expect(reply.response_type).toBe("ephemeral");
    expect(reply.text).toContain("U0NOBODY) is not linked to a Flightdeck user");
    expect(reply.text).toContain("Settings → Slack");
  });

  it("removes the buttons once a reviewer rejects", async () => {
    await receiveSlackAction(ctx(), signed(pressed("U0RAFAEL", SLACK_ACTIONS.reject)));
    expect(
      h.db.raw
        .select()
        .from(approvals)
        .all()
        .map((a) => a.decision),
    ).toEqual(["rejected"]);
    const blocks = replies()[0].blocks as Array<{ block_id?: string }>;
    expect(blocks.some((b) => b.block_id === SLACK_ACTIONS_BLOCK_ID)).toBe(false);
  });

  describe("the signature", () => {
    it.each([
      ["a wrong signature", () => ({ ...signed(pressed("U0RAFAEL", SLACK_ACTIONS.approve)), signature: `v0=${"0".repeat(64)}` }), "does not match"],
      ["a stale timestamp (6 minutes old)", () => signed(pressed("U0RAFAEL", SLACK_ACTIONS.approve), String(Number(nowSeconds()) - 360)), "360 s old"],
      [
        "a replayed body altered after signing",
        () => {
          const original = signed(pressed("U0VERA", SLACK_ACTIONS.approve));
          return { ...original, rawBody: pressed("U0RAFAEL", SLACK_ACTIONS.approve) };
        },
        "does not match",
      ],
      ["no signature", () => ({ ...signed(pressed("U0RAFAEL", SLACK_ACTIONS.approve)), signature: null }), "missing"],
    ])("refuses %s with 401, writing and posting nothing", async (_name, request, words) => {
      const before = counts();
      const answer = await receiveSlackAction(ctx(), request());
      expect(answer.status).toBe(401);
      expect(answer.body).toContain(words);
      expect(counts()).toEqual(before);
      expect(receiver.received).toEqual([]);
    });

    it("answers 404 when no Slack app is configured", async () => {
      const answer = await receiveSlackAction({ ...ctx(), signingSecret: undefined }, signed(pressed("U0RAFAEL", SLACK_ACTIONS.approve)));
      expect(answer.status).toBe(404);
      expect(answer.body).toContain("SLACK_SIGNING_SECRET");
    });
  });
});

describe("the buttons on cards", () => {
  const view = { correlationId: "c", service: "api", version: "2.0.0", rolloutId: "r1", regionId: "eu-west", regionName: "EU West", links: {} };
  const actionIds = (kind: CardKind, buttons: boolean) =>
    buildSlackMessage({ ...view, kind }, { buttons })
      .blocks.filter((b) => b.type === "actions")
      .flatMap((b) => (b.type === "actions" ? b.elements.map((e) => e.action_id) : []));

  it("puts Pause and Roll back on incident cards, nothing on the others, and none without a Slack app", () => {
    expect(actionIds("incident", true)).toEqual([SLACK_ACTIONS.pause, SLACK_ACTIONS.rollback]);
    expect(actionIds("analysis-inconclusive", true)).toEqual([SLACK_ACTIONS.pause, SLACK_ACTIONS.rollback]);
    expect(actionIds("rollout-started", true)).toEqual([]);
    expect(actionIds("incident", false)).toEqual([]);
    expect(actionIds("approval-needed", false)).toEqual([]);
  });
});

describe("incident card buttons", () => {
  it("pauses a region as an SRE and records who did it", async () => {
    const sam: Actor = addUser(h.db, "sam", "Sam", ["sre"]);
    await h.db.slackLinks.replaceForUser({ slackUserId: "U0SAM", userId: sam.id, linkedAt: h.clock.now() });
    const incident = {
      text: "stage holding",
      blocks: [
        {
          type: "actions",
          block_id: SLACK_ACTIONS_BLOCK_ID,
          elements: [
            {
              type: "button",
              action_id: SLACK_ACTIONS.pause,
              text: { type: "plain_text", text: "Pause" },
              value: JSON.stringify({ rolloutId, regionId: "us-east" }),
            },
          ],
        },
      ],
    };
    await receiveSlackAction(ctx(), signed(pressed("U0SAM", SLACK_ACTIONS.pause, incident)));
    const note = (replies()[0].blocks as Array<{ type: string; elements?: Array<{ text: string }> }>).find((b) => b.type === "context")!;
    expect(note.elements![0].text).toMatch(/^Sam \(<@U0SAM>\) paused us-east/);
    const paused = h.db.raw
      .select()
      .from(events)
      .all()
      .filter((e) => e.type === "region.paused");
    expect(paused.map((e) => e.actor)).toEqual(["user:sam"]);
  });
});

describe("Acknowledge on an incident card that mentions the on-call", () => {
  const incidentCard = () => ({
    text: "<!subteam^S0ONCALL1|@oncall-sre> Incident Alert",
    blocks: buildSlackMessage(
      {
        kind: "incident",
        correlationId: "c",
        service: "api",
        version: "2.0.0",
        rolloutId,
        regionId: "us-east",
        regionName: "US East",
        oncall: { slackUserGroupId: "S0ONCALL1", handle: "oncall-sre" },
        links: {},
      },
      { buttons: true },
    ).blocks as Array<Record<string, unknown>>,
  });
  // The incident as an emergency rollback of us-east records it.
  const recordIncident = () =>
    h.db.events.insertAll([
      {
        at: h.clock.now(),
        type: "region.rolled_back",
        actor: "user:ada",
        message: "us-east rolled back",
        rolloutId,
        regionId: "us-east",
        data: { actor: "user:ada", emergency: true },
      },
    ]);
  const acknowledged = () =>
    h.db.raw
      .select()
      .from(events)
      .all()
      .filter((e) => e.type === "incident.acknowledged");

  it("comes first among the card's buttons", () => {
    const ids = (incidentCard().blocks.find((b) => b.block_id === SLACK_ACTIONS_BLOCK_ID)!.elements as Array<{ action_id: string }>).map((e) => e.action_id);
    expect(ids).toEqual([SLACK_ACTIONS.acknowledge, SLACK_ACTIONS.pause, SLACK_ACTIONS.rollback]);
  });

  it("refuses a viewer in a message only they see and writes nothing; an SRE's press acknowledges under their name", async () => {
    await recordIncident();
    const sam: Actor = addUser(h.db, "sam", "Sam", ["sre"]);
    await h.db.slackLinks.replaceForUser({ slackUserId: "U0SAM", userId: sam.id, linkedAt: h.clock.now() });

    await receiveSlackAction(ctx(), signed(pressed("U0VERA", SLACK_ACTIONS.acknowledge, incidentCard())));
    expect(replies()[0]).toMatchObject({ response_type: "ephemeral", text: expect.stringContaining("Acknowledging an incident needs the sre or admin role") });
    expect(acknowledged()).toHaveLength(0);

    await receiveSlackAction(ctx(), signed(pressed("U0SAM", SLACK_ACTIONS.acknowledge, incidentCard())));
    const note = (replies()[1].blocks as Array<{ type: string; elements?: Array<{ text: string }> }>).find(
      (b) => b.type === "context" && b.elements![0].text.includes("<@U0SAM>"),
    )!;
    expect(note.elements![0].text).toMatch(/^Sam \(<@U0SAM>\) acknowledged the incident in us-east: no ticket or page follows\./);
    expect(acknowledged().map((e) => e.actor)).toEqual(["user:sam"]);
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { events } from "@/db/schema";
import { createCaller } from "@/server/api/root";
import type { Actor } from "@/server/actor";
import type { SessionUser } from "@/server/auth/session";
import { setConfig } from "@/server/config";
import { DEMO_CONFIG_PATH } from "@/server/config/load";
import { addUser, createHarness, demoConfig, type Harness } from "@/server/engine/runner/test-fixtures";

let h: Harness;
let ada: Actor;
let vic: Actor;
const SECRET = "https://hooks.slack.test/services/T000/B000/very-secret-token-42";

const session = (a: Actor): SessionUser => ({ id: a.id, email: `${a.id}@example.test`, name: a.name, roles: a.roles });
const callerAs = async (a: Actor) => createCaller({ db: h.db, user: session(a), headers: new Headers() });

function logEvent(at: number, type: string, actor: string, regionId: string | null) {
  h.db.raw
    .insert(events)
    .values({ at, type, actor, regionId, message: `${type} by ${actor}`, serviceId: "api" })
    .run();
}

beforeEach(() => {
  // Added after parsing: the loader would refuse a channel whose variable is unset, and the test unsets it.
  const config = demoConfig();
  config.notifications.channels.push({
    id: "incidents",
    kind: "slack",
    purpose: "incidents",
    webhookUrlEnv: "FD_TEST_SLACK_WEBHOOK",
    name: "#incidents-deployments",
  });
  h = createHarness({ config });
  setConfig({ config, file: DEMO_CONFIG_PATH });
  ada = addUser(h.db, "ada", "Ada", ["admin"]);
  vic = addUser(h.db, "vic", "Vic", ["viewer"]);
});
afterEach(() => {
  delete process.env.FD_TEST_SLACK_WEBHOOK;
  h.cleanup();
});

describe("audit.list", () => {
  beforeEach(() => {
    logEvent(1_000, "approval.granted", "user:rafael", "us-east");
    logEvent(2_000, "approval.rejected", "user:sam", "eu-west");
    logEvent(3_000, "region.rolled_back", "engine", "eu-west");
    logEvent(4_000, "approval.granted", "user:sam", "apac-se");
  });
  const mine = (items: { type: string; actor: string; at: number }[]) => items.filter((e) => e.at <= 4_000).map((e) => `${e.at} ${e.type} ${e.actor}`);

  it("filters by actor, region, type prefix and time range, newest first", async () => {
    const audit = (await callerAs(vic)).audit;
    expect(mine((await audit.list({ actor: "user:sam" })).items)).toEqual(["4000 approval.granted user:sam", "2000 approval.rejected user:sam"]);
    expect(mine((await audit.list({ regionId: "eu-west" })).items)).toEqual(["3000 region.rolled_back engine", "2000 approval.rejected user:sam"]);
    expect(mine((await audit.list({ type: "approval." })).items)).toEqual([
      "4000 approval.granted user:sam",
      "2000 approval.rejected user:sam",
      "1000 approval.granted user:rafael",
    ]);
    expect(mine((await audit.list({ from: 2_000, to: 3_000 })).items)).toEqual(["3000 region.rolled_back engine", "2000 approval.rejected user:sam"]);
  });

  it("pages by id without repeating or skipping an event", async () => {
    const audit = (await callerAs(vic)).audit;
    const first = await audit.list({ type: "approval.", limit: 2 });
    expect(first.nextCursor).not.toBeNull();
    const second = await audit.list({ type: "approval.", limit: 2, cursor: first.nextCursor! });
    expect(second.nextCursor).toBeNull();
    expect(mine([...first.items, ...second.items])).toEqual([
      "4000 approval.granted user:sam",
      "2000 approval.rejected user:sam",
      "1000 approval.granted user:rafael",
    ]);
  });
});

describe("settings", () => {
  it("shows which variables are set by name and never a secret's value", async () => {
    process.env.FD_TEST_SLACK_WEBHOOK = SECRET;
    const view = await (await callerAs(ada)).settings.view();
    expect(JSON.stringify(view)).not.toContain("very-secret-token-42");
    expect(view.channels).toEqual([expect.objectContaining({ id: "incidents", webhookUrlEnv: "FD_TEST_SLACK_WEBHOOK", set: true })]);
    expect(view.envVars).toContainEqual({ path: "notifications.channels[0].webhookUrlEnv", name: "FD_TEST_SLACK_WEBHOOK", set: true });
    expect(view.regions.map((r) => [r.id, r.reviewers])).toEqual([
      ["us-east", { functional: 1, sre: 1, protected: true }],
      ["eu-west", { functional: 1, sre: 1, protected: true }],
      ["apac-se", { functional: 1, sre: 1, protected: true }],
    ]);

    delete process.env.FD_TEST_SLACK_WEBHOOK;
    expect((await (await callerAs(ada)).settings.view()).channels[0].set).toBe(false);
  });

  it("sendTestCard says so when no channel of that purpose is configured", async () => {
    const sent = await (await callerAs(ada)).settings.sendTestCard({ channel: "deployments" });
    expect(sent).toMatchObject({ configured: false, results: [] });
    expect(sent.message).toContain("No notification channel for deployments is configured");
    const recorded = h.db.raw
      .select()
      .from(events)
      .all()
      .filter((e) => e.type === "notify.test_card_sent");
    expect(recorded.map((e) => [e.actor, e.message])).toEqual([["user:ada", `Ada sent a test card: ${sent.message}`]]);
  });

  it("refuses a viewer the settings and the test card with FORBIDDEN", async () => {
    const viewer = await callerAs(vic);
    await expect(viewer.settings.view()).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(viewer.settings.sendTestCard({})).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("regionPages.get", () => {
  it("shows the region's live state and its environment's reviewer rule", async () => {
    const page = await (await callerAs(vic)).regionPages.get({ regionId: "eu-west" });
    expect(page.environment).toBe("production-eu-west");
    expect(page.reviewerRule).toEqual({ match: "production-*", functional: 1, sre: 1, protected: true });
    expect(page.live.map((l) => [l.serviceId, l.liveColour, l.greenPct, l.bluePct])).toEqual([["api", "blue", 0, 100]]);
    expect(page.rollouts).toEqual([]);
  });

  it("answers NOT_FOUND for a region that is not in the config", async () => {
    await expect((await callerAs(vic)).regionPages.get({ regionId: "mars-1" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringContaining("no region mars-1"),
    });
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { slackLinks } from "@/db/schema";
import type { Actor } from "@/server/actor";
import { addUser, createHarness, type Harness } from "@/server/engine/runner/test-fixtures";
import { listAuditEvents } from "./audit-log";
import { ServiceError } from "./errors";
import { linkSlackMember, slackLinkOf, unlinkSlackMember } from "./slack-actions-link";

let h: Harness;
let ada: Actor;
let rafael: Actor;
beforeEach(() => {
  h = createHarness();
  ada = addUser(h.db, "ada", "Ada", ["admin"]);
  rafael = addUser(h.db, "rafael", "Rafael", ["reviewer"]);
});
afterEach(() => h.cleanup());

async function refusal(fn: () => unknown): Promise<ServiceError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ServiceError) return err;
    throw err;
  }
  throw new Error("expected a refusal");
}
const rows = () => h.db.raw.select().from(slackLinks).all();
/** The audit log as an sre reads it (names resolved), Slack links only (or unlinks), oldest first. */
async function slackAudit(type = "user.slack_linked") {
  const { items } = await listAuditEvents(h.as(ada), { type });
  return items.reverse().map((e) => ({ actor: e.actorName, message: e.message, data: e.data }));
}

describe("linking a Slack member id from the settings page", () => {
  it("links the signed-in user, replaces their previous link, and unlinks", async () => {
    expect(await slackLinkOf(h.as(rafael))).toEqual({ slackUserId: null });
    await linkSlackMember(h.as(rafael), { slackUserId: " U0RAFAEL " });
    await linkSlackMember(h.as(rafael), { slackUserId: "U0RAFAEL2" });
    expect(rows().map((r) => [r.slackUserId, r.userId])).toEqual([["U0RAFAEL2", "rafael"]]);
    expect(await unlinkSlackMember(h.as(rafael))).toEqual({ slackUserId: null });
    expect(rows()).toEqual([]);
  });

  it("refuses a member id linked to someone else, a malformed id and a token, writing nothing", async () => {
    await linkSlackMember(h.as(rafael), { slackUserId: "U0RAFAEL" });
    const taken = await refusal(() => linkSlackMember(h.as(ada), { slackUserId: "U0RAFAEL" }));
    expect([taken.code, taken.message]).toEqual(["CONFLICT", expect.stringContaining("linked to another Flightdeck user")]);
    expect((await refusal(() => linkSlackMember(h.as(ada), { slackUserId: "ada@example.com" }))).code).toBe("BAD_REQUEST");
    const token: Actor = { kind: "token", id: "t", name: "CI", roles: ["admin"] };
    expect((await refusal(() => linkSlackMember(h.as(token), { slackUserId: "U0TOKEN" }))).code).toBe("FORBIDDEN");
    expect(rows().map((r) => r.userId)).toEqual(["rafael"]);
  });

  it("audits a link in the audit log, naming the Slack member and the Flightdeck user; a refused link and a repeat write none", async () => {
    await linkSlackMember(h.as(rafael), { slackUserId: "U0RAFAEL" });
    await linkSlackMember(h.as(rafael), { slackUserId: "U0RAFAEL" });
    await refusal(() => linkSlackMember(h.as(ada), { slackUserId: "U0RAFAEL" }));
    await refusal(() => linkSlackMember(h.as(ada), { slackUserId: "not-a-member-id" }));
    expect(await slackAudit()).toEqual([
      {
        actor: "Rafael",
        message: "Slack member U0RAFAEL linked to Flightdeck user Rafael: the buttons on Slack cards act as them.",
        data: { userId: "rafael", slackUserId: "U0RAFAEL", previousSlackUserId: null },
      },
    ]);
    await linkSlackMember(h.as(rafael), { slackUserId: "U0RAFAEL2" });
    expect((await slackAudit())[1]).toEqual({
      actor: "Rafael",
      message: "Slack member U0RAFAEL2 linked to Flightdeck user Rafael (instead of U0RAFAEL): the buttons on Slack cards act as them.",
      data: { userId: "rafael", slackUserId: "U0RAFAEL2", previousSlackUserId: "U0RAFAEL" },
    });
  });

  it("audits an unlink with who unlinked which member; unlinking with nothing linked, or as a token, writes none", async () => {
    expect(await unlinkSlackMember(h.as(rafael))).toEqual({ slackUserId: null });
    expect(await slackAudit("user.slack_unlinked")).toEqual([]);

    await linkSlackMember(h.as(rafael), { slackUserId: "U0RAFAEL" });
    h.clock.setTime(h.clock.now() + 60_000);
    await unlinkSlackMember(h.as(rafael));
    await unlinkSlackMember(h.as(rafael));
    const token: Actor = { kind: "token", id: "t", name: "CI", roles: ["admin"] };
    expect((await refusal(() => unlinkSlackMember(h.as(token)))).code).toBe("FORBIDDEN");
    expect(rows()).toEqual([]);
    expect(await slackAudit("user.slack_unlinked")).toEqual([
      {
        actor: "Rafael",
        message: "Slack member U0RAFAEL unlinked from Flightdeck user Rafael: the buttons on Slack cards no longer act as them.",
        data: { userId: "rafael", slackUserId: "U0RAFAEL" },
      },
    ]);
    const { items } = await listAuditEvents(h.as(ada), { type: "user.slack_unlinked" });
    expect(items.map((e) => [e.actor, e.at])).toEqual([["user:rafael", h.clock.now()]]);
  });
});

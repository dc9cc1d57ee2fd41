import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { slackLinks } from "@/db/schema";
import type { Actor } from "@/server/actor";
import { addUser, createHarness, type Harness } from "@/server/engine/runner/test-fixtures";
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
});

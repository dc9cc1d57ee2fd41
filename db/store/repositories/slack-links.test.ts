/** Slack links on both dialects: one member per user and one user per member, a replacement in one transaction, gone with the user. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DIALECTS, freshStore, rawSql, type AnyStore } from "../test-stores";

describe.each(DIALECTS)("slack links on $dialect", ({ open }) => {
  let store: AnyStore;
  beforeEach(async () => {
    store = await freshStore(open);
    for (const id of ["ada", "sam"]) await store.users.insert({ id, email: `${id}@example.com`, name: id, createdAt: 0 });
  });
  afterEach(async () => {
    await store.close();
  });

  it("links a member to a user, replaces the user's link, and refuses a member already linked to someone else", async () => {
    await store.slackLinks.replaceForUser({ slackUserId: "U1", userId: "ada", linkedAt: 1 });
    await store.transaction((tx) => tx.slackLinks.replaceForUser({ slackUserId: "U2", userId: "ada", linkedAt: 2 }));
    expect(await store.slackLinks.bySlackUser("U1")).toBeNull();
    expect(await store.slackLinks.ofUser("ada")).toEqual({ slackUserId: "U2", userId: "ada", linkedAt: 2 });
    await expect(store.transaction((tx) => tx.slackLinks.replaceForUser({ slackUserId: "U2", userId: "sam", linkedAt: 3 }))).rejects.toThrow();
    expect(await store.slackLinks.bySlackUser("U2")).toMatchObject({ userId: "ada" });
    expect(await store.slackLinks.ofUser("sam")).toBeNull();
  });

  it("drops the link with its user, and removeForUser says whether there was one", async () => {
    await store.slackLinks.replaceForUser({ slackUserId: "U1", userId: "ada", linkedAt: 1 });
    await store.slackLinks.replaceForUser({ slackUserId: "U3", userId: "sam", linkedAt: 1 });
    expect(await store.slackLinks.removeForUser("sam")).toBe(1);
    expect(await store.slackLinks.removeForUser("sam")).toBe(0);
    await rawSql(store, "delete from users where id = 'ada'");
    expect(await store.slackLinks.bySlackUser("U1")).toBeNull();
  });
});

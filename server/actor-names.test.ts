import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addUser, createHarness, type Harness } from "@/server/engine/runner/test-fixtures";
import { actorName, actorRefsIn, resolveActorNames, withActorNames } from "./actor-names";
import { createToken } from "./services/api-tokens";
import { listAuditEvents } from "./services/audit-log";

let h: Harness;
beforeEach(() => {
  h = createHarness();
});
afterEach(() => h.cleanup());

describe("people by name, resolved when read", () => {
  it("names a user, a token with its creator, the CLI operator and the engine", async () => {
    await h.ready;
    const ada = addUser(h.db, "1c71dd24-aaaa", "Ada", ["admin"]);
    addUser(h.db, "33990b40-bbbb", "Sam", ["sre"]);
    const { summary } = await createToken(h.as(ada), { name: "ci-lab", scope: "deploy" });
    const names = await resolveActorNames(h.db, ["user:33990b40-bbbb", `token:${summary.id}`, "cli:root", "user:gone", "engine"]);
    expect(actorName("user:33990b40-bbbb", names)).toBe("Sam");
    expect(actorName(`token:${summary.id}`, names)).toBe("token ci-lab (created by Ada)");
    expect(actorName("cli:root", names)).toBe("root (server CLI)");
    expect(actorName("user:gone", names)).toBe("gone");
    expect(actorName("engine", names)).toBe("engine");
  });

  it("replaces every reference inside a message, leaving the punctuation after it", async () => {
    await h.ready;
    addUser(h.db, "33990b40-bbbb", "Sam", ["sre"]);
    const text = "eu-west rolled back by user:33990b40-bbbb. paused by user:33990b40-bbbb: look at logs; started by engine";
    const refs = actorRefsIn([text]);
    expect([...refs]).toEqual(["user:33990b40-bbbb"]);
    const names = await resolveActorNames(h.db, refs);
    expect(withActorNames(text, names)).toBe("eu-west rolled back by Sam. paused by Sam: look at logs; started by engine");
    expect(withActorNames(null, names)).toBeNull();
  });

  it("the audit log shows names (the reference stays in actor) and its actor filter takes a name", async () => {
    await h.ready;
    const ada = addUser(h.db, "1c71dd24-aaaa", "Ada", ["admin"]);
    await createToken(h.as(ada), { name: "ci-lab", scope: "deploy" });
    const page = await listAuditEvents(h.as(ada), { actor: "ada" });
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every((e) => e.actor === "user:1c71dd24-aaaa" && e.actorName === "Ada")).toBe(true);
    expect(page.items.some((e) => e.message.includes("1c71dd24"))).toBe(false);
    expect((await listAuditEvents(h.as(ada), { actor: "nobody by that name" })).items).toEqual([]);
    expect((await listAuditEvents(h.as(ada), { actor: "user:1c71dd24-aaaa" })).items.length).toBe(page.items.length);
  });
});

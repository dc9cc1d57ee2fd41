/**
 * Attacks on API tokens, each written as the attack: a token that acts with more than its scope or its
 * creator's current roles, a token that outlives its creator's account, a token that never expires.
 */
import { randomUUID, createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST as rollbackRoute } from "@/app/api/v1/regions/[region]/rollback/route";
import { POST as regionAction } from "@/app/api/v1/rollouts/[id]/regions/[region]/[action]/route";
import { GET as listRolloutsRoute, POST as startRolloutRoute } from "@/app/api/v1/rollouts/route";
import { apiTokens, users } from "@/db/schema";
import type { Actor } from "@/server/actor";
import { addUser } from "@/server/engine/runner/test-fixtures";
import { authenticateToken, createToken, listTokens } from "@/server/services/api-tokens";
import { rollbackRegion } from "@/server/services/region-commands";
import { BUILT, DIGEST_A, freshProcessDatabase, rowCounts, type ProcessFixture } from "@/server/services/ci-webhook.fixtures";
import { systemContext, type ServiceContext } from "@/server/services/context";
import { setUserRoles } from "@/server/services/users";
import { setUserDisabled } from "@/server/services/users-status";
import { fixedClock, realClock } from "@/server/engine/clock";

let f: ProcessFixture;
let ada: Actor;
let as: (actor: Actor, now?: number) => ServiceContext;
const DAY = 24 * 60 * 60 * 1000;

beforeEach(() => {
  f = freshProcessDatabase();
  ada = addUser(f.db, "ada", "Ada", ["admin"]);
  addUser(f.db, "grace", "Grace", ["admin"]); // a second admin, so Ada can be demoted and disabled
  as = (actor, now = Date.now()) => ({ db: f.db, config: f.config, actor, clock: fixedClock(now) });
});
afterEach(() => f.cleanup());

const params = <P>(p: P) => ({ params: Promise.resolve(p) });
function call(method: string, token: string, body?: unknown) {
  return new Request("http://localhost/api/v1/x", {
    method,
    headers: { authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}
const START = { serviceId: "api", artifact: { version: "1.4.2", digest: DIGEST_A, ...BUILT }, strategy: "sequential", regions: ["us-east"] };
const start = (token: string) => startRolloutRoute(call("POST", token, START), params({}));
const rollback = (token: string) => rollbackRoute(call("POST", token, { service: "api" }), params({ region: "us-east" }));
const grace: Actor = { kind: "user", id: "grace", name: "Grace", roles: ["admin"] };
const setRoles = (userId: string, roles: string[]) =>
  setUserRoles({ db: f.db, config: { ...f.config, demo: true }, actor: grace, clock: realClock }, { userId, roles });

describe("attack: a token does more than its scope", () => {
  it("a rollback token (the emergency workflow's) cannot start or abort a rollout, only roll back", async () => {
    const { token } = await createToken(as(ada), { name: "emergency", scope: "rollback" });
    const before = rowCounts(f.db);
    const res = await start(token);
    expect(res.status).toBe(403);
    expect((await res.json()).error).toContain("is a rollback token; this call (rollout.start) needs a deploy token");
    expect(rowCounts(f.db).rollouts).toBe(before.rollouts);
    // Allowed through: the answer is the service's own (nothing reached the region yet), not a refusal.
    expect((await rollback(token)).status).toBe(404);
  });

  it("a deploy token cannot roll a region back", async () => {
    const { token } = await createToken(as(ada), { name: "ci", scope: "deploy" });
    expect((await start(token)).status).toBe(202);
    const res = await rollback(token);
    expect(res.status).toBe(403);
    expect((await res.json()).error).toContain("needs a rollback token");
  });
});

describe("attack: a token reaches a verb without the REST layer", () => {
  it("the service itself refuses a deploy token's rollback (scope checked in the verb, not only at the edge)", async () => {
    const { token } = await createToken(as(ada), { name: "ci", scope: "deploy" });
    const { actor } = await authenticateToken(systemContext(f.db, { ...f.config, demo: true }), `Bearer ${token}`);
    await expect(rollbackRegion(as(actor), { serviceId: "api", regionId: "us-east" })).rejects.toThrow("Rolling a region back needs");
  });
});

describe("attack: a write token acts as deployer and sre whoever created it", () => {
  /** A token from before the scopes split: scope write, given an expiry by the migration. */
  function legacyWriteToken(now: number): string {
    const token = `fd_${randomUUID()}`;
    const hash = createHash("sha256").update(token).digest("hex");
    f.db.raw
      .insert(apiTokens)
      .values({
        id: "old",
        name: "old CI",
        tokenHash: hash,
        prefix: token.slice(0, 10),
        scope: "write",
        createdBy: "ada",
        createdAt: 0,
        expiresAt: now + 90 * DAY,
      })
      .run();
    return token;
  }

  it("keeps working as deploy + rollback, but only with its creator's current roles", async () => {
    const token = legacyWriteToken(Date.now());
    const started = await start(token);
    expect(started.status).toBe(202);
    const { rolloutId } = await started.json();
    expect((await rollback(token)).status).not.toBe(403);

    await setRoles("ada", ["viewer"]); // the creator lost every role that starts or steers
    const pause = await regionAction(call("POST", token, {}), params({ id: rolloutId, region: "us-east", action: "pause" }));
    expect(pause.status).toBe(403);
    expect((await pause.json()).error).toContain("whose roles (viewer) no longer allow rollout.control");
    expect((await rollback(token)).status).toBe(403);
    expect((await listRolloutsRoute(call("GET", token), params({}))).status).toBe(200);
  });

  it("a token row without an expiry (never migrated) is refused rather than living for ever", async () => {
    const token = legacyWriteToken(Date.now());
    f.db.raw.update(apiTokens).set({ expiresAt: null }).where(eq(apiTokens.id, "old")).run();
    const res = await listRolloutsRoute(call("GET", token), params({}));
    expect(res.status).toBe(401);
    expect((await res.json()).error).toContain('"old CI" expired');
  });
});

describe("attack: a token outlives its creator", () => {
  it("stops at once when its creator is disabled, and works again when they are enabled", async () => {
    const { token } = await createToken(as(ada), { name: "ci", scope: "deploy" });
    await setUserDisabled({ db: f.db, config: { ...f.config, demo: true }, actor: grace, clock: realClock }, { userId: "ada", disabled: true });
    const res = await start(token);
    expect(res.status).toBe(401);
    expect((await res.json()).error).toContain('"ci" stopped working: its creator Ada is disabled');
    expect(rowCounts(f.db).rollouts).toBe(0);

    await setUserDisabled({ db: f.db, config: { ...f.config, demo: true }, actor: grace, clock: realClock }, { userId: "ada", disabled: false });
    expect((await start(token)).status).toBe(202);
  });

  it("minted by a demo user, it stops when demo mode is off", async () => {
    const { token } = await createToken(as(ada), { name: "demo script", scope: "read" });
    expect(f.db.raw.select().from(users).where(eq(users.id, "ada")).get()!.demo).toBe(true);
    f.config.demo = false;
    const res = await listRolloutsRoute(call("GET", token), params({}));
    expect(res.status).toBe(401);
    expect((await res.json()).error).toContain("demo user and this Flightdeck is not in demo mode");
  });
});

describe("attack: a token that never expires", () => {
  it("expires after the days chosen at creation (90 by default), and says when", async () => {
    const { summary } = await createToken(as(ada), { name: "default", scope: "read" });
    expect(summary.expiresAt).toBe(summary.createdAt + 90 * DAY);

    const { token } = await createToken(as(ada, Date.now() - 3 * DAY), { name: "short", scope: "read", expiresInDays: 2 });
    const res = await listRolloutsRoute(call("GET", token), params({}));
    expect(res.status).toBe(401);
    expect((await res.json()).error).toMatch(/"short" expired on \d{4}-\d{2}-\d{2}/);
    expect((await listTokens(as(ada))).find((t) => t.name === "short")!.lastUsedAt).toBeNull();
  });

  it("refuses a lifetime outside 1 to 366 days, and the old write scope for new tokens", async () => {
    await expect(createToken(as(ada), { name: "forever", scope: "read", expiresInDays: 10_000 })).rejects.toThrow("at most 366 days");
    await expect(createToken(as(ada), { name: "old", scope: "write" as "read" })).rejects.toThrow("expected read, deploy");
  });
});

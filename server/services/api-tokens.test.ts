import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST as regionAction } from "@/app/api/v1/rollouts/[id]/regions/[region]/[action]/route";
import { GET as getRollout } from "@/app/api/v1/rollouts/[id]/route";
import { GET as listRolloutsRoute, POST as startRolloutRoute } from "@/app/api/v1/rollouts/route";
import { POST as rollbackRoute } from "@/app/api/v1/regions/[region]/rollback/route";
import { apiTokens, events } from "@/db/schema";
import type { Actor } from "@/server/actor";
import { addUser } from "@/server/engine/runner/test-fixtures";
import { createToken, listTokens, revokeToken } from "./api-tokens";
import { BUILT, DIGEST_A, rowCounts, freshProcessDatabase, type ProcessFixture } from "./ci-webhook.fixtures";
import type { ServiceContext } from "./context";
import { ServiceError } from "./errors";
import { realClock } from "@/server/engine/clock";

let f: ProcessFixture;
let ada: Actor;
let as: (actor: Actor) => ServiceContext;

beforeEach(() => {
  f = freshProcessDatabase();
  ada = addUser(f.db, "ada", "Ada", ["admin"]);
  as = (actor) => ({ db: f.db, config: f.config, actor, clock: realClock });
});
afterEach(() => f.cleanup());

function call(method: string, path: string, token: string | null, body?: unknown) {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  return new Request(`http://localhost${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}
const params = <P>(p: P) => ({ params: Promise.resolve(p) });
const START = { serviceId: "api", artifact: { version: "1.4.2", digest: DIGEST_A, ...BUILT }, strategy: "sequential", regions: ["us-east", "eu-west"] };

describe("API tokens", () => {
  it("shows a token once, stores only its hash, and records who created it", async () => {
    const { token, summary } = await createToken(as(ada), { name: "GitHub Actions", scope: "deploy" });
    expect(token).toMatch(/^fd_[A-Za-z0-9_-]{43}$/);
    const [row] = f.db.raw.select().from(apiTokens).all();
    expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(token);
    expect(summary).toMatchObject({ name: "GitHub Actions", scope: "deploy", prefix: token.slice(0, 10), createdBy: "ada", lastUsedAt: null, revokedAt: null });
    expect(summary.expiresAt! - summary.createdAt).toBe(90 * 24 * 60 * 60 * 1000);
    expect(JSON.stringify(await listTokens(as(ada)))).not.toContain(token);
    expect(
      f.db.raw
        .select()
        .from(events)
        .all()
        .find((e) => e.type === "token.created"),
    ).toMatchObject({ actor: "user:ada", message: expect.stringContaining('deploy API token "GitHub Actions"') });
  });

  it("lets only admins create, list and revoke tokens", async () => {
    const sam = addUser(f.db, "sam", "Sam", ["sre", "deployer"]);
    for (const attempt of [() => createToken(as(sam), { name: "x", scope: "read" }), () => listTokens(as(sam)), () => revokeToken(as(sam), { tokenId: "t" })]) {
      await expect(attempt()).rejects.toThrow(
        expect.objectContaining({ code: "FORBIDDEN", message: expect.stringContaining("admin") }) as unknown as ServiceError,
      );
    }
    expect(rowCounts(f.db).tokens).toBe(0);
  });

  it("answers 401 for a missing, unknown or revoked token, each saying what to do", async () => {
    const { token, summary } = await createToken(as(ada), { name: "old CI", scope: "read" });
    const missing = await listRolloutsRoute(call("GET", "/api/v1/rollouts", null), params({}));
    expect(missing.status).toBe(401);
    expect((await missing.json()).error).toContain("Authorization: Bearer");
    const unknown = await listRolloutsRoute(call("GET", "/api/v1/rollouts", "fd_nope"), params({}));
    expect(unknown.status).toBe(401);
    expect((await unknown.json()).error).toContain("FLIGHTDECK_TOKEN");
    expect((await listRolloutsRoute(call("GET", "/api/v1/rollouts", token), params({}))).status).toBe(200);

    await revokeToken(as(ada), { tokenId: summary.id });
    const revoked = await listRolloutsRoute(call("GET", "/api/v1/rollouts", token), params({}));
    expect(revoked.status).toBe(401);
    expect((await revoked.json()).error).toContain('"old CI" was revoked');
    expect(
      f.db.raw
        .select()
        .from(events)
        .all()
        .find((e) => e.type === "token.revoked"),
    ).toMatchObject({ actor: "user:ada" });
  });

  it("lets a read token read but not start or steer (403), and writes nothing for it", async () => {
    const { token } = await createToken(as(ada), { name: "dashboard script", scope: "read" });
    const before = rowCounts(f.db);
    const res = await startRolloutRoute(call("POST", "/api/v1/rollouts", token, START), params({}));
    expect(res.status).toBe(403);
    expect((await res.json()).error).toContain("needs a deploy token");
    const rollback = await rollbackRoute(call("POST", "/api/v1/regions/us-east/rollback", token, { service: "api" }), params({ region: "us-east" }));
    expect(rollback.status).toBe(403);
    expect(rowCounts(f.db)).toEqual(before);
  });
});

describe("REST API with deploy and rollback tokens", () => {
  it("starts, reads, pauses, resumes and aborts; every event names the token and its last use is recorded", async () => {
    const { token, summary } = await createToken(as(ada), { name: "GitHub Actions", scope: "deploy" });
    const started = await startRolloutRoute(call("POST", "/api/v1/rollouts", token, START), params({}));
    expect(started.status).toBe(202);
    const { rolloutId, url } = await started.json();
    expect(url).toBe(`http://localhost:3000/rollouts/${rolloutId}`);

    const pause = await regionAction(
      call("POST", "x", token, { reason: "checking a dashboard" }),
      params({ id: rolloutId, region: "us-east", action: "pause" }),
    );
    expect(pause.status).toBe(200);
    expect(await pause.json()).toMatchObject({ regionId: "us-east", paused: true });

    const status = await (await getRollout(call("GET", "x", token), params({ id: rolloutId }))).json();
    expect(status).toMatchObject({ id: rolloutId, serviceId: "api", version: "1.4.2", digest: DIGEST_A, status: "running", initiator: `token:${summary.id}` });
    expect(status.regions).toEqual([
      expect.objectContaining({
        regionId: "us-east",
        phase: "pending",
        paused: true,
        pauseReason: `paused by token:${summary.id}: checking a dashboard`,
        stagePercent: null,
        cause: null,
      }),
      expect.objectContaining({ regionId: "eu-west", phase: "pending", paused: false }),
    ]);

    expect((await regionAction(call("POST", "x", token), params({ id: rolloutId, region: "us-east", action: "resume" }))).status).toBe(200);
    expect((await regionAction(call("POST", "x", token), params({ id: rolloutId, region: "eu-west", action: "abort" }))).status).toBe(200);
    const bogus = await regionAction(call("POST", "x", token), params({ id: rolloutId, region: "us-east", action: "explode" }));
    expect(bogus.status).toBe(404);
    expect((await bogus.json()).error).toMatch(/There is no region action "explode"; use pause, resume, .*abort/);

    const byToken = f.db.raw
      .select()
      .from(events)
      .all()
      .filter((e) => e.actor === `token:${summary.id}`);
    expect(byToken.map((e) => e.type)).toEqual(expect.arrayContaining(["rollout.started", "artifact.registered"]));
    expect(byToken.length).toBeGreaterThanOrEqual(5);
    const [listed] = await listTokens(as(ada));
    expect(listed.lastUsedAt).toBeGreaterThan(0);

    const list = await (await listRolloutsRoute(call("GET", "/api/v1/rollouts?status=running&limit=5", token), params({}))).json();
    expect(list.map((r: { id: string }) => r.id)).toEqual([rolloutId]);
  });

  it("answers 404 for an unknown rollout, 400 for a bad body, 404 for a rollback where no rollout reached the region", async () => {
    const { token } = await createToken(as(ada), { name: "ops", scope: "deploy" });
    const { token: rollbackToken } = await createToken(as(ada), { name: "emergency", scope: "rollback" });
    const missing = await getRollout(call("GET", "x", token), params({ id: "nope" }));
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toContain("There is no rollout nope");
    const bad = await startRolloutRoute(
      new Request("http://localhost/api/v1/rollouts", { method: "POST", headers: { authorization: `Bearer ${token}` }, body: "{oops" }),
      params({}),
    );
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toContain("not valid JSON");
    const rollback = await rollbackRoute(call("POST", "x", rollbackToken, {}), params({ region: "us-east" }));
    expect(rollback.status).toBe(404);
    expect((await rollback.json()).error).toContain("No rollout of api has reached us-east");
  });
});

/**
 * REST `/api/v1/freeze`: an SRE's rollback token declares a stop-all (POST) and lifts it (DELETE); anyone with a
 * token reads it (GET). While it is in force, a start through REST, the CI webhook and tRPC is refused with the
 * same words, and nothing is written.
 */
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DELETE as liftRoute, GET as statusRoute, POST as declareRoute } from "@/app/api/v1/freeze/route";
import { POST as startRolloutRoute } from "@/app/api/v1/rollouts/route";
import { POST as webhookRoute } from "@/app/api/webhooks/ci/route";
import { appRouter } from "@/server/api/root";
import type { Actor } from "@/server/actor";
import type { SessionUser } from "@/server/auth/session";
import { realClock } from "@/server/engine/clock";
import { addUser } from "@/server/engine/runner/test-fixtures";
import { createToken } from "@/server/services/api-tokens";
import { COMMIT, DIGEST_A, freshProcessDatabase, goodBody, rowCounts, SECRET, signedRequest, type ProcessFixture } from "@/server/services/ci-webhook.fixtures";

let f: ProcessFixture;
let sam: Actor;
let dana: Actor;
const danaSession: SessionUser = { id: "dana", email: "dana@example.test", name: "Dana", roles: ["deployer"] };

beforeEach(() => {
  f = freshProcessDatabase();
  process.env.FLIGHTDECK_WEBHOOK_SECRET = SECRET;
  sam = addUser(f.db, "sam", "Sam", ["sre"]);
  dana = addUser(f.db, "dana", "Dana", ["deployer"]);
});
afterEach(() => f.cleanup());

/** A token created as its user (the creation check wants an admin; at use, the token acts with the user's stored roles). */
const tokenOf = async (actor: Actor, scope: "deploy" | "rollback" | "read") =>
  (await createToken({ db: f.db, config: f.config, actor: { ...actor, roles: ["admin"] }, clock: realClock }, { name: `${actor.id}-${scope}`, scope })).token;
const request = (method: string, token: string, body?: unknown) =>
  new Request("http://localhost/api/v1/freeze", { method, headers: { authorization: `Bearer ${token}` }, ...(body ? { body: JSON.stringify(body) } : {}) });
const none = { params: Promise.resolve({}) };
const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> });

describe("REST /api/v1/freeze", () => {
  it("an SRE's rollback token declares and lifts a stop-all; a read token sees it; a deployer's token is refused", async () => {
    const sre = await tokenOf(sam, "rollback");
    const declared = await json(await declareRoute(request("POST", sre, { reason: "incident INC-7" }), none));
    expect(declared).toMatchObject({
      status: 201,
      body: { kind: "stop-all", reason: "incident INC-7", declaredBy: expect.stringMatching(/^token:/), until: null },
    });

    const status = await json(await statusRoute(request("GET", await tokenOf(dana, "read")), none));
    expect(status).toMatchObject({ status: 200, body: { frozen: true, freezes: [{ kind: "stop-all", reason: "incident INC-7" }] } });

    const refused = await json(await liftRoute(request("DELETE", await tokenOf(dana, "rollback")), none));
    expect(refused.status).toBe(403);
    expect(refused.body.error).toContain("no longer allow freeze.manage");

    const lifted = await json(await liftRoute(request("DELETE", sre), none));
    expect(lifted).toMatchObject({ status: 200, body: { freezeId: declared.body.id, reason: "incident INC-7" } });
    expect(await json(await liftRoute(request("DELETE", sre), none))).toEqual({
      status: 412,
      body: { error: "No stop-all is in force; there is nothing to lift." },
    });
  });

  it("a reason is required, named as the other bad inputs are", async () => {
    const res = await json(await declareRoute(request("POST", await tokenOf(sam, "rollback"), {}), none));
    expect(res).toMatchObject({ status: 400, body: { issues: [{ path: "reason", message: expect.any(String) }] } });
  });
});

describe("a start during a stop-all, through every transport", () => {
  it("is refused with the same words by REST, the CI webhook and tRPC, and nothing is written", async () => {
    await declareRoute(request("POST", await tokenOf(sam, "rollback"), { reason: "incident INC-7" }), none);
    const deployToken = await tokenOf(dana, "deploy");
    const before = rowCounts(f.db);
    const words =
      /^Rollouts are frozen in us-east by the stop-all declared by token \S+-rollback \(created by \w+\) at .* UTC \(incident INC-7\) until someone lifts it\. An SRE may start it anyway with a break-glass reason\.$/;
    const input = {
      serviceId: "api",
      artifact: { version: "1.4.2", digest: DIGEST_A, url: "https://artifacts.example.com/api/1.4.2.tar.gz", sourceRef: "refs/heads/main", commitSha: COMMIT },
      strategy: "sequential",
      regions: ["us-east"],
    };

    const rest = await json(
      await startRolloutRoute(
        new Request("http://localhost/api/v1/rollouts", { method: "POST", headers: { authorization: `Bearer ${deployToken}` }, body: JSON.stringify(input) }),
        none,
      ),
    );
    expect(rest.status).toBe(412);
    expect(rest.body.error).toMatch(words);

    const hook = await json(await webhookRoute(signedRequest(goodBody({ regions: ["us-east"] }), { source: "10.9.0.2" })));
    expect(hook.status).toBe(403);
    expect(hook.body.error).toMatch(words);

    const req = new Request("http://localhost/api/trpc/rollouts.start", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ json: input }),
    });
    const res = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req,
      router: appRouter,
      createContext: () => ({ db: f.db, user: danaSession, headers: req.headers }),
    });
    const trpc = ((await res.json()) as { error: { json: { message: string; data: { code: string } } } }).error.json;
    expect(res.status).toBe(412);
    expect(trpc.data.code).toBe("PRECONDITION_FAILED");
    expect(trpc.message).toMatch(words);

    expect(rowCounts(f.db)).toEqual(before);
  });
});

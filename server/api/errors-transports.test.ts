/**
 * One verb, three transports, one answer to bad input: starting a rollout with a bad version through tRPC, REST and
 * the CI webhook reads as the same `{ path, message }` list. An unknown error never leaks its message.
 */
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { POST as startRolloutRoute } from "@/app/api/v1/rollouts/route";
import { POST as webhookRoute } from "@/app/api/webhooks/ci/route";
import { appRouter } from "@/server/api/root";
import { restRoute } from "@/server/api/rest";
import { createTRPCRouter, publicProcedure } from "@/server/api/trpc";
import type { SessionUser } from "@/server/auth/session";
import { addUser } from "@/server/engine/runner/test-fixtures";
import { logger } from "@/server/log";
import { createToken } from "@/server/services/api-tokens";
import { COMMIT, DIGEST_A, freshProcessDatabase, goodBody, rowCounts, SECRET, signedRequest, type ProcessFixture } from "@/server/services/ci-webhook.fixtures";
import { realClock } from "@/server/engine/clock";

let f: ProcessFixture;
let deployToken: string;
const dana: SessionUser = { id: "dana", email: "dana@example.test", name: "Dana", roles: ["deployer"] };

beforeEach(async () => {
  f = freshProcessDatabase();
  process.env.FLIGHTDECK_WEBHOOK_SECRET = SECRET;
  const ada = addUser(f.db, "ada", "Ada", ["admin"]);
  addUser(f.db, "dana", "Dana", ["deployer"]);
  deployToken = (await createToken({ db: f.db, config: f.config, actor: ada, clock: realClock }, { name: "ci", scope: "deploy" })).token;
});
afterEach(() => {
  vi.restoreAllMocks();
  f.cleanup();
});

const BAD_VERSION = "1.4.2 beta!";
const artifact = { version: BAD_VERSION, digest: DIGEST_A, url: "https://artifacts.example.com/api/1.4.2.tar.gz" };

/** tRPC over HTTP, as the dashboard calls it (superjson, the error formatter), signed in as a deployer. */
async function viaTrpc(router: typeof appRouter | ReturnType<typeof createTRPCRouter>, path: string, input: unknown) {
  const req = new Request(`http://localhost/api/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ json: input }),
  });
  const res = await fetchRequestHandler({ endpoint: "/api/trpc", req, router, createContext: () => ({ db: f.db, user: dana, headers: req.headers }) });
  const body = (await res.json()) as { error: { json: { message: string; data: { code: string; httpStatus: number; issues: unknown } } } };
  return { status: res.status, error: body.error.json };
}

describe("the same bad input through every transport", () => {
  it("a bad version reads as the same { path, message } list through tRPC, REST and the webhook, and starts nothing", async () => {
    const before = rowCounts(f.db);
    const expected = [{ path: "artifact.version", message: "expected a version such as 1.4.2 (letters, digits, . _ + -; at most 128)" }];

    const trpc = await viaTrpc(appRouter, "rollouts.start", {
      serviceId: "api",
      artifact: { ...artifact, sourceRef: "refs/heads/main", commitSha: COMMIT },
      strategy: "sequential",
      regions: ["us-east"],
    });
    expect(trpc.status).toBe(400);
    expect(trpc.error.data.code).toBe("BAD_REQUEST");
    expect(trpc.error.data.issues).toEqual(expected);
    expect(trpc.error.message).toBe(`artifact.version: ${expected[0].message}`);

    const restRequest = new Request("http://localhost/api/v1/rollouts", {
      method: "POST",
      headers: { authorization: `Bearer ${deployToken}` },
      body: JSON.stringify({
        serviceId: "api",
        artifact: { ...artifact, sourceRef: "refs/heads/main", commitSha: COMMIT },
        strategy: "sequential",
        regions: ["us-east"],
      }),
    });
    const rest = await startRolloutRoute(restRequest, { params: Promise.resolve({}) });
    const restBody = (await rest.json()) as { error: string; issues: unknown };
    expect(rest.status).toBe(400);
    expect(restBody.issues).toEqual(expected);
    expect(restBody.error).toBe(`artifact.version: ${expected[0].message}`);

    const hook = await webhookRoute(signedRequest(goodBody({ artifact }), { source: "10.9.0.1" }));
    const hookBody = (await hook.json()) as { error: string; issues: unknown };
    expect(hook.status).toBe(400);
    expect(hookBody.issues).toEqual(expected);
    expect(hookBody.error).toContain(`artifact.version: ${expected[0].message}`);

    expect(rowCounts(f.db)).toEqual(before);
  });

  it("an unknown field is named the same way by tRPC and REST", async () => {
    const input = { serviceId: "api", artifactId: "nope", strategy: "sequential", regions: ["us-east"], delay_minutes: 30 };
    const trpc = await viaTrpc(appRouter, "rollouts.start", input);
    const rest = await startRolloutRoute(
      new Request("http://localhost/api/v1/rollouts", { method: "POST", headers: { authorization: `Bearer ${deployToken}` }, body: JSON.stringify(input) }),
      {
        params: Promise.resolve({}),
      },
    );
    const expected = [{ path: "input", message: 'unknown field(s) "delay_minutes"' }];
    expect(trpc.error.data.issues).toEqual(expected);
    expect(((await rest.json()) as { issues: unknown }).issues).toEqual(expected);
  });
});

describe("an unknown error never reaches the client", () => {
  const SECRET_WORDS = "connection string postgres://admin:hunter2@db";

  it("REST answers a plain 500 and logs the error", async () => {
    const logged = vi.spyOn(logger, "error").mockImplementation(() => undefined);
    const failing = restRoute("read", () => {
      throw new Error(SECRET_WORDS);
    });
    const res = await failing(new Request("http://localhost/api/v1/x", { headers: { authorization: `Bearer ${deployToken}` } }), {
      params: Promise.resolve({}),
    });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain("hunter2");
    expect(JSON.parse(text)).toEqual({ error: "Something went wrong on the server; it has been logged." });
    expect(logged).toHaveBeenCalled();
  });

  it("tRPC answers a plain internal error and logs the error", async () => {
    const logged = vi.spyOn(logger, "error").mockImplementation(() => undefined);
    const router = createTRPCRouter({
      boom: publicProcedure.mutation(() => {
        throw new Error(SECRET_WORDS);
      }),
    });
    const res = await viaTrpc(router, "boom", undefined);
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.error)).not.toContain("hunter2");
    expect(res.error.message).toBe("Something went wrong on the server; it has been logged.");
    expect(logged).toHaveBeenCalled();
  });
});

/**
 * REST `POST /api/v1/rollouts` with an `Idempotency-Key`: a CI job that retries its start (a timeout, a lost
 * answer) gets the rollout the first request started, and nothing new is written; the same key with another
 * request is refused; a bad key names the header; without a key every request starts its own rollout.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST as startRolloutRoute } from "@/app/api/v1/rollouts/route";
import { setConfig } from "@/server/config";
import { realClock } from "@/server/engine/clock";
import { addUser } from "@/server/engine/runner/test-fixtures";
import { createToken } from "@/server/services/api-tokens";
import { COMMIT, DIGEST_A, DIGEST_B, freshProcessDatabase, rowCounts, type ProcessFixture } from "@/server/services/ci-webhook.fixtures";

let f: ProcessFixture;
let token: string;

beforeEach(async () => {
  f = freshProcessDatabase();
  setConfig({ config: f.config, file: "demo-fleet.yaml" });
  const ada = addUser(f.db, "ada", "Ada", ["admin"]);
  token = (await createToken({ db: f.db, config: f.config, actor: ada, clock: realClock }, { name: "ci", scope: "deploy" })).token;
});
afterEach(() => f.cleanup());

const startOf = (digest: string, version: string) => ({
  serviceId: "api",
  artifact: { version, digest, url: `https://artifacts.example.com/api/${version}.tar.gz`, sourceRef: "refs/heads/main", commitSha: COMMIT },
  strategy: "parallel",
  regions: ["us-east"],
});

function post(body: unknown, key?: string) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...(key !== undefined ? { "idempotency-key": key } : {}) };
  return startRolloutRoute(new Request("http://localhost/api/v1/rollouts", { method: "POST", headers, body: JSON.stringify(body) }), {
    params: Promise.resolve({}),
  });
}

describe("POST /api/v1/rollouts with an Idempotency-Key", () => {
  it("a retry answers with the first rollout, replayed, and writes nothing", async () => {
    const first = await post(startOf(DIGEST_A, "1.4.2"), "gh-run-41-attempt-1");
    expect(first.status).toBe(202);
    const body = await first.json();
    expect(body).toMatchObject({ status: "running", regions: ["us-east"] });
    expect(body.replayed).toBeUndefined();
    const before = rowCounts(f.db);

    const retry = await post(startOf(DIGEST_A, "1.4.2"), "gh-run-41-attempt-1");
    expect(retry.status).toBe(202);
    expect(await retry.json()).toEqual({ ...body, replayed: true });
    expect(rowCounts(f.db)).toEqual(before);
  });

  it("the same key with another request is refused with 409 naming the first rollout, and nothing is written", async () => {
    const first = await (await post(startOf(DIGEST_A, "1.4.2"), "gh-run-42")).json();
    const before = rowCounts(f.db);
    const other = await post(startOf(DIGEST_B, "1.4.3"), "gh-run-42");
    expect(other.status).toBe(409);
    expect((await other.json()).error).toBe(
      `Idempotency key gh-run-42 was already used to start rollout ${first.rolloutId} with another request; use a new key for another request.`,
    );
    expect(rowCounts(f.db)).toEqual(before);
  });

  it("a malformed key is refused with 400 naming the header, before anything is written", async () => {
    const before = rowCounts(f.db);
    const res = await post(startOf(DIGEST_A, "1.4.2"), "has spaces");
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe("The Idempotency-Key header must be 1 to 200 visible ASCII characters (a UUID, a CI run id).");
    expect(rowCounts(f.db)).toEqual(before);
  });

  it("without a key, a second start of the same release in the same region is refused as a start (the region is busy), not replayed", async () => {
    expect((await post(startOf(DIGEST_A, "1.4.2"))).status).toBe(202);
    const second = await post(startOf(DIGEST_A, "1.4.2"));
    expect(second.status).toBe(409);
  });
});

/**
 * REST `POST /api/v1/services/:id/rollback`: the emergency rollback of every region, as CI and the CLI call it with
 * an API token: 202 with what each region does, an Idempotency-Key honoured, refusals in the one error format.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST as rollbackService } from "@/app/api/v1/services/[id]/rollback/route";
import type { Store } from "@/db/client";
import type { Actor } from "@/server/actor";
import { setConfig } from "@/server/config";
import { realClock } from "@/server/engine/clock";
import { addUser, createHarness, demoConfig, DIGEST_A, eventsOf, regionRolloutOf, runUntil, type Harness } from "@/server/engine/runner/test-fixtures";
import { createToken } from "@/server/services/api-tokens";
import { BUILT } from "@/server/services/ci-webhook.fixtures";
import { startRollout } from "@/server/services/rollouts";

const config = demoConfig((raw) => ((raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }]));

let h: Harness;
let ada: Actor;
beforeEach(() => {
  h = createHarness({ config });
  (globalThis as { flightdeckDb?: Store }).flightdeckDb = h.db;
  setConfig({ config, file: "test" });
  ada = addUser(h.db, "ada", "Ada", ["admin"]);
});
afterEach(() => {
  (globalThis as { flightdeckDb?: Store }).flightdeckDb = undefined;
  h.cleanup();
});

const tokenOf = async (scope: "deploy" | "rollback" | "read") =>
  (await createToken({ db: h.db, config, actor: ada, clock: realClock }, { name: scope, scope })).token;
function post(serviceId: string, token: string | null, headers: Record<string, string> = {}) {
  const request = new Request(`http://localhost/api/v1/services/${serviceId}/rollback`, {
    method: "POST",
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
  return rollbackService(request, { params: Promise.resolve({ id: serviceId }) });
}

/** 1.0.0 succeeded in us-east; eu-west and apac-se never saw a rollout. */
async function usEastLive() {
  const dana = addUser(h.db, "dana", "Dana", ["deployer"]);
  const started = await startRollout(
    { db: h.db, config, actor: dana, clock: h.clock },
    { serviceId: "api", artifact: { version: "1.0.0", digest: DIGEST_A, ...BUILT }, strategy: "parallel", regions: ["us-east"] },
  );
  await runUntil(h, () => regionRolloutOf(h.db, started.rolloutId, "us-east").phase === "succeeded");
  return started.rolloutId;
}

describe("POST /api/v1/services/:id/rollback", () => {
  it("answers 202 with what each region does, and a retry with the same Idempotency-Key gets the first answer, replayed", async () => {
    const rolloutId = await usEastLive();
    const token = await tokenOf("rollback");
    const first = await post("api", token, { "idempotency-key": "gh-run-7" });
    expect(first.status).toBe(202);
    const body = await first.json();
    expect(body).toMatchObject({
      serviceId: "api",
      replayed: false,
      requested: [{ regionId: "us-east", rolloutId, inCanary: false, colour: "blue", release: null, version: "1.0.0" }],
      skipped: [
        { regionId: "eu-west", reason: "No rollout of API has reached eu-west yet: there is nothing to roll back." },
        { regionId: "apac-se", reason: "No rollout of API has reached apac-se yet: there is nothing to roll back." },
      ],
    });
    expect(body.requested[0].summary).toBe("100 % of us-east back to blue, the release it served before (none recorded)");

    const retry = await post("api", token, { "idempotency-key": "gh-run-7" });
    expect(retry.status).toBe(202);
    expect(await retry.json()).toEqual({ ...body, replayed: true });
    expect(eventsOf(h.db, { type: "region.rollback_requested" })).toHaveLength(1);

    await runUntil(h, () => eventsOf(h.db, { type: "service.rolled_back" }).length === 1);
    expect(h.world.weightOf("us-east")).toEqual({ blue: 100, green: 0 });
    const again = await post("api", token);
    expect(again.status).toBe(412);
    expect(await again.json()).toEqual({
      error: expect.stringMatching(/^Nothing to roll back in any region of API: us-east: Nothing to roll back: 1\.0\.0 was already rolled back/),
    });
  });

  it("refuses, in the one error format: no token 401, a read or deploy token 403, a bad key 400 naming the header, an unknown service 404", async () => {
    expect((await post("api", null)).status).toBe(401);
    for (const scope of ["read", "deploy"] as const) {
      const refused = await post("api", await tokenOf(scope));
      expect(refused.status).toBe(403);
      expect((await refused.json()).error).toBe(`token "${scope}" is a ${scope} token; this call (region.rollback) needs a rollback token.`);
    }
    const token = await tokenOf("rollback");
    const bad = await post("api", token, { "idempotency-key": "two words" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: "The Idempotency-Key header must be 1 to 200 visible ASCII characters (a UUID, a CI run id).",
      issues: [{ path: "Idempotency-Key", message: "The Idempotency-Key header must be 1 to 200 visible ASCII characters (a UUID, a CI run id)." }],
      details: { path: "Idempotency-Key" },
    });
    const unknown = await post("web", token);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'There is no service "web" in the fleet config (known: api).' });
    expect(eventsOf(h.db, { type: "service.rollback_requested" })).toHaveLength(0);
  });
});

/**
 * The migration path's refusal, one set of words through every transport: a parallel start of a service with no
 * proven delayed runs is refused by tRPC (412), REST (412) and the CI webhook (403) saying what is missing, and
 * nothing is written.
 */
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST as startRolloutRoute } from "@/app/api/v1/rollouts/route";
import { POST as webhookRoute } from "@/app/api/webhooks/ci/route";
import { appRouter } from "@/server/api/root";
import type { SessionUser } from "@/server/auth/session";
import { setConfig } from "@/server/config";
import { realClock } from "@/server/engine/clock";
import { addUser, demoConfig } from "@/server/engine/runner/test-fixtures";
import { createToken } from "@/server/services/api-tokens";
import { COMMIT, DIGEST_A, freshProcessDatabase, goodBody, rowCounts, SECRET, signedRequest, type ProcessFixture } from "@/server/services/ci-webhook.fixtures";

const REFUSAL =
  "api: Parallel is not open yet (migration path): 0 of 5 clean delayed rollouts; no rollback drill recorded (one is needed in the last 30 days: flightdeck simulate --fault … --record, or a real rollback). Use delayed until then. An admin may start it anyway with an override reason.";

let f: ProcessFixture;
let deployToken: string;
const dana: SessionUser = { id: "dana", email: "dana@example.test", name: "Dana", roles: ["deployer"] };

beforeEach(async () => {
  f = freshProcessDatabase();
  // The demo fleet with the spec's migration path on for api (the demo file turns it off).
  setConfig({ config: demoConfig((raw) => ((raw.services as Array<Record<string, unknown>>)[0].strategyPolicy = {})), file: "demo-fleet.yaml" });
  process.env.FLIGHTDECK_WEBHOOK_SECRET = SECRET;
  const ada = addUser(f.db, "ada", "Ada", ["admin"]);
  addUser(f.db, "dana", "Dana", ["deployer"]);
  deployToken = (await createToken({ db: f.db, config: f.config, actor: ada, clock: realClock }, { name: "ci", scope: "deploy" })).token;
});
afterEach(() => f.cleanup());

const start = {
  serviceId: "api",
  artifact: { version: "1.4.2", digest: DIGEST_A, url: "https://artifacts.example.com/api/1.4.2.tar.gz", sourceRef: "refs/heads/main", commitSha: COMMIT },
  strategy: "parallel",
  regions: ["us-east"],
};

describe("a parallel start the migration path does not open yet", () => {
  it("reads the same through tRPC, REST and the CI webhook, and writes nothing", async () => {
    const before = rowCounts(f.db);

    const req = new Request("http://localhost/api/trpc/rollouts.start", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ json: start }),
    });
    const trpc = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req,
      router: appRouter,
      createContext: () => ({ db: f.db, user: dana, headers: req.headers }),
    });
    const trpcError = ((await trpc.json()) as { error: { json: { message: string; data: { code: string } } } }).error.json;
    expect([trpc.status, trpcError.data.code, trpcError.message]).toEqual([412, "PRECONDITION_FAILED", REFUSAL]);

    const rest = await startRolloutRoute(
      new Request("http://localhost/api/v1/rollouts", { method: "POST", headers: { authorization: `Bearer ${deployToken}` }, body: JSON.stringify(start) }),
      { params: Promise.resolve({}) },
    );
    expect([rest.status, ((await rest.json()) as { error: string }).error]).toEqual([412, REFUSAL]);

    const hook = await webhookRoute(signedRequest(goodBody({ strategy: "parallel" }), { source: "10.9.0.2" }));
    expect(hook.status).toBe(403);
    expect(((await hook.json()) as { error: string }).error).toContain(REFUSAL);

    expect(rowCounts(f.db)).toEqual(before);
  });
});

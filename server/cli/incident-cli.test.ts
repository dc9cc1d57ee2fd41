/**
 * `flightdeck ack` and `flightdeck resolve` against a running server (a real HTTP server on 127.0.0.1 wrapping
 * the route handlers, http-server.fixtures.ts), after a real breach rollback of EU West on the demo fleet.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "@/db/client";
import type { Actor } from "@/server/actor";
import { setConfig } from "@/server/config";
import { realClock } from "@/server/engine/clock";
import {
  addUser,
  approveWaitingGates,
  createHarness,
  demoConfig,
  DIGEST_A,
  eventsOf,
  phases,
  runUntil,
  type Harness,
} from "@/server/engine/runner/test-fixtures";
import { createToken } from "@/server/services/api-tokens";
import { approveGate } from "@/server/services/approvals";
import { injectDemoFault } from "@/server/services/demo-faults";
import { startRollout } from "@/server/services/rollouts";
import { ApiError } from "./api-client";
import { cliAgainst, startRouteServer } from "./http-server.fixtures";
import { runIncident } from "./incident";
import { ArgumentError } from "./simulate-args";

const config = demoConfig((raw) => (raw.policies = { environments: [{ match: "production-*", requiredReviewers: { functional: 0, sre: 0 } }] }));
let h: Harness;
let server: Awaited<ReturnType<typeof startRouteServer>>;
let sam: Actor;
let dana: Actor;
let rolloutId: string;

beforeEach(async () => {
  h = createHarness({ config });
  (globalThis as { flightdeckDb?: Store }).flightdeckDb = h.db;
  setConfig({ config, file: "test" });
  sam = addUser(h.db, "sam", "Sam", ["sre"]);
  dana = addUser(h.db, "dana", "Dana", ["deployer"]);
  await injectDemoFault(h.as(sam), { regionId: "eu-west", stagePercent: 25, errorRatePct: 1.2 });
  ({ rolloutId } = await startRollout(h.as(dana), {
    serviceId: "api",
    artifact: { version: "1.4.2", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
    strategy: "parallel",
    regions: ["eu-west"],
  }));
  await runUntil(
    h,
    () => phases(h.db)["eu-west"] === "rolled_back",
    () => approveWaitingGates(h, [sam], approveGate),
  );
  server = await startRouteServer();
});
afterEach(async () => {
  await server.close();
  (globalThis as { flightdeckDb?: Store }).flightdeckDb = undefined;
  h.cleanup();
});

const cli = (token: string) => cliAgainst(server.url, token);
const rollbackToken = async (actor: Actor) =>
  (await createToken({ db: h.db, config, actor: { ...actor, roles: ["admin"] }, clock: realClock }, { name: `${actor.id}-rollback`, scope: "rollback" })).token;

async function refusal(run: () => Promise<unknown>): Promise<ApiError | ArgumentError> {
  try {
    await run();
  } catch (err) {
    if (err instanceof ApiError || err instanceof ArgumentError) return err;
    throw err;
  }
  throw new Error("expected a refusal");
}

describe("flightdeck ack and resolve", () => {
  it("a deployer's token is refused and nothing is written; an sre acknowledges once; a second ack is refused with why", async () => {
    const deployer = cli(await rollbackToken(dana));
    const refused = await refusal(() => runIncident("ack", [rolloutId], deployer.io));
    expect(refused).toMatchObject({ status: 403, message: expect.stringContaining("incident.acknowledge") });
    expect(eventsOf(h.db, { type: "incident.acknowledged" })).toHaveLength(0);

    const sre = cli(await rollbackToken(sam));
    expect(await runIncident("ack", [rolloutId, "--region", "eu-west"], sre.io)).toBe(0);
    expect(sre.lines).toEqual(['token "sam-rollback" acknowledged the incident in eu-west: no ticket or page follows.']);
    const again = await refusal(() => runIncident("ack", [rolloutId], sre.io));
    expect(again).toMatchObject({ status: 412, message: expect.stringMatching(/Nothing to acknowledge in rollout .*: eu-west is acknowledged/) });
    expect(eventsOf(h.db, { type: "incident.acknowledged" })).toHaveLength(1);
  });

  it("resolve needs a reason, then resolves the incident with it", async () => {
    const sre = cli(await rollbackToken(sam));
    expect(await refusal(() => runIncident("resolve", [rolloutId], sre.io))).toBeInstanceOf(ArgumentError);
    expect(await runIncident("resolve", [rolloutId, "--reason", "bad flag, reverted"], sre.io)).toBe(0);
    expect(sre.lines).toEqual(['token "sam-rollback" resolved the incident in eu-west: "bad flag, reverted".']);
    expect(eventsOf(h.db, { type: "incident.resolved" }).map((e) => e.data)).toEqual([
      expect.objectContaining({ actor: expect.stringMatching(/^token:/), reason: "bad flag, reverted" }),
    ]);
  });
});

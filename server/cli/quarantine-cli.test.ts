/**
 * `flightdeck quarantine list|lift` and a start of a quarantined release, against a running server: a real HTTP
 * server on 127.0.0.1 wrapping the route handlers (http-server.fixtures.ts), the process database. The quarantine
 * is seeded as the engine writes it (services/quarantines.test.ts makes one through a real breach).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "@/db/client";
import { events, rollouts } from "@/db/schema";
import type { Actor } from "@/server/actor";
import { setConfig } from "@/server/config";
import { realClock } from "@/server/engine/clock";
import { addUser, createHarness, demoConfig, DIGEST_A, type Harness } from "@/server/engine/runner/test-fixtures";
import { createToken } from "@/server/services/api-tokens";
import { ApiError } from "./api-client";
import { cliAgainst, startRouteServer } from "./http-server.fixtures";
import { runQuarantine } from "./quarantine";
import { runRollout } from "./rollout";
import { ArgumentError } from "./simulate-args";

const config = demoConfig((raw) => (raw.policies = { environments: [{ match: "production-*", requiredReviewers: { functional: 0, sre: 0 } }] }));
const QID = "q-1";
let h: Harness;
let server: Awaited<ReturnType<typeof startRouteServer>>;
let sam: Actor;
let dana: Actor;

beforeEach(async () => {
  h = createHarness({ config });
  (globalThis as { flightdeckDb?: Store }).flightdeckDb = h.db;
  setConfig({ config, file: "test" });
  sam = addUser(h.db, "sam", "Sam", ["sre"]);
  dana = addUser(h.db, "dana", "Dana", ["deployer"]);
  server = await startRouteServer();
  await h.db.quarantines.insert({
    id: QID,
    serviceId: "api",
    digest: DIGEST_A,
    artifactId: "art-1",
    version: "2.0.0",
    cause: "error rate 1.2 % > 0.8 % at the 25 % stage",
    regionId: "eu-west",
    rolloutId: "r-1",
    regionRolloutId: "rr-1",
    at: Date.UTC(2026, 11, 7, 2, 0),
  });
});
afterEach(async () => {
  await server.close();
  (globalThis as { flightdeckDb?: Store }).flightdeckDb = undefined;
  h.cleanup();
});

const cli = (token: string) => cliAgainst(server.url, token);
const tokenOf = async (actor: Actor, scope: "deploy" | "rollback" | "read") =>
  (await createToken({ db: h.db, config, actor: { ...actor, roles: ["admin"] }, clock: realClock }, { name: `${actor.id}-${scope}`, scope })).token;
const startArgs = [
  "start",
  "--service",
  "api",
  "--version",
  "2.0.0",
  "--digest",
  DIGEST_A,
  "--ref",
  "refs/heads/main",
  "--strategy",
  "parallel",
  "--regions",
  "us",
];

async function refusal(run: () => Promise<unknown>): Promise<ApiError | ArgumentError> {
  try {
    await run();
  } catch (err) {
    if (err instanceof ApiError || err instanceof ArgumentError) return err;
    throw err;
  }
  throw new Error("expected a refusal");
}

describe("flightdeck quarantine", () => {
  it("list shows the release and why; a start of it is refused with the lift command; an sre lifts it and the start goes", async () => {
    const list = cli(await tokenOf(dana, "read"));
    expect(await runQuarantine(["list"], list.io)).toBe(0);
    expect(list.lines).toEqual([
      `${QID}  QUARANTINED  api 2.0.0`,
      `  api 2.0.0 (sha256:aaaaaaaaaaaa…) is quarantined: rollout r-1 rolled it back in eu-west after error rate 1.2 % > 0.8 % at the 25 % stage.`,
      `  Lift: flightdeck quarantine lift ${QID} --reason "…"`,
    ]);

    const deploy = await tokenOf(dana, "deploy");
    const eventsBefore = h.db.raw.select().from(events).all().length;
    const refused = await refusal(() => runRollout(startArgs, cli(deploy).io));
    expect(refused).toMatchObject({ status: 412, message: expect.stringContaining(`is quarantined: rollout r-1 rolled it back in eu-west`) });
    expect(refused.message).toContain(`flightdeck quarantine lift ${QID} --reason`);
    expect(h.db.raw.select().from(rollouts).all()).toHaveLength(0);
    expect(h.db.raw.select().from(events).all()).toHaveLength(eventsBefore);

    const lifted = cli(await tokenOf(sam, "rollback"));
    expect(await runQuarantine(["lift", QID, "--reason", "metrics fault, not the release"], lifted.io)).toBe(0);
    expect(lifted.lines).toEqual(['Quarantine lifted: api 2.0.0 may be started again ("metrics fault, not the release").']);

    const none = cli(await tokenOf(dana, "read"));
    await runQuarantine(["list"], none.io);
    expect(none.lines).toEqual(["No release is quarantined."]);
    const all = cli(await tokenOf(dana, "read"));
    await runQuarantine(["list", "--all", "--json"], all.io);
    expect(JSON.parse(all.lines.join("\n")).quarantines).toEqual([
      expect.objectContaining({ id: QID, active: false, liftReason: "metrics fault, not the release", liftedBy: expect.stringMatching(/^token:/) }),
    ]);
    expect(await runRollout(startArgs, cli(deploy).io)).toBe(0);
  });

  it("a deployer's token is refused by the server; a missing reason or id and an unknown command by the CLI", async () => {
    expect(await refusal(async () => runQuarantine(["lift", QID, "--reason", "drill"], cli(await tokenOf(dana, "rollback")).io))).toMatchObject({
      status: 403,
      message: expect.stringContaining("quarantine.lift"),
    });
    expect(await refusal(async () => runQuarantine(["lift", "nope", "--reason", "drill"], cli(await tokenOf(sam, "rollback")).io))).toMatchObject({
      status: 404,
      message: expect.stringContaining('There is no quarantine "nope"'),
    });
    expect(await h.db.quarantines.activeFor("api", DIGEST_A)).toMatchObject({ id: QID });
    expect(await refusal(() => runQuarantine(["lift", QID], cli("x").io))).toMatchObject({
      message: expect.stringContaining("needs the quarantine id and --reason"),
    });
    expect(await refusal(() => runQuarantine(["clear"], cli("x").io))).toMatchObject({ message: 'unknown quarantine command "clear"; use list or lift' });
  });

  it("REST: DELETE without a reason is refused with the field named", async () => {
    const res = await fetch(`${server.url}/api/v1/quarantines/${QID}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${await tokenOf(sam, "rollback")}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ issues: [expect.objectContaining({ path: "reason" })] });
  });
});

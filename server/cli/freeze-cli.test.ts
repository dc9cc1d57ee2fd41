/**
 * `flightdeck freeze now|lift|status` and `rollout start --break-glass` against a running server: a real HTTP
 * server on 127.0.0.1 wrapping the route handlers (http-server.fixtures.ts), the process database.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "@/db/client";
import { freezes, rollouts } from "@/db/schema";
import type { Actor } from "@/server/actor";
import { setConfig } from "@/server/config";
import { realClock } from "@/server/engine/clock";
import { addUser, createHarness, demoConfig, DIGEST_A, type Harness } from "@/server/engine/runner/test-fixtures";
import { createToken } from "@/server/services/api-tokens";
import { ApiError } from "./api-client";
import { runFreeze } from "./freeze";
import { cliAgainst, startRouteServer } from "./http-server.fixtures";
import { runRollout } from "./rollout";
import { ArgumentError } from "./simulate-args";

const config = demoConfig((raw) => (raw.policies = { environments: [{ match: "production-*", requiredReviewers: { functional: 0, sre: 0 } }] }));
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
});
afterEach(async () => {
  await server.close();
  (globalThis as { flightdeckDb?: Store }).flightdeckDb = undefined;
  h.cleanup();
});

const cli = (token: string) => cliAgainst(server.url, token);
/** A token of `actor` (created as an admin would; at use it acts with the actor's stored roles). */
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

describe("flightdeck freeze", () => {
  it("now, status, a refused start, a break-glass start, lift", async () => {
    const sre = await tokenOf(sam, "rollback");
    const declared = cli(sre);
    expect(await runFreeze(["now", "--reason", "incident INC-7"], declared.io)).toBe(0);
    expect(declared.lines).toEqual([
      "Stop-all declared (incident INC-7): every running rollout holds before its next step; no rollout starts.",
      "Lift it with: flightdeck freeze lift",
    ]);

    const status = cli(await tokenOf(dana, "read"));
    await runFreeze(["status"], status.io);
    expect(status.lines).toEqual([
      expect.stringMatching(/^Frozen: the stop-all declared by token sam-rollback \(created by Sam\) at .* UTC \(incident INC-7\) until someone lifts it\.$/),
    ]);

    const refused = await refusal(async () => runRollout(startArgs, cli(await tokenOf(dana, "deploy")).io));
    expect(refused).toMatchObject({
      status: 412,
      message: expect.stringMatching(/^Rollouts are frozen in us-east by the stop-all .* An SRE may start it anyway with a break-glass reason\.$/),
    });
    expect(h.db.raw.select().from(rollouts).all()).toHaveLength(0);

    const glass = cli(await tokenOf(sam, "deploy"));
    expect(await runRollout([...startArgs, "--break-glass", "hotfix for INC-7"], glass.io)).toBe(0);
    expect(h.db.raw.select().from(rollouts).all()).toEqual([expect.objectContaining({ breakGlassReason: "hotfix for INC-7" })]);

    const lifted = cli(sre);
    expect(await runFreeze(["lift"], lifted.io)).toBe(0);
    expect(lifted.lines).toEqual(["Stop-all lifted (incident INC-7); 0 held region rollout(s) go on."]);
    const after = cli(sre);
    await runFreeze(["status"], after.io);
    expect(after.lines).toEqual(["Nothing is frozen: rollouts may start."]);
  });

  it("a deployer's token is refused by the server; a missing reason and an unknown command by the CLI", async () => {
    expect(await refusal(async () => runFreeze(["now", "--reason", "drill"], cli(await tokenOf(dana, "rollback")).io))).toMatchObject({
      status: 403,
      message: expect.stringContaining("no longer allow freeze.manage"),
    });
    expect(h.db.raw.select().from(freezes).all()).toHaveLength(0);
    expect(await refusal(() => runFreeze(["now"], cli("x").io))).toMatchObject({ message: expect.stringContaining("freeze now needs --reason <text>") });
    expect(await refusal(() => runFreeze(["stop"], cli("x").io))).toMatchObject({ message: 'unknown freeze command "stop"; use now, lift or status' });
  });
});

/**
 * Every tRPC procedure of the app router under generated input (fast-check, seeded: server/fuzz/fuzz.fixtures.ts),
 * called through a caller as a signed-in admin (every permission), as the router tests do. The procedures are
 * read from the router, so a new one is fuzzed too (and must name a valid input here). Inputs are generated
 * around a valid one and around the input schema's fields: each field replaced by an odd value, removed, joined
 * by an unknown field, or the whole input replaced. Properties: never INTERNAL_SERVER_ERROR and never an error
 * that is not a TRPCError; a refusal writes nothing; a mutation that was accepted, retried, writes no second rollout,
 * and one that carries an `idempotencyKey` answers its retry the same and writes nothing.
 */
import { TRPCError } from "@trpc/server";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appRouter, createCaller } from "@/server/api/root";
import type { Actor } from "@/server/actor";
import type { SessionUser } from "@/server/auth/session";
import { setConfig } from "@/server/config";
import { addUser, createHarness, DIGEST_A, phases, runUntil, startInUsEast, type Harness } from "@/server/engine/runner/test-fixtures";
import { around, fuzz, tableCounts } from "@/server/fuzz/fuzz.fixtures";
import { createToken } from "@/server/services/api-tokens";
import { BUILT } from "@/server/services/ci-webhook.fixtures";

let h: Harness;
let rolloutId: string;
let tokenId: string;
const ada: SessionUser = { id: "ada", email: "ada@example.test", name: "Ada", roles: ["admin"] };

// The scene: the demo fleet (reviewers required), a rollout by Dana waiting at us-east's approval gate, a token.
beforeEach(async () => {
  h = createHarness();
  h.clock.setTime(Date.now());
  setConfig({ config: h.config, file: "test" });
  const admin: Actor = addUser(h.db, "ada", "Ada", ["admin"]);
  const dana = addUser(h.db, "dana", "Dana", ["deployer"]);
  addUser(h.db, "vic", "Vic", ["viewer"]);
  tokenId = (await createToken(h.as(admin), { name: "ci", scope: "deploy" })).summary.id;
  rolloutId = await startInUsEast(h, dana);
  await runUntil(h, () => phases(h.db)["us-east"] === "awaiting_approval");
});
afterEach(() => h.cleanup());

const START = { serviceId: "api", artifact: { version: "2.0.0", digest: DIGEST_A, ...BUILT }, strategy: "sequential", regions: ["eu-west"] };
const REF = () => ({ rolloutId, regionId: "us-east" });

/** A valid input of every procedure (undefined: it takes none). A procedure missing here fails the first test. */
const VALID: Record<string, () => Record<string, unknown> | undefined> = {
  "regions.overview": () => undefined,
  "regions.live": () => ({ lastEventId: "0" }),
  "rollouts.list": () => ({}),
  "rollouts.get": () => ({ id: rolloutId }),
  "rollouts.samples": () => ({ id: rolloutId }),
  "rollouts.events": () => ({ id: rolloutId }),
  "rollouts.startOptions": () => undefined,
  "rollouts.previewPlan": () => START,
  "rollouts.strategyVerdicts": () => ({ serviceId: "api" }),
  "rollouts.start": () => START,
  "rollouts.pause": () => ({ ...REF(), reason: "fuzz" }),
  "rollouts.resume": REF,
  "rollouts.promote": REF,
  "rollouts.abort": REF,
  "rollouts.retry": REF,
  "rollouts.rollback": () => ({ serviceId: "api", regionId: "us-east" }),
  "admin.users": () => undefined,
  "admin.setRoles": () => ({ userId: "vic", roles: ["deployer"] }),
  "admin.createUser": () => ({ email: "new@example.test", name: "New", password: "a long enough password 123", roles: ["viewer"] }),
  "admin.setDisabled": () => ({ userId: "vic", disabled: true }),
  "tokens.list": () => undefined,
  "tokens.create": () => ({ name: "fuzz", scope: "read" }),
  "tokens.revoke": () => ({ tokenId }),
  "approvals.pending": () => undefined,
  "approvals.waitingForMe": () => undefined,
  "approvals.approve": () => ({ ...REF(), comment: "fuzz" }),
  "approvals.reject": () => ({ ...REF(), comment: "fuzz" }),
  "approvals.approveAll": () => ({ rolloutId }),
  "regionPages.get": () => ({ regionId: "us-east" }),
  "audit.list": () => ({}),
  "settings.view": () => undefined,
  "settings.sendTestCard": () => ({ channel: "deployments" }),
  "notifications.forRollout": () => ({ rolloutId }),
  "demo.faults": () => ({ regionId: "us-east" }),
  "demo.injectFault": () => ({ regionId: "us-east", stagePercent: 25, errorRatePct: 5 }),
  "demo.clearFaults": () => ({ regionId: "us-east" }),
  "services.rollback": () => ({ serviceId: "api", idempotencyKey: "fuzz-key-1" }),
  "freeze.status": () => undefined,
  "freeze.declare": () => ({ reason: "fuzz: stop everything" }),
  "freeze.lift": () => undefined,
  "quarantine.list": () => ({ serviceId: "api", all: true }),
  "quarantine.lift": () => ({ id: "no-such-quarantine", reason: "fuzz: a metrics fault" }),
  "backtest.run": () => ({ regionId: "us-east", from: "-1h", to: "now" }),
  "incidents.list": () => ({ rolloutId }),
  "incidents.acknowledge": () => ({ rolloutId, regionId: "us-east" }),
  "incidents.resolve": () => ({ rolloutId, regionId: "us-east", reason: "fuzz: the canary recovered" }),
};

type Procedure = { _def: { type: "query" | "mutation" | "subscription"; inputs: unknown[] } };
const PROCEDURES = appRouter._def.procedures as unknown as Record<string, Procedure>;

/** The top-level fields of a procedure's input schema (zod: unwrap optional/nullable, read the object's shape). */
function schemaFields(procedure: Procedure): string[] {
  let schema = procedure._def.inputs[0] as { shape?: Record<string, unknown>; unwrap?: () => unknown } | undefined;
  for (let i = 0; schema && !schema.shape && schema.unwrap && i < 5; i++) schema = schema.unwrap() as typeof schema;
  return schema?.shape ? Object.keys(schema.shape) : [];
}

/**
 * Inputs around the valid one: every field of the schema present (with its valid value, or `"x"` for an
 * optional field the valid input leaves out), then `around` replaces, removes or adds one; or no input at all.
 */
function inputsFor(path: string): fc.Arbitrary<unknown> {
  const valid = VALID[path]();
  const fields = schemaFields(PROCEDURES[path]);
  const full = { ...Object.fromEntries(fields.map((k) => [k, "x"])), ...valid };
  const base = Object.keys(full).length > 0 ? full : { input: "x" };
  return fc.oneof({ weight: 3, arbitrary: fc.constant(valid) }, { weight: 10, arbitrary: around(base) }, fc.constant(undefined), fc.constant(null));
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: TRPCError };

async function callProcedure(path: string, input: unknown): Promise<Outcome> {
  const caller = createCaller({ db: h.db, user: ada, headers: new Headers() });
  const fn = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (input: unknown) => Promise<unknown>;
  try {
    const value = await fn(input);
    // A subscription answers a stream; take nothing from it, close it.
    if (value && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function") {
      await (value as AsyncIterable<unknown>)[Symbol.asyncIterator]().return?.();
    }
    return { ok: true, value };
  } catch (err) {
    // A thrown error that is not a TRPCError escaped the error adapter: a failure of the property.
    if (!(err instanceof TRPCError)) throw err;
    return { ok: false, error: err };
  }
}

/** Runs per procedure: about 0.15 s each on a 2-core machine (35 procedures). */
const RUNS = 40;

describe("tRPC fuzz: every procedure of the app router", () => {
  const paths = Object.keys(PROCEDURES).sort();

  it("has a valid input for every procedure", () => {
    expect(
      paths.filter((p) => !(p in VALID)),
      "procedures without a valid input here",
    ).toEqual([]);
  });

  for (const path of paths) {
    it(`${path}: never an internal error, a refusal writes nothing, an accepted mutation retried writes no second rollout`, async () => {
      const codes = new Map<string, number>();
      await fuzz(
        `tRPC ${path}`,
        inputsFor(path),
        async (input) => {
          const before = tableCounts(h.db);
          const outcome = await callProcedure(path, input);
          const what = JSON.stringify({ path, input, outcome: outcome.ok ? "ok" : { code: outcome.error.code, message: outcome.error.message } }).slice(0, 800);
          const code = outcome.ok ? "OK" : outcome.error.code;
          codes.set(code, (codes.get(code) ?? 0) + 1);
          expect(code, what).not.toBe("INTERNAL_SERVER_ERROR");
          if (!outcome.ok || PROCEDURES[path]._def.type !== "mutation") return expect(tableCounts(h.db), what).toEqual(before);

          const after = tableCounts(h.db);
          const retry = await callProcedure(path, input);
          const again = JSON.stringify({ what, retry: retry.ok ? "ok" : retry.error.code });
          expect(retry.ok || retry.error.code !== "INTERNAL_SERVER_ERROR", again).toBe(true);
          const final = tableCounts(h.db);
          expect(final.rollouts, again).toBe(after.rollouts);
          expect(final.region_rollouts, again).toBe(after.region_rollouts);
          if (!retry.ok) expect(final, again).toEqual(after);
          if (typeof (input as { idempotencyKey?: unknown } | undefined)?.idempotencyKey === "string") {
            expect(retry.ok, again).toBe(true);
            const answer = (outcome: Outcome) => ({ ...(outcome.ok ? (outcome.value as object) : {}), replayed: undefined });
            expect(answer(retry), again).toEqual(answer(outcome));
            expect(final, again).toEqual(after);
          }
        },
        RUNS,
      );
      console.log(`tRPC ${path} outcomes: ${JSON.stringify(Object.fromEntries([...codes].sort()))}`);
    });
  }
});

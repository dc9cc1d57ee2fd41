/**
 * Every REST route under app/api/v1 under generated requests (fast-check, seeded: server/fuzz/fuzz.fixtures.ts):
 * the route files and their methods are read from the tree, as the RBAC matrix does, so a new route is fuzzed
 * too. Each case picks path params, a query string, a body and headers (Authorization of every kind of token
 * and broken ones, Idempotency-Key). Properties: never a 5xx and always a JSON answer; a refusal writes nothing;
 * an accepted POST retried with the same request never writes a second rollout, and on a route that honours
 * `Idempotency-Key` a retry with the same key answers the same and writes nothing at all.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "@/db/client";
import type { RestHandler } from "@/server/api/rest";
import { scopesAllowing, type Permission, type TokenScope } from "@/server/auth/roles";
import { setConfig } from "@/server/config";
import { realClock } from "@/server/engine/clock";
import { addUser, createHarness, demoConfig, phases, runUntil, startInUsEast, type Harness } from "@/server/engine/runner/test-fixtures";
import { around, fuzz, ODD_STRINGS, tableCounts } from "@/server/fuzz/fuzz.fixtures";
import { createToken, revokeToken } from "@/server/services/api-tokens";
import { BUILT, DIGEST_A } from "@/server/services/ci-webhook.fixtures";

const ROOT = path.join(process.cwd(), "app/api/v1");
const ROUTE_FILES = (readdirSync(ROOT, { recursive: true }) as string[]).filter((file) => file.endsWith("route.ts")).sort();
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
const LIMIT = 64 * 1024;

/** No reviewers and no provenance rule, so a started region reaches its canary and every command can be accepted. */
const config = demoConfig((raw) => ((raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }]));

let h: Harness;
/** The tokens a case can present, by kind, and the rollout its params can name. */
let tokens: Record<string, string>;
let rolloutId: string;

/** The scene: the process's store and config, tokens of every scope, and a rollout whose us-east is in its canary. */
async function setScene(): Promise<void> {
  h = createHarness({ config });
  h.clock.setTime(Date.now());
  (globalThis as { flightdeckDb?: Store }).flightdeckDb = h.db;
  setConfig({ config, file: "test" });
  const ada = addUser(h.db, "ada", "Ada", ["admin"]);
  const ctx = { db: h.db, config, actor: ada, clock: realClock };
  const mint = async (name: string, scope: TokenScope) => (await createToken(ctx, { name, scope: scope as "read" })).token;
  tokens = { read: await mint("read", "read"), deploy: await mint("deploy", "deploy"), rollback: await mint("rollback", "rollback") };
  const revoked = await createToken(ctx, { name: "revoked", scope: "deploy" });
  await revokeToken(ctx, { tokenId: revoked.summary.id });
  tokens.revoked = revoked.token;
  tokens.unknown = `fd_${"A".repeat(43)}`;
  rolloutId = await startInUsEast(h, ada);
  await runUntil(h, () => phases(h.db)["us-east"] === "canary");
  // An incident of the rollout (as an emergency rollback of eu-west records it), for the incident routes to act on.
  await h.db.events.insertAll([
    {
      at: h.clock.now(),
      type: "region.rolled_back",
      actor: "user:ada",
      message: "eu-west rolled back",
      rolloutId,
      regionId: "eu-west",
      data: { actor: "user:ada", emergency: true },
    },
  ]);
}

function dropScene(): void {
  (globalThis as { flightdeckDb?: Store }).flightdeckDb = undefined;
  h.cleanup();
}

beforeEach(setScene);
afterEach(dropScene);

/** Header values a client can send: printable Latin-1. */
const headerText = (maxLength: number) => fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength });

/** Mostly a token whose scope allows the route (so the fuzz reaches the service), else any other kind. */
type Auth = { kind: string; raw?: string };
const authorizationsFor = (permission: Permission): fc.Arbitrary<Auth> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...scopesAllowing(permission).filter((s) => s !== "write")).map((kind) => ({ kind })) },
    { weight: 2, arbitrary: fc.constantFrom("read", "deploy", "rollback").map((kind) => ({ kind })) },
    fc.constantFrom("revoked", "unknown", "missing", "no scheme", "basic", "bearer only", "lower-case scheme", "twice").map((kind) => ({ kind })),
    headerText(80).map((raw) => ({ kind: "raw", raw })),
  );

function authorizationHeader(auth: Auth): string | null {
  switch (auth.kind) {
    case "missing":
      return null;
    case "raw":
      return auth.raw!;
    case "no scheme":
      return tokens.deploy;
    case "basic":
      return `Basic ${Buffer.from(`ci:${tokens.deploy}`).toString("base64")}`;
    case "bearer only":
      return "Bearer ";
    case "lower-case scheme":
      return `bearer ${tokens.deploy}`;
    case "twice":
      return `Bearer ${tokens.deploy}, Bearer ${tokens.read}`;
    default:
      return `Bearer ${tokens[auth.kind]}`;
  }
}

/** Whether a string can be a URL's path segment at all (a lone surrogate cannot be percent-encoded). */
const encodable = (s: string) => {
  try {
    return encodeURIComponent(s) !== undefined;
  } catch {
    return false;
  }
};

/** A path param: a good one most of the time (the rollout or service, the region in canary, an action), else a plausible one, else anything encodable. */
const PARAMS: Record<string, (file: string) => { good: string[]; plausible: string[] }> = {
  id: (file) =>
    file.startsWith("services/")
      ? { good: ["api"], plausible: [rolloutId, "API", "billing"] }
      : { good: [rolloutId], plausible: ["no-such-rollout", "api", rolloutId.toUpperCase()] },
  region: () => ({ good: ["us-east"], plausible: ["eu-west", "apac-se", "US East", "us", "mars"] }),
  action: () => ({ good: ["pause", "resume", "promote", "abort"], plausible: ["retry", "rollback", "Pause", "constructor", "__proto__", "hasOwnProperty"] }),
};
type Param = { good: number } | { plausible: number } | { raw: string };
const param: fc.Arbitrary<Param> = fc.oneof(
  { weight: 3, arbitrary: fc.nat().map((i) => ({ good: i })) },
  fc.nat().map((i) => ({ plausible: i })),
  fc
    .oneof(fc.constantFrom(...ODD_STRINGS), fc.string({ unit: "grapheme", maxLength: 30 }))
    .filter(encodable)
    .map((raw) => ({ raw })),
);

const queries = fc.array(
  fc.tuple(
    fc.oneof(fc.constantFrom("limit", "status", "serviceId", "before", "cursor"), fc.string({ maxLength: 8 })),
    fc.oneof(
      fc.constantFrom("1", "20", "100", "101", "0", "-1", "1.5", "1e3", "running", "succeeded", "api", ""),
      fc.constantFrom(...ODD_STRINGS),
      fc.string({ maxLength: 20 }),
    ),
  ),
  { maxLength: 4 },
);

/** What a valid body of each route looks like; the fuzz works around it. */
function validBody(file: string): Record<string, unknown> {
  if (file === "rollouts/route.ts")
    return { serviceId: "api", artifact: { version: "2.0.0", digest: DIGEST_A, ...BUILT }, strategy: "sequential", regions: ["eu-west"] };
  if (file.endsWith("[action]/route.ts")) return { reason: "fuzz" };
  if (file === "freeze/route.ts") return { reason: "fuzz drill" };
  if (file === "quarantines/[id]/route.ts") return { reason: "fuzz: a metrics fault" };
  if (file === "rollouts/[id]/incidents/resolve/route.ts") return { reason: "fuzz: resolved", regionId: "eu-west" };
  if (file === "rollouts/[id]/incidents/acknowledge/route.ts") return { regionId: "eu-west" };
  if (file === "regions/[region]/backtest/route.ts") return { from: "-1h", to: "now" };
  return { service: "api" };
}

type Body = { text: string } | { bytes: Uint8Array } | null;
const bodiesFor = (file: string): fc.Arbitrary<Body> =>
  fc.oneof(
    { weight: 4, arbitrary: around(validBody(file)).map((b) => ({ text: JSON.stringify(b) ?? "" })) },
    fc.constant(null),
    fc.constantFrom("", " ", "{", "null", "[]", "42", '"x"', '{"__proto__":{"polluted":1}}', "\ufeff{}").map((text) => ({ text })),
    fc.string({ unit: "binary", maxLength: 200 }).map((text) => ({ text })),
    fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ bytes })),
    fc.integer({ min: LIMIT - 64, max: LIMIT + 64 }).map((size) => ({ text: JSON.stringify(validBody(file)).padEnd(size, " ") })),
  );

type Case = {
  params: Param[];
  query: [string, string][];
  body: Body;
  auth: Auth;
  idempotencyKey: string | undefined;
  contentType: string | null;
  extra: [string, string] | undefined;
};
const caseFor = (file: string, method: string, permission: Permission): fc.Arbitrary<Case> =>
  fc.record({
    params: fc.array(param, { minLength: 3, maxLength: 3 }),
    query: queries,
    body: method === "GET" ? fc.constant<Body>(null) : bodiesFor(file),
    auth: authorizationsFor(permission),
    idempotencyKey: fc.option(fc.oneof({ weight: 3, arbitrary: fc.stringMatching(/^[\x21-\x7e]{1,60}$/) }, headerText(220)), { nil: undefined }),
    contentType: fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded", null),
    extra: fc.option(fc.tuple(fc.constantFrom("x-forwarded-for", "cookie", "accept", "origin"), headerText(40)), { nil: undefined }),
  });

/** The request a case describes, and the params Next.js would hand the handler. */
function requestOf(file: string, method: string, c: Case): { request: Request; params: Record<string, string> } {
  const names = [...file.matchAll(/\[(\w+)\]/g)].map(([, name]) => name);
  const params = Object.fromEntries(
    names.map((name, i) => {
      const p = c.params[i];
      const { good, plausible } = PARAMS[name](file);
      return [name, "good" in p ? good[p.good! % good.length] : "plausible" in p ? plausible[p.plausible! % plausible.length] : p.raw!];
    }),
  );
  const pathname = file.replace(/\/?route\.ts$/, "").replace(/\[(\w+)\]/g, (_, name: string) => encodeURIComponent(params[name]));
  const query = new URLSearchParams(c.query).toString();
  const headers = new Headers();
  const authorization = authorizationHeader(c.auth);
  if (authorization !== null) headers.set("authorization", authorization);
  if (c.idempotencyKey !== undefined) headers.set("idempotency-key", c.idempotencyKey);
  if (c.contentType) headers.set("content-type", c.contentType);
  if (c.extra) headers.set(c.extra[0], c.extra[1]);
  const body = c.body === null ? undefined : "text" in c.body ? c.body.text : new Uint8Array(c.body.bytes);
  const url = `http://localhost/api/v1/${pathname}${query ? `?${query}` : ""}`;
  return { request: new Request(url, { method, headers, body }), params };
}

type Answer = { status: number; body: { error?: string } & Record<string, unknown> };
async function call(handler: RestHandler<Record<string, string>>, file: string, method: string, c: Case): Promise<Answer> {
  const { request, params } = requestOf(file, method, c);
  const res = await handler(request, { params: Promise.resolve(params) });
  return { status: res.status, body: (await res.json()) as Answer["body"] };
}

/** The routes that take an `Idempotency-Key` header: a retry with the key is answered from the first request. */
const HONOURS_IDEMPOTENCY_KEY = new Set(["POST services/[id]/rollback/route.ts"]);

type Handlers = Array<readonly [string, RestHandler<Record<string, string>>]>;
async function handlersOf(file: string): Promise<Handlers> {
  const mod = (await import(path.join(ROOT, file))) as Partial<Record<(typeof METHODS)[number], RestHandler<Record<string, string>>>>;
  return METHODS.flatMap((m) => (mod[m] ? [[m, mod[m]!] as const] : []));
}

type Tally = { statuses: Map<number, number>; retried: number; retriedSame: number };
const newTally = (): Tally => ({ statuses: new Map(), retried: 0, retriedSame: 0 });

/**
 * The properties of one request: no 5xx and a JSON answer; a refusal (or a GET) writes nothing; an accepted POST
 * retried writes no second rollout, and with a key on a route that honours it answers the same and writes nothing.
 */
async function checkRequest(handler: RestHandler<Record<string, string>>, file: string, method: string, c: Case, tally: Tally): Promise<void> {
  const before = tableCounts(h.db);
  const answer = await call(handler, file, method, c);
  const what = JSON.stringify({ method, file, case: c, answer }).slice(0, 800);
  tally.statuses.set(answer.status, (tally.statuses.get(answer.status) ?? 0) + 1);
  expect(answer.status, what).toBeLessThan(500);
  if (answer.status >= 400) {
    expect(typeof answer.body.error, what).toBe("string");
    expect(tableCounts(h.db), what).toEqual(before);
    return;
  }
  if (method === "GET") return expect(tableCounts(h.db), what).toEqual(before);

  const after = tableCounts(h.db);
  const retry = await call(handler, file, method, c);
  const again = JSON.stringify({ what, retry }).slice(0, 1000);
  tally.retried++;
  if (JSON.stringify({ ...retry.body, replayed: undefined }) === JSON.stringify({ ...answer.body, replayed: undefined })) tally.retriedSame++;
  expect(retry.status, again).toBeLessThan(500);
  const final = tableCounts(h.db);
  expect(final.rollouts, again).toBe(after.rollouts);
  expect(final.region_rollouts, again).toBe(after.region_rollouts);
  if (retry.status >= 400) expect(final, again).toEqual(after);
  if (HONOURS_IDEMPOTENCY_KEY.has(`${method} ${file}`) && c.idempotencyKey !== undefined) {
    expect(retry.status, again).toBe(answer.status);
    expect({ ...retry.body, replayed: undefined }, again).toEqual({ ...answer.body, replayed: undefined });
    expect(final, again).toEqual(after);
  }
}

const report = (name: string, t: Tally) =>
  console.log(
    `${name} answers by status: ${JSON.stringify(Object.fromEntries([...t.statuses].sort()))}; accepted POSTs retried: ${t.retried}, answered the same: ${t.retriedSame}`,
  );

/** Runs per route and method (one scene each): about 0.3 s each on a 2-core machine. */
const RUNS = 150;
/** Runs per POST route of a request that should be accepted, each in a fresh scene (about 80 ms each). */
const ACCEPTED_RUNS = 10;

describe("REST fuzz: every route under app/api/v1", () => {
  it("finds the routes to fuzz", () => {
    expect(ROUTE_FILES.length).toBeGreaterThanOrEqual(4);
  });

  for (const file of ROUTE_FILES) {
    it(`${file}: never a 5xx, a refusal writes nothing, an accepted POST retried writes no second rollout`, async () => {
      const handlers = await handlersOf(file);
      expect(handlers.length).toBeGreaterThan(0);
      for (const [method, handler] of handlers) {
        const tally = newTally();
        await fuzz(`REST ${method} ${file}`, caseFor(file, method, handler.permission), (c) => checkRequest(handler, file, method, c, tally), RUNS);
        report(`REST ${method} ${file}`, tally);
      }
    });
  }

  /** Requests a route should accept (good params, the right token, a body near the valid one), each in a new scene. */
  const acceptedCaseFor = (file: string, method: string, permission: Permission): fc.Arbitrary<Case> =>
    fc.record({
      params: fc.array(
        fc.nat().map((i) => ({ good: i })),
        { minLength: 3, maxLength: 3 },
      ),
      query: fc.constant([] as [string, string][]),
      body: fc.oneof({ weight: 3, arbitrary: fc.constant<Body>({ text: JSON.stringify(validBody(file)) }) }, bodiesFor(file)),
      auth: fc.constantFrom(...scopesAllowing(permission).filter((s) => s !== "write")).map((kind) => ({ kind }) as { kind: string; raw?: string }),
      idempotencyKey: fc.option(fc.stringMatching(/^[\x21-\x7e]{1,60}$/), { nil: undefined }),
      contentType: fc.constant<string | null>("application/json"),
      extra: fc.constant(undefined),
    });

  for (const file of ROUTE_FILES) {
    it(`${file}: an accepted POST retried (with or without an Idempotency-Key) writes nothing twice`, async () => {
      // A POST that only reads (the backtest, whose body is its question) writes nothing a retry could repeat.
      for (const [method, handler] of (await handlersOf(file)).filter(([m, h]) => m === "POST" && h.permission !== "read")) {
        const tally = newTally();
        await fuzz(
          `REST ${method} ${file} (retries of accepted requests)`,
          acceptedCaseFor(file, method, handler.permission),
          async (c) => {
            dropScene();
            await setScene();
            await checkRequest(handler, file, method, c, tally);
          },
          ACCEPTED_RUNS,
        );
        report(`REST ${method} ${file} (retries)`, tally);
        expect(tally.retried, `${method} ${file}: no request was accepted; the generators miss the valid requests`).toBeGreaterThan(0);
      }
    });
  }
});

/**
 * The CI webhook under generated input (fast-check, seeded: server/fuzz/fuzz.fixtures.ts). Headers (signature
 * forms, timestamps, delivery ids, lying Content-Length), bodies (wrong shapes, sizes up to and over the limit,
 * encodings, invalid UTF-8), replays and concurrent duplicates of one delivery. Properties: never a 5xx; a
 * refusal answers a JSON error and writes nothing; an accepted delivery is idempotent under retry (same delivery
 * id: same rollout, one row).
 */
import { createHmac } from "node:crypto";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST } from "@/app/api/webhooks/ci/route";
import { around, fuzz, oddValue, tableCounts } from "@/server/fuzz/fuzz.fixtures";
import { COMMIT, DIGEST_A, freshProcessDatabase, goodBody, SECRET, type ProcessFixture } from "./ci-webhook.fixtures";

const PREVIOUS_SECRET = "previous-webhook-secret-98765";
const LIMIT = 256 * 1024;

let f: ProcessFixture;
beforeEach(() => {
  f = freshProcessDatabase();
  process.env.FLIGHTDECK_WEBHOOK_SECRET = SECRET;
  process.env.FLIGHTDECK_WEBHOOK_SECRET_PREVIOUS = PREVIOUS_SECRET;
});
afterEach(() => {
  delete process.env.FLIGHTDECK_WEBHOOK_SECRET_PREVIOUS;
  f.cleanup();
});

// ---------- bodies ----------

type Body = { label: string; bytes: Buffer };
const utf8 = (label: string, text: string): Body => ({ label, bytes: Buffer.from(text, "utf8") });

/** A body the contract accepts, with generated values where it allows them. */
const validBody = fc
  .record({
    version: fc.stringMatching(/^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(-[a-z0-9]{1,8})?$/),
    regions: fc.oneof(fc.constant("all" as const), fc.subarray(["us-east", "eu-west", "apac-se"], { minLength: 1 })),
    strategy: fc.constantFrom("sequential", "parallel"),
    actor: fc.option(fc.constantFrom("dana", "octocat", "Zoë <zoe@example.test>"), { nil: undefined }),
  })
  .map(({ version, regions, strategy, actor }) =>
    goodBody({
      artifact: { version, digest: DIGEST_A, url: `https://artifacts.example.com/api/${version}.tar.gz` },
      regions,
      strategy,
      ...(actor ? { actor } : {}),
    }),
  );

/** Kept from the first, hand-written fuzz: raw texts that once mattered. */
const RAW_BODIES = ["", "{", "null", "[]", '"a string"', "42", '{"service":', "\u0000\u0001", "{}".repeat(1000), "\ufeff{}", '{"__proto__":{"polluted":1}}'];

/** The good body padded with spaces (still valid JSON) to exactly `size` bytes, around the 256 KiB limit. */
const sized = (size: number): Body => {
  const text = JSON.stringify(goodBody());
  return utf8(`${size} bytes`, text + " ".repeat(Math.max(0, size - text.length)));
};

const bodies: fc.Arbitrary<Body> = fc.oneof(
  validBody.map((b) => utf8("valid", JSON.stringify(b))),
  fc.constantFrom({ service: "billing" }, { regions: ["us-east", "mars"] }).map((change) => utf8("unknown names", JSON.stringify(goodBody(change)))),
  around(goodBody()).map((b) => utf8("mutated", JSON.stringify(b) ?? "")),
  fc
    .record({ artifact: around(goodBody().artifact as Record<string, unknown>) })
    .map(({ artifact }) => utf8("mutated artifact", JSON.stringify(goodBody({ artifact })))),
  fc
    .record({ delayMinutes: fc.oneof(oddValue, fc.integer({ min: -10, max: 400 })), strategy: fc.constantFrom("sequential", "delayed", "parallel") })
    .map((change) => utf8("delay", JSON.stringify(goodBody(change)))),
  fc.constantFrom(...RAW_BODIES).map((t) => utf8("raw", t)),
  fc.string({ unit: "binary", maxLength: 200 }).map((t) => utf8("any text", t)),
  fc.json({ maxDepth: 4 }).map((t) => utf8("any json", t)),
  fc.uint8Array({ maxLength: 300 }).map((b) => ({ label: "any bytes", bytes: Buffer.from(b) })),
  fc.constantFrom(0, 1, 0x80, 0xc3, 0xe2, 0xed, 0xf0, 0xff).map((bad) => {
    // Invalid UTF-8 inside a string value (a lone continuation byte, a cut sequence, an encoded surrogate's lead).
    const text = JSON.stringify(goodBody({ actor: "Ren\u0001" }));
    const at = text.indexOf("\u0001") === -1 ? text.indexOf("\\u0001") : text.indexOf("\u0001");
    return {
      label: `invalid utf-8 0x${bad.toString(16)}`,
      bytes: Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([bad]), Buffer.from(text.slice(at + 6))]),
    };
  }),
  fc.constantFrom("utf16le", "latin1").map((encoding) => ({
    label: encoding,
    bytes: Buffer.from(JSON.stringify(goodBody({ actor: "Zoë" })), encoding as BufferEncoding),
  })),
  fc.constant(utf8("bom", "\ufeff" + JSON.stringify(goodBody()))),
  fc.oneof(fc.constantFrom(LIMIT - 1, LIMIT, LIMIT + 1, 10 * LIMIT), fc.integer({ min: LIMIT - 4096, max: LIMIT + 4096 })).map(sized),
  fc
    .integer({ min: 100, max: 50_000 })
    .map((depth) => utf8(`nested ${depth}`, JSON.stringify(goodBody()).slice(0, -1) + `,"x":${"[".repeat(depth)}${"]".repeat(depth)}}`)),
);

// ---------- headers ----------

/** Header values a client could send: printable Latin-1 (Headers refuses anything else before it leaves). */
const headerText = (maxLength: number) => fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength });

const SIGNATURE_FORMS = [
  "valid",
  "valid over the bytes sent",
  "previous secret",
  "wrong secret",
  "uppercase",
  "missing",
  "empty",
  "bare prefix",
  "md5",
  "cut",
  "doubled",
  "random",
] as const;
type SignatureForm = (typeof SIGNATURE_FORMS)[number];

const timestamps = fc.oneof(
  { weight: 4, arbitrary: fc.constant<number | string | null>(0) },
  fc.integer({ min: -700, max: 700 }),
  fc.constantFrom<number | string | null>(null, "", "-1", "1e9", "99999999999999999999", "0x10", "now"),
  headerText(20),
);

const deliveries = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/) },
  fc.constantFrom<string | null>(null, "", "has space", "x".repeat(129), "é", "run/1"),
  headerText(140),
);

const contentLengths = fc.constantFrom("honest", "absent", "small", "over the limit", "not a number", "negative");

type Case = { body: Body; signature: SignatureForm; timestamp: number | string | null; delivery: string | null; contentLength: string; random: string };
const cases: fc.Arbitrary<Case> = fc.record({
  body: bodies,
  signature: fc.oneof({ weight: 4, arbitrary: fc.constant<SignatureForm>("valid") }, fc.constantFrom(...SIGNATURE_FORMS)),
  timestamp: timestamps,
  delivery: deliveries,
  contentLength: fc.oneof({ weight: 4, arbitrary: fc.constant("honest") }, contentLengths),
  random: headerText(80),
});

const hmac = (secret: string, timestamp: string, body: Buffer) => createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");

function signatureOf(form: SignatureForm, timestamp: string, body: Buffer, random: string): string | null {
  // The server signs what it read: the body decoded as UTF-8 (an invalid byte becomes U+FFFD).
  const seen = Buffer.from(body.toString("utf8"), "utf8");
  const valid = `sha256=${hmac(SECRET, timestamp, seen)}`;
  switch (form) {
    case "valid":
      return valid;
    case "valid over the bytes sent":
      return `sha256=${hmac(SECRET, timestamp, body)}`;
    case "previous secret":
      return `sha256=${hmac(PREVIOUS_SECRET, timestamp, seen)}`;
    case "wrong secret":
      return `sha256=${hmac("not-the-secret-at-all", timestamp, seen)}`;
    case "uppercase":
      return valid.toUpperCase();
    case "missing":
      return null;
    case "empty":
      return "";
    case "bare prefix":
      return "sha256=";
    case "md5":
      return `md5=${valid.slice(7, 39)}`;
    case "cut":
      return valid.slice(0, -1);
    case "doubled":
      return `${valid}, ${valid}`;
    case "random":
      return random;
  }
}

/** The request a case describes, at time `nowSeconds` (a retry passes the same time, so it is the same request). */
function requestOf(c: Case, nowSeconds: number, source: string): Request {
  const timestamp = typeof c.timestamp === "number" ? String(nowSeconds + c.timestamp) : c.timestamp === "now" ? String(nowSeconds) : c.timestamp;
  const headers = new Headers({ "content-type": "application/json", "x-forwarded-for": source });
  if (timestamp !== null) headers.set("x-flightdeck-timestamp", timestamp);
  if (c.delivery !== null) headers.set("x-flightdeck-delivery", c.delivery);
  const signature = signatureOf(c.signature, timestamp ?? "", c.body.bytes, c.random);
  if (signature !== null) headers.set("x-flightdeck-signature", signature);
  const length = { honest: String(c.body.bytes.length), small: "5", "over the limit": String(LIMIT + 1), "not a number": "abc", negative: "-1" }[
    c.contentLength
  ];
  if (length !== undefined) headers.set("content-length", length);
  return new Request("http://localhost/api/webhooks/ci", { method: "POST", headers, body: new Uint8Array(c.body.bytes) });
}

type Answer = { status: number; body: { error?: string; rolloutId?: string; status?: string } };
async function send(request: Request): Promise<Answer> {
  const res = await POST(request);
  return { status: res.status, body: (await res.json()) as Answer["body"] };
}

/** What a failing case prints (the body cut short). */
const describeCase = (c: Case, answer: Answer) =>
  JSON.stringify({ ...c, body: c.body.label, text: c.body.bytes.subarray(0, 200).toString("utf8"), answer }).slice(0, 800);

/** A refusal: a JSON error that says something, and no row written. */
function expectRefusal(answer: Answer, before: Record<string, number>, what: string) {
  expect(answer.status, what).toBeGreaterThanOrEqual(400);
  expect(answer.status, what).toBeLessThan(500);
  expect(typeof answer.body.error, what).toBe("string");
  expect(answer.body.error!.length, what).toBeGreaterThan(20);
  expect(tableCounts(f.db), what).toEqual(before);
}

let sources = 0;
/** A new client address per request: the rate limit (30 per source) is not what is fuzzed here. */
const nextSource = () => `10.${(++sources >> 16) & 255}.${(sources >> 8) & 255}.${sources & 255}`;

describe("webhook fuzz", () => {
  it("never answers 5xx; a refusal writes nothing; an accepted delivery retried answers the same rollout and writes nothing more", async () => {
    const seen = new Map<number, number>();
    await fuzz(
      "webhook: one delivery (headers, body, sizes, encodings)",
      cases,
      async (c) => {
        const now = Math.floor(Date.now() / 1000);
        const source = nextSource();
        const before = tableCounts(f.db);
        const answer = await send(requestOf(c, now, source));
        const what = describeCase(c, answer);
        seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1);
        expect(answer.status, what).toBeLessThan(500);
        if (answer.status >= 400) return expectRefusal(answer, before, what);

        const after = tableCounts(f.db);
        if (answer.status === 202) {
          expect(after.rollouts, what).toBe(before.rollouts + 1);
          expect(after.webhook_deliveries, what).toBe(before.webhook_deliveries + 1);
        } else {
          expect(answer.status, what).toBe(200); // the id was seen in an earlier case: a retry
          expect(after, what).toEqual(before);
        }
        const retry = await send(requestOf(c, now, source));
        expect(retry.status, what).toBe(200);
        expect(retry.body.rolloutId, what).toBe(answer.body.rolloutId);
        expect(tableCounts(f.db), what).toEqual(after);
      },
      400,
    );
    console.log(`webhook answers by status: ${JSON.stringify(Object.fromEntries([...seen].sort()))}`);
    // The generators reach every answer of the contract, not only the first check.
    expect([...seen.keys()].sort()).toEqual(expect.arrayContaining([202, 400, 401, 409, 413, 422]));
  });

  const accepted = fc.record({
    body: validBody,
    delivery: fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/),
    replay: fc.constantFrom("same delivery", "same signature, new delivery id", "same delivery, new body", "same delivery, signed again later", "expired"),
  });

  it("answers a replay by what it is: a retry gets the same rollout, a captured request or a changed body is refused, nothing is written twice", async () => {
    await fuzz(
      "webhook: replays of an accepted delivery",
      accepted,
      async ({ body, delivery, replay }) => {
        f.cleanup();
        f = freshProcessDatabase();
        const text = JSON.stringify(body);
        const now = Math.floor(Date.now() / 1000);
        const request = (id: string, payload: string, at: number) => {
          const c: Case = { body: utf8("valid", payload), signature: "valid", timestamp: at, delivery: id, contentLength: "honest", random: "" };
          return requestOf(c, now, nextSource());
        };
        const first = await send(request(delivery, text, 0));
        const what = JSON.stringify({ body, delivery, replay, first });
        expect(first.status, what).toBe(202);
        const after = tableCounts(f.db);

        const again = {
          "same delivery": () => request(delivery, text, 0),
          "same signature, new delivery id": () => request(`${delivery}-replayed`, text, 0),
          "same delivery, new body": () => request(delivery, JSON.stringify({ ...body, commit: COMMIT.replace("0", "f") }), 0),
          "same delivery, signed again later": () => request(delivery, text, 30),
          expired: () => request(delivery, text, -301),
        }[replay];
        const second = await send(again());
        const expected = {
          "same delivery": 200,
          "same signature, new delivery id": 409,
          "same delivery, new body": 409,
          "same delivery, signed again later": 200,
          expired: 401,
        };
        expect(second.status, JSON.stringify({ what, second })).toBe(expected[replay]);
        if (second.status === 200) expect(second.body.rolloutId).toBe(first.body.rolloutId);
        expect(tableCounts(f.db)).toEqual(after);
        expect(after.rollouts).toBe(1);
        expect(after.webhook_deliveries).toBe(1);
      },
      25,
    );
  });

  const duplicates = fc.record({
    body: validBody,
    delivery: fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/),
    copies: fc.integer({ min: 2, max: 8 }),
    others: fc.integer({ min: 0, max: 3 }),
  });

  it("starts one rollout for concurrent copies of one delivery, and refuses concurrent other deliveries for the same regions", async () => {
    await fuzz(
      "webhook: concurrent duplicates of one delivery",
      duplicates,
      async ({ body, delivery, copies, others }) => {
        f.cleanup();
        f = freshProcessDatabase();
        const now = Math.floor(Date.now() / 1000);
        const c: Case = { body: utf8("valid", JSON.stringify(body)), signature: "valid", timestamp: 0, delivery, contentLength: "honest", random: "" };
        // Other deliveries: the same build again under its own id and time (CI re-run), racing the copies.
        const racing = Array.from({ length: others }, (_, i) =>
          requestOf({ ...c, delivery: `${delivery}-other-${i}`, timestamp: -(i + 1) }, now, nextSource()),
        );
        const answers = await Promise.all([...Array.from({ length: copies }, () => requestOf(c, now, nextSource())), ...racing].map(send));
        const what = JSON.stringify({ body, delivery, copies, others, answers: answers.map((a) => [a.status, a.body.rolloutId ?? a.body.error]) });

        // One start wins; every copy of one delivery gets its rollout (202 once, then 200) or, if another won, 409.
        const winners = answers.filter((a) => a.status === 202);
        expect(winners, what).toHaveLength(1);
        for (const a of answers) expect([200, 202, 409], what).toContain(a.status);
        for (const a of answers) if (a.status !== 409) expect(a.body.rolloutId, what).toBe(winners[0].body.rolloutId);
        expect(new Set(answers.slice(0, copies).map((a) => a.status === 409)).size, what).toBe(1);
        const counts = tableCounts(f.db);
        expect(counts.rollouts, what).toBe(1);
        expect(counts.webhook_deliveries, what).toBe(1);
      },
      25,
    );
  });
});

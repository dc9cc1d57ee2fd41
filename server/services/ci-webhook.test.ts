import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST } from "@/app/api/webhooks/ci/route";
import { artifacts, events, rollouts, webhookDeliveries } from "@/db/schema";
import { COMMIT, DIGEST_A, DIGEST_B, goodBody, rowCounts, SECRET, signedRequest, freshProcessDatabase, type ProcessFixture } from "./ci-webhook.fixtures";

let f: ProcessFixture;
let source = 0;
/** Each test sends from its own address, so the rate limit of one test does not spill into the next. */
const from = () => `10.1.0.${++source}`;

beforeEach(() => {
  f = freshProcessDatabase();
  process.env.FLIGHTDECK_WEBHOOK_SECRET = SECRET;
});
afterEach(() => f.cleanup());

async function send(body: unknown, options: Parameters<typeof signedRequest>[1] = {}) {
  const res = await POST(signedRequest(body, { source: from(), ...options }));
  expect(res.headers.get("content-type")).toContain("application/json");
  return { status: res.status, body: await res.json(), headers: res.headers };
}

/** A refused request answers `status` with an error a person can act on, and writes nothing. */
async function expectRefused(status: number, body: unknown, options: Parameters<typeof signedRequest>[1], mentions: RegExp) {
  const before = rowCounts(f.db);
  const res = await send(body, options);
  expect(res.status).toBe(status);
  expect(res.body.error).toMatch(mentions);
  expect(rowCounts(f.db)).toEqual(before);
  return res;
}

describe("POST /api/webhooks/ci", () => {
  it("starts a rollout for a good delivery: 202 with its id, link and status, the artifact registered from the ref and commit", async () => {
    const res = await send(goodBody({ strategy: "delayed", delayMinutes: 90, regions: "all" }), { delivery: "run-1" });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ rolloutId: expect.any(String), url: `http://localhost:3000/rollouts/${res.body.rolloutId}`, status: "running" });
    expect(res.body.message).toContain("flightdeck rollout wait");
    const [rollout] = f.db.raw.select().from(rollouts).all();
    expect(rollout).toMatchObject({ id: res.body.rolloutId, strategy: "delayed", delayMinutes: 90, initiator: "webhook:run-1" });
    expect(f.db.raw.select().from(artifacts).all()[0]).toMatchObject({ version: "1.4.2", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: COMMIT });
    const started = f.db.raw
      .select()
      .from(events)
      .all()
      .find((e) => e.type === "rollout.started")!;
    expect(started.message).toMatch(/^CI webhook started api 1\.4\.2/);
    expect(started.message).toContain("us-east, eu-west, apac-se");
  });

  it("answers a replayed delivery id with 200 and the same rollout, and starts nothing new", async () => {
    const first = await send(goodBody(), { delivery: "run-2" });
    const before = rowCounts(f.db);
    const again = await send(goodBody(), { delivery: "run-2" });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ rolloutId: first.body.rolloutId, url: first.body.url, status: "running" });
    expect(again.body.message).toContain("already received");
    expect(rowCounts(f.db)).toEqual(before);
  });

  it("starts exactly one rollout when two identical deliveries arrive at once", async () => {
    const body = goodBody({ regions: "all", strategy: "parallel" });
    const answers = await Promise.all([send(body, { delivery: "run-3" }), send(body, { delivery: "run-3" })]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 202]);
    expect(answers[0].body.rolloutId).toBe(answers[1].body.rolloutId);
    expect(f.db.raw.select().from(rollouts).all()).toHaveLength(1);
    expect(f.db.raw.select().from(webhookDeliveries).all()).toEqual([
      expect.objectContaining({ deliveryId: "run-3", rolloutId: answers[0].body.rolloutId, status: 202 }),
    ]);
  });

  it("refuses a delivery id reused for another body with 409", async () => {
    await send(goodBody(), { delivery: "run-4" });
    await expectRefused(409, goodBody({ regions: ["eu-west"] }), { delivery: "run-4" }, /already received with a different body.*new X-Flightdeck-Delivery/);
  });

  it("refuses a tampered body, a wrong secret, a missing signature and an old or future timestamp with 401", async () => {
    const signed = JSON.stringify(goodBody());
    const tampered = signedRequest(goodBody(), { rawBody: signed });
    const spoiled = new Request(tampered.url, { method: "POST", headers: tampered.headers, body: signed.replace("1.4.2", "6.6.6") });
    const before = rowCounts(f.db);
    const res = await POST(spoiled);
    expect(res.status).toBe(401);
    expect((await res.json()).error).toMatch(/does not match/);
    expect(rowCounts(f.db)).toEqual(before);

    await expectRefused(401, goodBody(), { secret: "another-secret-of-enough-length" }, /FLIGHTDECK_WEBHOOK_SECRET/);
    await expectRefused(401, goodBody(), { signature: null }, /X-Flightdeck-Signature header is missing/);
    await expectRefused(401, goodBody(), { signature: "sha256=" + "0".repeat(64) }, /does not match/);
    const sixMinutesAgo = String(Math.floor(Date.now() / 1000) - 360);
    await expectRefused(401, goodBody(), { timestamp: sixMinutesAgo }, /36\d s old.*within 300 s/);
    await expectRefused(401, goodBody(), { timestamp: String(Math.floor(Date.now() / 1000) + 400) }, /in the future/);
  });

  it("refuses a ref other than main or release/* for production with 403, and takes release branches", async () => {
    const res = await expectRefused(
      403,
      goodBody({ ref: "refs/heads/feature/login" }),
      {},
      /refs\/heads\/feature\/login.*refs\/heads\/main or refs\/heads\/release\/\*/,
    );
    expect(res.body.issues).toBeUndefined();
    expect((await send(goodBody({ ref: "refs/heads/release/1.4" }))).status).toBe(202);
  });

  it("refuses an unknown service or region with 422 naming the known ones", async () => {
    await expectRefused(422, goodBody({ service: "billing" }), {}, /no service "billing".*known: api/);
    await expectRefused(422, goodBody({ regions: ["us-east", "mars"] }), {}, /"mars".*known: us-east, eu-west, apac-se/);
  });

  it("refuses a region already in a rollout of the service with 409 naming the holder", async () => {
    const first = await send(goodBody({ regions: ["eu-west"] }));
    await expectRefused(
      409,
      goodBody({ artifact: { version: "1.4.3", digest: DIGEST_B, url: "https://a.example.com/1.4.3" }, regions: "all" }),
      {},
      new RegExp(`eu-west is already in rollout ${first.body.rolloutId}.*abort it`),
    );
  });

  it("refuses the same version with another digest with 409 naming both digests", async () => {
    await send(goodBody({ regions: ["us-east"] }));
    await expectRefused(
      409,
      goodBody({ artifact: { version: "1.4.2", digest: DIGEST_B, url: "https://a.example.com/x" }, regions: ["eu-west"] }),
      {},
      new RegExp(`${DIGEST_A}.*${DIGEST_B}.*immutable`),
    );
  });

  it("answers a schema error with 400 and one issue per field", async () => {
    const res = await expectRefused(400, goodBody({ strategy: "big-bang", commit: "abc", delay_minutes: 5 }), {}, /does not match the webhook contract/);
    expect(res.body.issues).toEqual(
      expect.arrayContaining([
        { path: "strategy", message: expect.stringContaining("sequential") },
        { path: "commit", message: "expected the 40 hex digits of the commit" },
        { path: "(body)", message: expect.stringContaining("delay_minutes") },
      ]),
    );
    const delayed = await expectRefused(400, goodBody({ strategy: "delayed", delayMinutes: 10 }), {}, /delayMinutes/);
    expect(delayed.body.issues).toEqual([{ path: "delayMinutes", message: expect.stringContaining("from 30 to 240") }]);
  });

  it("takes the optional actor, signed with the body, and refuses one with control characters by its path", async () => {
    const res = await send(goodBody({ actor: "octocat" }), { delivery: "run-actor" });
    expect(res.status).toBe(202);
    expect(f.db.raw.select().from(rollouts).get()).toMatchObject({ ciActor: "octocat", initiator: "webhook:run-actor" });
    expect(
      f.db.raw
        .select()
        .from(events)
        .all()
        .find((e) => e.type === "rollout.started")!.message,
    ).toContain("CI webhook for octocat started");
    const bad = await expectRefused(400, goodBody({ actor: "eve\nApproved by: admin" }), {}, /actor/);
    expect(bad.body.issues).toEqual([{ path: "actor", message: expect.stringContaining("printable characters") }]);
  });

  it("refuses a body over 256 KiB with 413", async () => {
    const big = goodBody({ padding: "x".repeat(300 * 1024) });
    await expectRefused(413, big, {}, /larger than 256 KiB/);
  });

  it("limits deliveries per source with 429 and Retry-After, while other sources still get through", async () => {
    const source = "10.9.9.9";
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await send({}, { source, delivery: `flood-${i}` })).status);
    expect(statuses.slice(0, 30).every((s) => s === 400)).toBe(true);
    const limited = await send({}, { source });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(limited.body.error).toMatch(/Too many.*10\.9\.9\.9.*Retry after/);
    expect((await send(goodBody(), { source: "10.9.9.10" })).status).toBe(202);
  });

  it("while the secret rotates, takes deliveries signed with the new or the previous secret, and no other", async () => {
    const previous = "the-previous-webhook-secret-42";
    process.env.FLIGHTDECK_WEBHOOK_SECRET_PREVIOUS = previous;
    try {
      expect((await send(goodBody(), { secret: previous, delivery: "run-old" })).status).toBe(202);
      expect((await send(goodBody({ regions: ["eu-west"] }), { delivery: "run-new" })).status).toBe(202);
      await expectRefused(401, goodBody({ regions: ["apac-se"] }), { secret: "some-other-secret-0000" }, /does not match/);
    } finally {
      delete process.env.FLIGHTDECK_WEBHOOK_SECRET_PREVIOUS;
    }
    await expectRefused(401, goodBody({ regions: ["apac-se"] }), { secret: previous }, /does not match/);
  });

  it("answers 503 saying what to set when no secret is configured", async () => {
    delete process.env.FLIGHTDECK_WEBHOOK_SECRET;
    await expectRefused(503, goodBody(), {}, /set FLIGHTDECK_WEBHOOK_SECRET/);
  });
});

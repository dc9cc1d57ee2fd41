/**
 * Attacks on separation of duties, each written as the attack: the person behind a rollout approves its gate
 * through a side door (their API token, a CI-triggered start), or a captured webhook delivery is replayed.
 */
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST as webhookRoute } from "@/app/api/webhooks/ci/route";
import { rollouts, users } from "@/db/schema";
import type { Actor } from "@/server/actor";
import { addUser, createHarness, phases, type Harness } from "@/server/engine/runner/test-fixtures";
import { authenticateToken, createToken } from "@/server/services/api-tokens";
import { approveGate, rejectGate } from "@/server/services/approvals";
import { listPendingGates } from "@/server/services/approvals-pending";
import { receiveCiWebhook } from "@/server/services/ci-webhook";
import { BUILT, DIGEST_A, freshProcessDatabase, goodBody, rowCounts, SECRET, signedRequest, type ProcessFixture } from "@/server/services/ci-webhook.fixtures";
import { systemContext } from "@/server/services/context";
import { ServiceError } from "@/server/services/errors";
import { startRollout } from "@/server/services/rollouts";
import { fixedClock } from "@/server/engine/clock";

async function refusal(fn: () => unknown): Promise<ServiceError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ServiceError) return err;
    throw err;
  }
  throw new Error("expected a refusal");
}

describe("the person behind a rollout cannot approve it", () => {
  let h: Harness;
  let ada: Actor; // admin: mints the token, may approve in both capacities
  let rafael: Actor; // functional reviewer
  let sam: Actor; // SRE, and the author of the change CI ships

  beforeEach(() => {
    h = createHarness();
    ada = addUser(h.db, "ada", "Ada", ["admin"]);
    rafael = addUser(h.db, "rafael", "Rafael", ["reviewer"]);
    sam = addUser(h.db, "sam", "Sam", ["sre"]);
  });
  afterEach(() => h.cleanup());

  const usEast = (rolloutId: string) => ({ rolloutId, regionId: "us-east" });
  const pendingWhy = async (actor: Actor) => (await listPendingGates({ db: h.db, config: h.config, actor }))[0].gates[0].cannotDecide;

  it("attack: an admin starts a rollout with the deploy token they minted, then approves it as SRE", async () => {
    const { token } = await createToken(h.as(ada), { name: "ci-lab", scope: "deploy" });
    const { actor } = await authenticateToken(systemContext(h.db, { ...h.config, demo: true }, h.clock), `Bearer ${token}`);
    const { rolloutId } = await startRollout(h.as(actor), {
      serviceId: "api",
      artifact: { version: "2.0.0", digest: DIGEST_A, ...BUILT },
      strategy: "sequential",
      regions: "all",
    });
    expect(h.db.raw.select().from(rollouts).get()).toMatchObject({ initiator: `token:${actor.id}`, initiatorUserId: "ada" });
    await h.runner.tick();
    expect(phases(h.db)["us-east"]).toBe("awaiting_approval");

    const own = await refusal(() => approveGate(h.as(ada), { ...usEast(rolloutId), as: "sre" }));
    expect(own.code).toBe("FORBIDDEN");
    expect(own.message).toBe('This rollout was started by your API token "ci-lab", so someone else must approve it.');
    expect((await refusal(() => rejectGate(h.as(ada), usEast(rolloutId)))).message).toContain("your API token");
    expect(await pendingWhy(ada)).toBe('This rollout was started by your API token "ci-lab", so someone else must approve it.');

    // Two other people can.
    expect(await pendingWhy(sam)).toBeNull();
    await approveGate(h.as(rafael), usEast(rolloutId));
    await approveGate(h.as(sam), usEast(rolloutId));
    await h.runner.tick();
    expect(phases(h.db)["us-east"]).not.toBe("awaiting_approval");
  });

  it("attack: CI ships Sam's change, and Sam approves it as SRE", async () => {
    const answer = await sendWebhook(h, goodBody({ regions: "all", actor: "sam" }), "run-7");
    expect(answer.status).toBe(202);
    expect(h.db.raw.select().from(rollouts).get()).toMatchObject({ initiator: "webhook:run-7", initiatorUserId: "sam", ciActor: "sam" });
    await h.runner.tick();

    const own = await refusal(() => approveGate(h.as(sam), usEast(answer.body.rolloutId!)));
    expect(own.code).toBe("FORBIDDEN");
    expect(own.message).toBe("CI named you (sam) as the author of this rollout, so someone else must approve it.");
    expect(await pendingWhy(sam)).toBe("CI named you (sam) as the author of this rollout, so someone else must approve it.");
    expect(await pendingWhy(rafael)).toBeNull();
  });

  it("attack: CI names an author with no account yet, who is created later and approves", async () => {
    const answer = await sendWebhook(h, goodBody({ regions: "all", actor: "Lin@Example.com" }), "run-8");
    expect(answer.status).toBe(202);
    expect(h.db.raw.select().from(rollouts).get()).toMatchObject({ initiatorUserId: null, ciActor: "Lin@Example.com" });
    await h.runner.tick();

    const lin = addUser(h.db, "lin", "Lin", ["admin"]);
    h.db.raw.update(users).set({ email: "lin@example.com" }).where(eq(users.id, "lin")).run();
    expect((await refusal(() => approveGate(h.as(lin), usEast(answer.body.rolloutId!)))).message).toContain("CI named you (Lin@Example.com)");
  });

  it("a delivery without actor keeps working, and binds nobody", async () => {
    const answer = await sendWebhook(h, goodBody({ regions: "all" }), "run-9");
    expect(answer.status).toBe(202);
    expect(h.db.raw.select().from(rollouts).get()).toMatchObject({ initiatorUserId: null, ciActor: null });
  });
});

/** The webhook service on the harness's database, signed as CI signs it. */
async function sendWebhook(h: Harness, body: Record<string, unknown>, delivery: string) {
  const now = h.clock.now();
  const request = signedRequest(body, { delivery, timestamp: String(Math.floor(now / 1000)) });
  return receiveCiWebhook({ db: h.db, config: h.config, clock: fixedClock(now), secret: SECRET }, { headers: request.headers, rawBody: JSON.stringify(body) });
}

describe("attack: a captured webhook delivery replayed under a fresh delivery id", () => {
  let f: ProcessFixture;
  beforeEach(() => {
    f = freshProcessDatabase();
    process.env.FLIGHTDECK_WEBHOOK_SECRET = SECRET;
  });
  afterEach(() => f.cleanup());

  it("is refused with 409 naming the first delivery, and starts nothing", async () => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const body = goodBody({ actor: "sam" });
    const first = await webhookRoute(signedRequest(body, { delivery: "run-100", timestamp, source: "10.9.0.1" }));
    expect(first.status).toBe(202);
    const before = rowCounts(f.db);

    const replay = await webhookRoute(signedRequest(body, { delivery: "run-100-evil", timestamp, source: "10.9.0.2" }));
    expect(replay.status).toBe(409);
    expect((await replay.json()).error).toContain("already accepted as delivery run-100");
    expect(rowCounts(f.db)).toEqual(before);

    // A retry of the same delivery id is still the documented idempotent answer.
    const retry = await webhookRoute(signedRequest(body, { delivery: "run-100", timestamp, source: "10.9.0.3" }));
    expect(retry.status).toBe(200);
  });
});

/**
 * Quarantine through the real runner and the services: a breach rollback quarantines its release (one row, in
 * the rollback's transaction) and tells the regions still running it that they may roll back; a person's rollback
 * does not; a start of the quarantined digest is refused before anything is written; only an sre or admin lifts
 * it, with a reason, and the start is accepted again.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { notificationOutbox } from "@/db/schema";
import type { Actor } from "@/server/actor";
import {
  addUser,
  createHarness,
  demoConfig,
  DIGEST_A,
  DIGEST_B,
  eventsOf,
  phases,
  regionRolloutOf,
  runUntil,
  type Harness,
} from "@/server/engine/runner/test-fixtures";
import { rollbackRegion } from "./region-commands";
import { liftQuarantine, listQuarantines } from "./quarantines";
import { startRollout } from "./rollouts";
import { getRolloutView } from "./rollout-view";

const BUILT = { sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" };

let h: Harness;
let dana: Actor;
let sam: Actor;
beforeEach(() => {
  const config = demoConfig((raw) => {
    (raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }];
  });
  // A channel for the cards (its URL is read only when a card is sent, which no test here does).
  config.notifications.channels = [{ id: "incidents", kind: "slack", purpose: "incidents", webhookUrlEnv: "SLACK_WEBHOOK_URL", name: "#incidents" }];
  h = createHarness({ config });
  dana = addUser(h.db, "dana", "Dana", ["deployer"]);
  sam = addUser(h.db, "sam", "Sam", ["sre"]);
});
afterEach(() => h.cleanup());

const start = (actor: Actor, version: string, digest: string, regions: string[] | "all" = "all") =>
  startRollout(h.as(actor), { serviceId: "api", artifact: { version, digest, ...BUILT }, strategy: "parallel", regions });

/** What a refused start must not have written. */
async function counts() {
  return {
    rollouts: (await h.db.rollouts.countByStatus()).reduce((n, r) => n + r.n, 0),
    regionRollouts: (await h.db.regionRollouts.countByPhase()).reduce((n, r) => n + r.n, 0),
    events: eventsOf(h.db).length,
    quarantines: await h.db.quarantines.count(),
  };
}

/** 1.4.2 (digest A) in every region at once; eu-west breaches at 25 %, the others run on. */
async function breachInEuWest() {
  h.world.injectFault("eu-west", 25, { errorRatePct: 1.2, latencyP95Ms: 420 });
  const started = await start(dana, "1.4.2", DIGEST_A);
  await runUntil(h, () => regionRolloutOf(h.db, started.rolloutId, "eu-west").phase === "rolled_back");
  return started;
}

describe("a breach rollback", () => {
  it("quarantines the release once, and tells each region still running it that it may roll back, with a card", async () => {
    const started = await breachInEuWest();
    const { quarantines } = await listQuarantines(h.as(dana));
    expect(quarantines).toEqual([
      expect.objectContaining({ serviceId: "api", version: "1.4.2", digest: DIGEST_A, regionId: "eu-west", rolloutId: started.rolloutId, active: true }),
    ]);
    expect(quarantines[0].cause).toContain("error rate 1.2 % > 0.8 %");

    const [quarantined] = eventsOf(h.db, { type: "release.quarantined" });
    expect(quarantined.message).toContain("api 1.4.2 is quarantined: eu-west rolled it back after");
    const notices = eventsOf(h.db, { type: "rollout.quarantine_notice" });
    expect(notices.map((n) => n.regionId).sort()).toEqual(["apac-se", "us-east"]);
    expect(notices[0].message).toContain("rolling it back here is your call");
    const cards = h.db.raw
      .select()
      .from(notificationOutbox)
      .all()
      .filter((r) => r.kind === "quarantine");
    expect(cards.map((c) => c.eventId).sort()).toEqual(notices.map((n) => n.id).sort());
    expect(JSON.stringify(cards[0].payload)).toContain("Release quarantined elsewhere");

    // The rollout page says so (its regions still running it link their own Roll back).
    const view = await getRolloutView(h.as(dana), started.rolloutId);
    expect(view.quarantine).toMatchObject({ id: quarantines[0].id, regionId: "eu-west", description: quarantines[0].description });

    // The option, not the obligation: the other regions are not rolled back for it.
    await runUntil(h, () => Object.values(phases(h.db)).every((p) => p === "succeeded" || p === "rolled_back"));
    expect(phases(h.db)).toEqual({ "us-east": "succeeded", "eu-west": "rolled_back", "apac-se": "succeeded" });
    expect(await h.db.quarantines.count()).toBe(1);
  });

  it("a person's rollback quarantines nothing", async () => {
    const started = await start(dana, "1.4.2", DIGEST_A, ["us-east"]);
    await runUntil(h, () => regionRolloutOf(h.db, started.rolloutId, "us-east").phase === "canary");
    await rollbackRegion(h.as(dana), { serviceId: "api", regionId: "us-east" });
    await runUntil(h, () => regionRolloutOf(h.db, started.rolloutId, "us-east").phase === "rolled_back");
    expect(await h.db.quarantines.count()).toBe(0);
    expect(eventsOf(h.db, { type: "release.quarantined" })).toEqual([]);
    await expect(start(dana, "1.4.2", DIGEST_A, ["us-east"])).resolves.toMatchObject({ artifact: { digest: DIGEST_A } });
  });
});

describe("a start of a quarantined release", () => {
  it("is refused before anything is written, naming the rollback and how to lift it; another digest still starts", async () => {
    const first = await breachInEuWest();
    await runUntil(h, () => Object.values(phases(h.db)).every((p) => p === "succeeded" || p === "rolled_back"));
    const [q] = (await listQuarantines(h.as(dana))).quarantines;
    const before = await counts();

    const refused = start(dana, "1.4.2", DIGEST_A, ["eu-west"]);
    await expect(refused).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
    await expect(refused).rejects.toThrow(`api 1.4.2 (sha256:aaaaaaaaaaaa…) is quarantined: rollout ${first.rolloutId} rolled it back in eu-west after`);
    await expect(refused).rejects.toThrow(`flightdeck quarantine lift ${q.id} --reason`);
    // By artifact id too, and a new version with the same digest: the digest is what is quarantined.
    await expect(startRollout(h.as(dana), { serviceId: "api", artifactId: first.artifact.id, strategy: "parallel", regions: ["eu-west"] })).rejects.toThrow(
      "is quarantined",
    );
    await expect(start(dana, "1.4.3", DIGEST_A, ["eu-west"])).rejects.toThrow("is quarantined");
    expect(await counts()).toEqual(before);
    expect(await h.db.artifacts.byServiceVersion("api", "1.4.3")).toBeUndefined();

    await expect(start(dana, "1.4.4", DIGEST_B, ["eu-west"])).resolves.toMatchObject({ artifact: { version: "1.4.4" } });
  });
});

describe("lifting a quarantine", () => {
  it("needs the sre or admin role and a reason; it is audited, once, and the release may start again", async () => {
    await breachInEuWest();
    await runUntil(h, () => Object.values(phases(h.db)).every((p) => p === "succeeded" || p === "rolled_back"));
    const [q] = (await listQuarantines(h.as(dana))).quarantines;

    await expect(liftQuarantine(h.as(dana), { id: q.id, reason: "the fix is in" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(liftQuarantine(h.as(sam), { id: q.id, reason: "" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(liftQuarantine(h.as(sam), { id: "nope", reason: "the fix is in" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await listQuarantines(h.as(sam))).canLift).toBe(true);

    const lifted = await liftQuarantine(h.as(sam), { id: q.id, reason: "Prometheus scrape fault, not the release" });
    expect(lifted).toMatchObject({ active: false, liftedBy: "user:sam", liftReason: "Prometheus scrape fault, not the release" });
    await expect(liftQuarantine(h.as(sam), { id: q.id, reason: "again" })).rejects.toThrow("was already lifted by user:sam");
    const [audit] = eventsOf(h.db, { type: "quarantine.lifted" });
    expect(audit).toMatchObject({ actor: "user:sam", serviceId: "api" });
    expect(audit.message).toContain("Sam lifted the quarantine of api 1.4.2 (rolled back in eu-west after");
    expect((await listQuarantines(h.as(dana))).quarantines).toEqual([]);
    expect((await listQuarantines(h.as(dana), { all: true })).quarantines).toHaveLength(1);

    await expect(start(dana, "1.4.2", DIGEST_A, ["eu-west"])).resolves.toMatchObject({ artifact: { digest: DIGEST_A } });
  });
});

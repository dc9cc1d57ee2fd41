import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILT } from "./ci-webhook.fixtures";
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
  regionStateOf,
  rolloutRow,
  runUntil,
  type Harness,
} from "@/server/engine/runner/test-fixtures";
import { ServiceError } from "./errors";
import { abortRegion, pauseRegion, promoteRegion, resumeRegion, retryRegion, rollbackRegion } from "./region-commands";
import { getRolloutView, listRolloutHistory } from "./rollout-view";
import { startRollout } from "./rollouts";

let h: Harness;
let dana: Actor;
let sam: Actor;

beforeEach(() => {
  // No approval gates here: these tests are about the manual actions.
  h = createHarness({ config: demoConfig((raw) => ((raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }])) });
  dana = addUser(h.db, "dana", "Dana", ["deployer"]);
  sam = addUser(h.db, "sam", "Sam", ["sre"]);
});
afterEach(() => h.cleanup());

const settled = (region: string) => () => ["succeeded", "rolled_back", "blocked", "aborted"].includes(phases(h.db)[region]);
const weights = (region: string) => h.world.weightCalls.filter((c) => c.region === region).map((c) => c.canaryPct);

async function start(version: string, digest: string, regions: string[], strategy: "parallel" | "sequential" = "parallel") {
  return startRollout(h.as(dana), { serviceId: "api", artifact: { version, digest, ...BUILT }, strategy, regions });
}

async function expectRefusal(fn: () => unknown, code: string, words: string) {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).code).toBe(code);
    expect((err as ServiceError).message).toContain(words);
    return;
  }
  throw new Error("expected a refusal");
}

describe("pause, resume and promote", () => {
  it("a pause keeps the stage's remaining time, promote skips the rest of the wait; each event names the actor", async () => {
    const { rolloutId } = await start("1.0.0", DIGEST_A, ["us-east"]);
    const ref = { rolloutId, regionId: "us-east" };
    await runUntil(h, () => regionRolloutOf(h.db, rolloutId, "us-east").lastVerdict === "pass");
    const before = regionRolloutOf(h.db, rolloutId, "us-east");
    const remaining = before.deadlineAt! - h.clock.now();

    await pauseRegion(h.as(dana), { ...ref, reason: "checking a dashboard" });
    h.clock.advance(20 * 60_000);
    await h.runner.tick();
    expect(regionRolloutOf(h.db, rolloutId, "us-east")).toMatchObject({ paused: true, stageIndex: 0, pausedRemainingMs: remaining });
    expect(weights("us-east")).toEqual([10]);

    await resumeRegion(h.as(dana), ref);
    const resumed = regionRolloutOf(h.db, rolloutId, "us-east");
    expect(resumed.deadlineAt).toBe(h.clock.now() + remaining);

    await promoteRegion(h.as(dana), ref);
    await h.runner.tick();
    const promoted = regionRolloutOf(h.db, rolloutId, "us-east");
    expect(promoted.stageIndex).toBe(1);
    expect(promoted.stageStartedAt!).toBeLessThan(resumed.deadlineAt!);
    expect(weights("us-east")).toEqual([10, 25]);

    for (const type of ["region.paused", "region.resumed", "region.promoted"]) {
      expect(eventsOf(h.db, { type }).map((e) => e.actor)).toEqual(["user:dana"]);
    }
  });

  it("refuses a viewer, and a promote before any sample passed", async () => {
    const { rolloutId } = await start("1.0.0", DIGEST_A, ["us-east"]);
    const vera = addUser(h.db, "vera", "Vera", ["viewer"]);
    await expectRefusal(() => pauseRegion(h.as(vera), { rolloutId, regionId: "us-east" }), "FORBIDDEN", "deployer, sre or admin");
    await expectRefusal(() => promoteRegion(h.as(dana), { rolloutId, regionId: "us-east" }), "PRECONDITION_FAILED", "not running a canary stage");
  });
});

describe("promote of the validation stage at 100 %", () => {
  it("is refused to a deployer (forbidden) and to an SRE without a reason; an SRE with one skips it, the reason in the event and on the page", async () => {
    const { rolloutId } = await start("1.0.0", DIGEST_A, ["us-east"]);
    const ref = { rolloutId, regionId: "us-east" };
    const row = () => regionRolloutOf(h.db, rolloutId, "us-east");
    await runUntil(h, () => row().stageIndex === 4 && row().lastVerdict === "pass");
    await expectRefusal(
      () => promoteRegion(h.as(dana), { ...ref, reason: "we have checked everything twice" }),
      "FORBIDDEN",
      "is the validation stage; skipping it needs the sre role and a reason",
    );
    await expectRefusal(() => promoteRegion(h.as(sam), ref), "PRECONDITION_FAILED", "say why it may be skipped");
    await expectRefusal(() => promoteRegion(h.as(sam), { ...ref, reason: "   " }), "BAD_REQUEST", "reason");

    await promoteRegion(h.as(sam), { ...ref, reason: "hotfix for INC-4211, soaked on staging" });
    await runUntil(h, settled("us-east"));
    expect(phases(h.db)["us-east"]).toBe("succeeded");
    const [promoted] = eventsOf(h.db, { type: "region.promoted" });
    expect(promoted).toMatchObject({
      actor: "user:sam",
      data: expect.objectContaining({ validation: true, reason: "hotfix for INC-4211, soaked on staging" }),
    });
    expect(promoted.message).toContain("promoted the 100 % stage (the validation stage), skipping the last");
    const view = await getRolloutView(h.as(dana), rolloutId);
    expect(view.regions[0].stages[4].promotion).toMatchObject({ actor: "user:sam", validation: true, reason: "hotfix for INC-4211, soaked on staging" });
    expect(view.regions[0].stages[4].samples.pass).toBeGreaterThan(0);
  });
});

describe("abort and retry", () => {
  it("an abort moves the traffic back; a retry deploys again and runs to success", async () => {
    const { rolloutId } = await start("1.0.0", DIGEST_A, ["us-east"]);
    const ref = { rolloutId, regionId: "us-east" };
    await runUntil(h, () => regionRolloutOf(h.db, rolloutId, "us-east").canaryPct === 25);
    await abortRegion(h.as(dana), ref);
    await runUntil(h, settled("us-east"));
    expect(phases(h.db)["us-east"]).toBe("aborted");
    expect(weights("us-east")).toEqual([10, 25, 0]);
    expect(regionStateOf(h.db, "us-east")).toMatchObject({ greenPct: 0, liveColour: "blue", activeRegionRolloutId: null });
    expect(eventsOf(h.db, { type: "region.aborted" }).map((e) => e.actor)).toEqual(["user:dana"]);

    await retryRegion(h.as(dana), ref);
    expect(regionStateOf(h.db, "us-east").activeRegionRolloutId).toBe(regionRolloutOf(h.db, rolloutId, "us-east").id);
    await runUntil(h, settled("us-east"));
    expect(phases(h.db)["us-east"]).toBe("succeeded");
    expect(h.world.deployCalls.map((c) => c.region)).toEqual(["us-east", "us-east"]);
    expect(regionRolloutOf(h.db, rolloutId, "us-east").attempt).toBe(2);
    expect(rolloutRow(h.db, rolloutId).status).toBe("succeeded");
    expect(eventsOf(h.db, { type: "region.retried" }).map((e) => e.actor)).toEqual(["user:dana"]);
  });

  it("retrying a rolled-back region re-opens the regions its failure blocked", async () => {
    h.world.injectFault("us-east", 10, { errorRatePct: 5 });
    const { rolloutId } = await start("1.0.0", DIGEST_A, ["us-east", "eu-west"], "sequential");
    await runUntil(h, () => settled("us-east")() && settled("eu-west")());
    expect(phases(h.db)).toEqual({ "us-east": "rolled_back", "eu-west": "blocked" });
    expect(rolloutRow(h.db, rolloutId).status).toBe("failed");

    h.world.clearFaults();
    await retryRegion(h.as(sam), { rolloutId, regionId: "us-east" });
    expect(phases(h.db)).toEqual({ "us-east": "deploying", "eu-west": "pending" });
    expect(rolloutRow(h.db, rolloutId).status).toBe("running");
    expect(eventsOf(h.db, { type: "region.reopened", regionId: "eu-west" }).map((e) => e.actor)).toEqual(["user:sam"]);
    await runUntil(h, () => settled("eu-west")());
    expect(phases(h.db)).toEqual({ "us-east": "succeeded", "eu-west": "succeeded" });
    expect(rolloutRow(h.db, rolloutId).status).toBe("succeeded");
  });
});

describe("emergency rollback", () => {
  it("puts a region that succeeded back on the previous colour and release", async () => {
    const first = await start("1.0.0", DIGEST_A, ["us-east"]);
    await runUntil(h, settled("us-east"));
    const second = await start("1.1.0", DIGEST_B, ["us-east"]);
    await runUntil(h, () => regionRolloutOf(h.db, second.rolloutId, "us-east").phase === "succeeded");
    expect(regionStateOf(h.db, "us-east")).toMatchObject({
      liveColour: "blue",
      greenPct: 0,
      liveArtifactId: second.artifact.id,
      previousArtifactId: first.artifact.id,
    });

    const vera = addUser(h.db, "vera", "Vera", ["viewer"]);
    await expectRefusal(() => rollbackRegion(h.as(vera), { serviceId: "api", regionId: "us-east" }), "FORBIDDEN", "Rolling a region back");
    await rollbackRegion(h.as(sam), { serviceId: "api", regionId: "us-east" });
    // Until the traffic is back, no new rollout may start there.
    await expectRefusal(() => start("1.2.0", `sha256:${"c".repeat(64)}`, ["us-east"]), "CONFLICT", "us-east is already in rollout");
    await runUntil(h, () => regionRolloutOf(h.db, second.rolloutId, "us-east").phase === "rolled_back");

    expect(regionStateOf(h.db, "us-east")).toMatchObject({
      liveColour: "green",
      greenPct: 100,
      liveArtifactId: first.artifact.id,
      previousArtifactId: second.artifact.id,
      activeRegionRolloutId: null,
    });
    expect(h.world.weightOf("us-east")).toEqual({ blue: 0, green: 100 });
    const events = eventsOf(h.db, { type: "region.rolled_back" });
    expect(events.map((e) => e.actor)).toEqual(["user:sam"]);
    expect(rolloutRow(h.db, second.rolloutId).status).toBe("failed");
    // The history says who rolled it back, so its badge reads "rolled back", not "failed".
    const listed = (await listRolloutHistory(h.as(sam))).items.find((i) => i.id === second.rolloutId)!;
    expect(listed.regions).toEqual([{ regionId: "us-east", phase: "rolled_back", rollback: expect.objectContaining({ trigger: "emergency", byName: "Sam" }) }]);
    await expectRefusal(
      () => rollbackRegion(h.as(sam), { serviceId: "api", regionId: "us-east" }),
      "PRECONDITION_FAILED",
      "only a region in its canary or one that succeeded",
    );
  });

  it("during the canary is one click: the canary's share goes back, the region ends rolled back and blocks the next", async () => {
    const { rolloutId } = await start("1.0.0", DIGEST_A, ["us-east", "eu-west"], "sequential");
    await runUntil(h, () => regionRolloutOf(h.db, rolloutId, "us-east").canaryPct > 0);
    const { fromColour, toColour } = regionRolloutOf(h.db, rolloutId, "us-east");

    await rollbackRegion(h.as(sam), { serviceId: "api", regionId: "us-east" });
    await runUntil(h, () => settled("us-east")() && settled("eu-west")());

    expect(phases(h.db)).toEqual({ "us-east": "rolled_back", "eu-west": "blocked" });
    expect(h.world.weightOf("us-east")).toEqual({ [fromColour]: 100, [toColour]: 0 });
    expect(regionStateOf(h.db, "us-east")).toMatchObject({ liveColour: fromColour, activeRegionRolloutId: null });
    expect(regionRolloutOf(h.db, rolloutId, "us-east").outcomeReason).toMatch(
      /^rolled back by user:sam \(manual\) at the 10 % stage; 100 % of traffic is back on /,
    );
    expect(eventsOf(h.db, { type: "region.rolled_back" }).map((e) => e.actor)).toEqual(["user:sam"]);
    expect(h.world.deployCalls.map((c) => c.region)).toEqual(["us-east"]);
  });
});

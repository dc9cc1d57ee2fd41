import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { samples, stages } from "@/db/schema";
import type { Actor } from "@/server/actor";
import { approveGate } from "@/server/services/approvals";
import { startRollout } from "@/server/services/rollouts";
import {
  addUser,
  approveWaitingGates,
  createHarness,
  DIGEST_A,
  eventsOf,
  phases,
  regionRolloutOf,
  regionStateOf,
  rolloutRow,
  runUntil,
  type Harness,
} from "./test-fixtures";

let h: Harness;
let dana: Actor;
let rafael: Actor;
let sam: Actor;

beforeEach(() => {
  h = createHarness();
  dana = addUser(h.db, "dana", "Dana", ["deployer"]);
  rafael = addUser(h.db, "rafael", "Rafael", ["reviewer"]);
  sam = addUser(h.db, "sam", "Sam", ["sre"]);
});
afterEach(() => h.cleanup());

const allSettled = () => Object.values(phases(h.db)).every((p) => ["succeeded", "rolled_back", "blocked", "aborted"].includes(p));
const approveAll = () => approveWaitingGates(h, [rafael, sam], approveGate);

async function start(strategy: "sequential" | "parallel") {
  return await startRollout(h.as(dana), {
    serviceId: "api",
    artifact: { version: "1.4.2", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
    strategy,
    regions: "all",
  });
}

describe("a sequential rollout of the demo fleet", () => {
  it("goes region after region through every stage to succeeded, with both approvals at each gate", async () => {
    const started = await start("sequential");
    const t0 = h.clock.now();
    await runUntil(h, allSettled, approveAll);

    expect(phases(h.db)).toEqual({ "us-east": "succeeded", "eu-west": "succeeded", "apac-se": "succeeded" });
    const rollout = rolloutRow(h.db, started.rolloutId);
    expect(rollout.status).toBe("succeeded");
    expect(rollout.finishedAt).not.toBeNull();
    expect(eventsOf(h.db, { type: "rollout.succeeded" })).toHaveLength(1);

    for (const region of ["us-east", "eu-west", "apac-se"]) {
      const state = regionStateOf(h.db, region);
      expect(state).toMatchObject({ liveColour: "green", greenPct: 100, liveArtifactId: started.artifact.id, activeRegionRolloutId: null });
      expect(h.world.deployCalls.filter((c) => c.region === region).map((c) => c.colour)).toEqual(["green"]);
      expect(h.world.weightCalls.filter((c) => c.region === region).map((c) => c.canaryPct)).toEqual([10, 25, 50, 75, 100]);
      expect(h.world.weightOf(region)).toEqual({ blue: 0, green: 100 });
      const rr = regionRolloutOf(h.db, started.rolloutId, region);
      const stageRows = h.db.raw.select().from(stages).where(eq(stages.regionRolloutId, rr.id)).all();
      expect(stageRows.map((s) => s.status)).toEqual(["passed", "passed", "passed", "passed", "passed"]);
      const judged = h.db.raw.select().from(samples).where(eq(samples.regionRolloutId, rr.id)).all();
      // No breach; at 20 requests a second the first samples of a stage may be too few to bound its error rate
      // (inconclusive, never a pass), and every stage was still judged for at least 80 % of its samples.
      const canary = judged.filter((s) => s.role === "canary");
      expect(canary.some((s) => s.verdict === "breach")).toBe(false);
      expect(canary.filter((s) => s.verdict === "inconclusive").every((s) => String(s.reasons).includes("too few requests to tell"))).toBe(true);
      for (const stage of stageRows)
        expect(canary.filter((s) => s.stageIndex === stage.index && s.verdict === "pass").length).toBeGreaterThanOrEqual(
          Math.ceil((0.8 * stage.durationMs) / 30_000),
        );
      expect(judged.some((s) => s.role === "baseline")).toBe(true);
    }

    // Each region waits for the one before it: they start in config order, never together.
    const us = regionRolloutOf(h.db, started.rolloutId, "us-east");
    const eu = regionRolloutOf(h.db, started.rolloutId, "eu-west");
    const ap = regionRolloutOf(h.db, started.rolloutId, "apac-se");
    expect(eu.startedAt!).toBeGreaterThanOrEqual(us.finishedAt!);
    expect(ap.startedAt!).toBeGreaterThanOrEqual(eu.finishedAt!);
    // 20 s deploy + 4 × 5 min + 30 min per region, a sample at most 30 s late per stage: about 50 minutes each.
    const minutes = (rollout.finishedAt! - t0) / 60_000;
    expect(minutes).toBeGreaterThan(150);
    expect(minutes).toBeLessThan(160);
    const approvals = eventsOf(h.db, { type: "approval.granted" });
    expect(new Set(approvals.map((e) => e.actor))).toEqual(new Set(["user:rafael", "user:sam"]));
    expect(approvals).toHaveLength(6);
  });

  it("rolls eu-west back at 25 % on the error rate alone, blocks apac-se and leaves us-east live", async () => {
    h.world.injectFault("eu-west", 25, { errorRatePct: 1.2, latencyP95Ms: 420 });
    const started = await start("sequential");
    await runUntil(h, allSettled, approveAll);

    expect(phases(h.db)).toEqual({ "us-east": "succeeded", "eu-west": "rolled_back", "apac-se": "blocked" });
    const eu = regionRolloutOf(h.db, started.rolloutId, "eu-west");
    expect(eu.cause).toEqual([
      {
        metric: "error_rate",
        observed: 1.2,
        threshold: 0.8,
        unit: "%",
        baseline: expect.any(Number),
        baselineAlsoBreaches: false,
        test: { kind: "limit", scope: "sample", requests: 150, errors: 2 },
      },
    ]);
    expect(eu.stageIndex).toBe(1);
    expect(eu.canaryPct).toBe(0);
    expect(regionStateOf(h.db, "eu-west")).toMatchObject({ liveColour: "blue", greenPct: 0, activeRegionRolloutId: null, liveArtifactId: null });
    expect(h.world.weightOf("eu-west")).toEqual({ blue: 100, green: 0 });
    expect(h.world.weightCalls.filter((c) => c.region === "eu-west").map((c) => c.canaryPct)).toEqual([10, 25, 0]);
    expect(regionStateOf(h.db, "us-east")).toMatchObject({ liveColour: "green", greenPct: 100 });
    expect(regionStateOf(h.db, "apac-se")).toMatchObject({ liveColour: "blue", greenPct: 0, activeRegionRolloutId: null });
    expect(h.world.deployCalls.map((c) => c.region)).toEqual(["us-east", "eu-west"]);

    const breach = h.db.raw
      .select()
      .from(samples)
      .where(eq(samples.regionRolloutId, eu.id))
      .all()
      .find((s) => s.verdict === "breach");
    expect(breach).toMatchObject({ stageIndex: 1, errorRatePct: 1.2, latencyP95Ms: 420 });
    const rolledBack = eventsOf(h.db, { type: "region.rolled_back", regionId: "eu-west" });
    expect(rolledBack).toHaveLength(1);
    expect(rolledBack[0].message).toContain("error rate 1.2 % > 0.8 %");
    expect(rolledBack[0].message).not.toContain("latency");
    expect(rolloutRow(h.db, started.rolloutId).status).toBe("failed");
    expect(eventsOf(h.db, { type: "rollout.failed" })).toHaveLength(1);
  });
});

describe("a parallel rollout", () => {
  it("rolls back only the failing region; the others run to the end untouched", async () => {
    h.world.injectFault("apac-se", 50, { latencyP95Ms: 900 });
    const started = await start("parallel");
    await runUntil(h, allSettled, approveAll);

    expect(phases(h.db)).toEqual({ "us-east": "succeeded", "eu-west": "succeeded", "apac-se": "rolled_back" });
    for (const region of ["us-east", "eu-west"]) {
      expect(h.world.weightCalls.filter((c) => c.region === region).map((c) => c.canaryPct)).toEqual([10, 25, 50, 75, 100]);
      expect(regionStateOf(h.db, region)).toMatchObject({ liveColour: "green", greenPct: 100 });
    }
    expect(regionRolloutOf(h.db, started.rolloutId, "apac-se").cause).toMatchObject([{ metric: "latency_p95", observed: 900, threshold: 400 }]);
    // All three started together.
    const startedAt = ["us-east", "eu-west", "apac-se"].map((r) => regionRolloutOf(h.db, started.rolloutId, r).startedAt);
    expect(new Set(startedAt).size).toBe(1);
    expect(rolloutRow(h.db, started.rolloutId).status).toBe("failed");
  });
});

import { describe, expect, it } from "vitest";
import { planRollout } from "./plan";
import { rolloutStatus } from "./status";
import { foldedTrace, runRollout, type FakeRegion } from "./test-fake-runner";
import { healthy, MIN, regionState, STAGES, T0 } from "./test-fixtures";
import type { Measurement, RegionRolloutState } from "./types";

const region = (regionId: string, position: number, extra: Omit<FakeRegion, "state"> = {}): FakeRegion => ({
  state: regionState({ id: `rr_${regionId}`, regionId, position }),
  ...extra,
});
/** A release that fails at the 25 % stage the way the spec's example does. */
const failsAt25 = (state: RegionRolloutState): Measurement => (state.canaryPct === 25 ? healthy({ errorRatePct: 1.2, latencyP95Ms: 420 }) : healthy());
/** The spec's example against a healthy blue: over the limit, and significantly worse than blue. */
const SPEC_WHY = "error rate 1.2 % > 0.8 %, 1.14 points above blue's 0.06 % (p < 0.001) at the 25 % stage";
const fleet = (extra: Record<string, Omit<FakeRegion, "state">> = {}) => ["us-east", "eu-west", "apac-se"].map((id, i) => region(id, i, extra[id]));

describe("decide() driven by a fake runner in virtual time", () => {
  it("takes one healthy region from pending to succeeded in 50 minutes, sampling every 30 s", () => {
    const result = runRollout({ strategy: "sequential", regions: [region("eu-west", 0)], start: T0 });
    expect(foldedTrace(result, "eu-west")).toEqual([
      "region.started, deploy.started",
      "rr_eu-west/a1/deploy",
      "rr_eu-west/a1/stage-0/weight-10",
      "sample pass ×10",
      "rr_eu-west/a1/stage-1/weight-25",
      "sample pass ×10",
      "rr_eu-west/a1/stage-2/weight-50",
      "sample pass ×10",
      "rr_eu-west/a1/stage-3/weight-75",
      "sample pass ×10",
      "rr_eu-west/a1/stage-4/weight-100",
      "sample pass ×60",
      "stage.passed, region.succeeded",
    ]);
    expect(result.end - T0).toBe(50 * MIN);
    expect(result.states[0]).toMatchObject({ phase: "succeeded", canaryPct: 100, finishedAt: T0 + 50 * MIN, startedAt: T0 });
  });

  it("goes through the gate once both reviewers approved", () => {
    const gate = {
      required: { functional: 1, sre: 1 },
      approvals: [
        { reviewerId: "carol", kind: "functional" as const, decision: "approved" as const },
        { reviewerId: "sam", kind: "sre" as const, decision: "approved" as const },
      ],
    };
    const result = runRollout({ strategy: "sequential", regions: [region("eu-west", 0, { gate })], start: T0 });
    expect(foldedTrace(result, "eu-west").slice(0, 3)).toEqual(["region.started, gate.opened", "gate.approved, deploy.started", "rr_eu-west/a1/deploy"]);
    expect(result.states[0].phase).toBe("succeeded");
  });

  it("rolls back at the first breach, 30 s into the 25 % stage", () => {
    const result = runRollout({ strategy: "sequential", regions: [region("eu-west", 0, { measure: failsAt25 })], start: T0 });
    expect(foldedTrace(result, "eu-west").slice(-3)).toEqual(["sample pass ×10", "rr_eu-west/a1/stage-1/weight-25", "rr_eu-west/a1/rollback"]);
    expect(result.states[0]).toMatchObject({
      phase: "rolled_back",
      canaryPct: 0,
      stageIndex: 1,
      finishedAt: T0 + 5 * MIN + 30_000,
      outcomeReason: SPEC_WHY,
    });
  });

  it("pauses where it stands when the deploy fails, and goes no further", () => {
    const result = runRollout({
      strategy: "sequential",
      regions: [region("eu-west", 0, { failStep: (key) => (key.endsWith("/deploy") ? "ssh: connection refused" : null) })],
      start: T0,
    });
    expect(foldedTrace(result, "eu-west")).toEqual(["region.started, deploy.started", "rr_eu-west/a1/deploy (failed)"]);
    expect(result.states[0]).toMatchObject({ phase: "deploying", paused: true, canaryPct: 0, pauseReason: "deploy failed: ssh: connection refused" });
  });
});

describe("strategies over three regions in virtual time", () => {
  it("delayed with 90-minute observation takes 5.5 hours, as planned", () => {
    const result = runRollout({ strategy: "delayed", delayMs: 90 * MIN, regions: fleet(), start: T0 });
    expect(result.states.map((s) => [s.regionId, s.phase, (s.startedAt! - T0) / MIN, (s.finishedAt! - T0) / MIN])).toEqual([
      ["us-east", "succeeded", 0, 50],
      ["eu-west", "succeeded", 140, 190],
      ["apac-se", "succeeded", 280, 330],
    ]);
    const plan = planRollout({
      strategy: "delayed",
      delayMinutes: 90,
      regions: fleet().map((r, order) => ({ id: r.state.regionId, name: r.state.regionId, order, stages: STAGES, deployMs: 0, needsApproval: false })),
    });
    expect(result.end - T0).toBe(plan.expectedDurationMs);
    expect(result.end - T0).toBe(5.5 * 60 * MIN);
  });

  it("parallel runs all regions at once: 50 minutes", () => {
    const result = runRollout({ strategy: "parallel", regions: fleet(), start: T0 });
    expect(result.states.map((s) => s.phase)).toEqual(["succeeded", "succeeded", "succeeded"]);
    expect(result.states.map((s) => s.startedAt)).toEqual([T0, T0, T0]);
    expect(result.end - T0).toBe(50 * MIN);
  });

  it("sequential: a rollback in the first region blocks the chain", () => {
    const result = runRollout({ strategy: "sequential", regions: fleet({ "us-east": { measure: failsAt25 } }), start: T0 });
    expect(result.states.map((s) => [s.regionId, s.phase, s.outcomeReason])).toEqual([
      ["us-east", "rolled_back", SPEC_WHY],
      ["eu-west", "blocked", "blocked because us-east was rolled back"],
      ["apac-se", "blocked", "blocked because eu-west was blocked"],
    ]);
    expect(result.states[1].startedAt).toBeNull();
    expect(rolloutStatus(result.states.map((s) => s.phase))).toBe("failed");
  });

  it("delayed: a rollback in the second region blocks only the third; the first stays succeeded", () => {
    const result = runRollout({ strategy: "delayed", delayMs: 30 * MIN, regions: fleet({ "eu-west": { measure: failsAt25 } }), start: T0 });
    expect(result.states.map((s) => s.phase)).toEqual(["succeeded", "rolled_back", "blocked"]);
  });

  it("parallel: a failing region rolls back alone; the others carry on and succeed", () => {
    const result = runRollout({ strategy: "parallel", regions: fleet({ "eu-west": { measure: failsAt25 } }), start: T0 });
    expect(result.states.map((s) => s.phase)).toEqual(["succeeded", "rolled_back", "succeeded"]);
    expect(result.end - T0).toBe(50 * MIN);
  });

  it("a gate nobody approved holds the chain without blocking it", () => {
    const gate = { required: { functional: 1, sre: 1 }, approvals: [] };
    const result = runRollout({ strategy: "sequential", regions: fleet({ "us-east": { gate } }), start: T0 });
    expect(result.states.map((s) => s.phase)).toEqual(["awaiting_approval", "pending", "pending"]);
    expect(rolloutStatus(result.states.map((s) => s.phase))).toBe("running");
  });
});

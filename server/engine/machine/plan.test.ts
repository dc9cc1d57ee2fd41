import { describe, expect, it } from "vitest";
import { delayProblem, PlanError, planRollout } from "./plan";
import { MIN, STAGES } from "./test-fixtures";
import type { PlanInput, Strategy } from "./types";

/** The demo fleet's three regions, listed out of order: the plan follows `order`, not the list. */
function regions(deployMs = 0): PlanInput["regions"] {
  return [
    { id: "apac-se", name: "APAC Southeast", order: 3, stages: STAGES, deployMs, needsApproval: true },
    { id: "us-east", name: "US East", order: 1, stages: STAGES, deployMs, needsApproval: true },
    { id: "eu-west", name: "EU West", order: 2, stages: STAGES, deployMs, needsApproval: true },
  ];
}

describe("planRollout", () => {
  it("delayed with 90-minute delays takes 5.5 hours (3 × 50 min of stages + 2 × 90 min)", () => {
    const plan = planRollout({ strategy: "delayed", delayMinutes: 90, regions: regions() });
    expect(plan.expectedDurationMs).toBe(330 * MIN);
    expect(plan.expectedDurationMs / (60 * MIN)).toBe(5.5);
    expect(plan.delayMs).toBe(90 * MIN);
    expect(plan.regions).toEqual([
      { regionId: "us-east", position: 0, expectedStartMs: 0, expectedEndMs: 50 * MIN },
      { regionId: "eu-west", position: 1, expectedStartMs: 140 * MIN, expectedEndMs: 190 * MIN },
      { regionId: "apac-se", position: 2, expectedStartMs: 280 * MIN, expectedEndMs: 330 * MIN },
    ]);
  });

  it("parallel takes one region's time: 50 min of stages plus the deploy", () => {
    const plan = planRollout({ strategy: "parallel", regions: regions(20_000) });
    expect(plan.expectedDurationMs).toBe(50 * MIN + 20_000);
    expect(plan.regions.map((r) => r.expectedStartMs)).toEqual([0, 0, 0]);
  });

  it("sequential is the sum of the regions, each starting when the previous one ends", () => {
    const plan = planRollout({ strategy: "sequential", regions: regions(30_000) });
    expect(plan.expectedDurationMs).toBe(3 * (50 * MIN + 30_000));
    expect(plan.regions.map((r) => r.regionId)).toEqual(["us-east", "eu-west", "apac-se"]);
    expect(plan.regions[1].expectedStartMs).toBe(plan.regions[0].expectedEndMs);
    expect(plan.delayMs).toBe(0);
  });

  it("delayed counts each deploy too", () => {
    expect(planRollout({ strategy: "delayed", delayMinutes: 90, regions: regions(20_000) }).expectedDurationMs).toBe(330 * MIN + 3 * 20_000);
  });

  it("refuses a plan with no regions", () => {
    expect(() => planRollout({ strategy: "parallel", regions: [] })).toThrow("a rollout needs at least one region");
  });
});

describe("delay rules", () => {
  it.each([
    ["delayed", 30, null],
    ["delayed", 240, null],
    ["delayed", 90, null],
    ["delayed", 29, "delayMinutes must be from 30 to 240 for the delayed strategy, got 29"],
    ["delayed", 20, "delayMinutes must be from 30 to 240 for the delayed strategy, got 20"],
    ["delayed", 241, "delayMinutes must be from 30 to 240 for the delayed strategy, got 241"],
    ["delayed", 45.5, "delayMinutes must be a whole number from 30 to 240 for the delayed strategy, got 45.5"],
    ["delayed", null, "delayMinutes must be from 30 to 240 for the delayed strategy, got nothing"],
    ["sequential", 90, "delayMinutes applies only to the delayed strategy; the sequential strategy got 90"],
    ["parallel", 0, "delayMinutes applies only to the delayed strategy; the parallel strategy got 0"],
    ["sequential", null, null],
    ["parallel", undefined, null],
  ] as const)("%s with delay %s → %s", (strategy, delay, problem) => {
    expect(delayProblem(strategy as Strategy, delay)).toBe(problem);
  });

  it("planRollout throws a PlanError naming the field", () => {
    let caught: unknown;
    try {
      planRollout({ strategy: "delayed", delayMinutes: 20, regions: regions() });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PlanError);
    expect(caught).toMatchObject({ field: "delayMinutes", message: "delayMinutes must be from 30 to 240 for the delayed strategy, got 20" });
  });
});

import { describe, expect, it } from "vitest";
import { DEFAULT_STRATEGY_POLICY } from "@/server/config/schema";
import { strategyVerdicts, type LastDrill, type PolicyRollout } from "./strategy-policy";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 7, 9, 0);
const policy = { ...DEFAULT_STRATEGY_POLICY };

/** Rollouts newest first from a short code: D clean delayed, d delayed that failed, r delayed running, x delayed with a region not succeeded, S sequential, P parallel. */
function history(code: string): PolicyRollout[] {
  return [...code].map((c, i) => {
    const createdAt = NOW - (i + 1) * DAY;
    if (c === "D") return { strategy: "delayed", status: "succeeded", createdAt, allRegionsSucceeded: true };
    if (c === "d") return { strategy: "delayed", status: "failed", createdAt, allRegionsSucceeded: false };
    if (c === "r") return { strategy: "delayed", status: "running", createdAt, allRegionsSucceeded: false };
    if (c === "x") return { strategy: "delayed", status: "succeeded", createdAt, allRegionsSucceeded: false };
    if (c === "S") return { strategy: "sequential", status: "succeeded", createdAt, allRegionsSucceeded: true };
    return { strategy: "parallel", status: "succeeded", createdAt, allRegionsSucceeded: true };
  });
}
const drill = (daysAgo: number, kind: LastDrill["kind"] = "simulated"): LastDrill => ({ at: NOW - daysAgo * DAY, kind });

describe("the migration path: when parallel opens", () => {
  it.each([
    ["a new service (no history, no drill)", "", null, false, "0 of 5 clean delayed rollouts; no rollback drill recorded"],
    ["3 clean delayed rollouts and no drill", "DDD", null, false, "3 of 5 clean delayed rollouts; no rollback drill recorded"],
    ["5 clean delayed rollouts and no drill", "DDDDD", null, false, "no rollback drill recorded (one is needed in the last 30 days"],
    ["5 clean delayed rollouts, the last drill 31 days ago", "DDDDD", drill(31), false, "no rollback drill since 2026-11-06"],
    [
      "5 clean delayed rollouts and a simulated drill 30 days ago",
      "DDDDD",
      drill(30),
      true,
      "Open: 5 clean delayed rollouts in a row and a rollback drill on 2026-11-07 (simulated)",
    ],
    ["5 clean delayed rollouts and a real rollback 2 days ago", "DDDDD", drill(2, "rollback"), true, "(a real rollback)"],
    ["a failed delayed rollout breaks the run: 2 clean since", "DDdDDD", drill(1), false, "2 of 5 clean delayed rollouts."],
    ["a delayed rollout that succeeded but not in every region breaks the run", "DxDDDD", drill(1), false, "1 of 5 clean delayed rollouts."],
    ["a running delayed rollout neither counts nor breaks the run", "rDDDDD", drill(1), true, "Open: 5 clean"],
    ["sequential and parallel rollouts between them neither count nor break the run", "DSDPDDSD", drill(1), true, "Open: 5 clean"],
    ["4 clean delayed and 3 sequential are still 4 of 5", "SSSDDDD", drill(1), false, "4 of 5 clean delayed rollouts."],
  ])("%s", (_, code, lastDrill, open, words) => {
    const parallel = strategyVerdicts(policy, { rollouts: history(code), lastDrill }, NOW).parallel;
    expect(parallel.open).toBe(open);
    expect(parallel.reason).toContain(words);
  });

  it("the refusal names both what is missing and what to do meanwhile", () => {
    expect(strategyVerdicts(policy, { rollouts: history("DDD"), lastDrill: drill(40) }, NOW).parallel.reason).toBe(
      "Parallel is not open yet (migration path): 3 of 5 clean delayed rollouts; no rollback drill since 2026-10-28 (one is needed in the last 30 days: flightdeck simulate --fault … --record, or a real rollback). Use delayed until then.",
    );
  });

  it("a service's own numbers replace the spec's (2 clean delayed rollouts, a drill within 7 days)", () => {
    const own = { cleanDelayedRollouts: 2, drillWithinDays: 7 };
    expect(strategyVerdicts(own, { rollouts: history("DD"), lastDrill: drill(6) }, NOW).parallel.open).toBe(true);
    expect(strategyVerdicts(own, { rollouts: history("DD"), lastDrill: drill(8) }, NOW).parallel.reason).toContain("in the last 7 days");
  });

  it('with the policy "off" every strategy is open, whatever the history', () => {
    const verdicts = strategyVerdicts("off", { rollouts: history("d"), lastDrill: null }, NOW);
    expect(Object.values(verdicts).map((v) => v.open)).toEqual([true, true, true]);
    expect(verdicts.parallel.reason).toBe("Open: this service's strategy policy is off.");
  });

  it("delayed and sequential are always open under the spec's path, and say why", () => {
    const verdicts = strategyVerdicts(policy, { rollouts: [], lastDrill: null }, NOW);
    expect(verdicts.delayed).toMatchObject({ open: true, cleanDelayed: 0, needed: 5 });
    expect(verdicts.sequential.open).toBe(true);
    expect(verdicts.sequential.reason).toContain("does not count towards parallel");
  });
});

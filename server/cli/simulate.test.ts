import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { simulate } from "./simulate";
import { parseSimulateArgs } from "./simulate-args";

const run = (argv: string[]) => simulate(parseSimulateArgs(argv));

describe("flightdeck simulate", () => {
  it("runs a delayed rollout with 90-minute observation periods in about 5.5 hours of virtual time", async () => {
    const result = await run(["--strategy", "delayed", "--delay", "90"]);
    expect(result.outcome).toBe("succeeded");
    expect(result.regions.map((r) => [r.region, r.outcome])).toEqual([
      ["us-east", "succeeded"],
      ["eu-west", "succeeded"],
      ["apac-se", "succeeded"],
    ]);
    expect(result.durationMinutes).toBeGreaterThanOrEqual(330);
    expect(result.durationMinutes).toBeLessThan(335);
    // eu-west starts 90 minutes after us-east finished.
    expect(result.regions[1].startedAtMinute! - result.regions[0].finishedAtMinute!).toBeCloseTo(90, 0);
  });

  it("runs all regions at once in parallel, in about 50 minutes", async () => {
    const result = await run(["--strategy", "parallel"]);
    expect(result.outcome).toBe("succeeded");
    expect(result.regions.every((r) => r.startedAtMinute === 0)).toBe(true);
    expect(result.durationMinutes).toBeGreaterThanOrEqual(45);
    expect(result.durationMinutes).toBeLessThan(52);
  });

  it("is the rollback drill: the spec's EU West incident names the error rate, not the latency", async () => {
    const result = await run(["--fault", "eu-west:25:error_rate=1.2,latency_p95=420"]);
    expect(result.outcome).toBe("failed");
    expect(result.regions).toEqual([
      expect.objectContaining({ region: "us-east", outcome: "succeeded", stoppedAtStage: null, cause: [] }),
      expect.objectContaining({
        region: "eu-west",
        outcome: "rolled_back",
        stoppedAtStage: 25,
        cause: [{ metric: "error_rate", observed: 1.2, threshold: 0.8, unit: "%" }],
      }),
      expect.objectContaining({ region: "apac-se", outcome: "blocked", stoppedAtStage: null, cause: [] }),
    ]);
    const rollback = result.events.find((e) => e.type === "region.rolled_back");
    expect(rollback?.region).toBe("eu-west");
  });

  it("keeps parallel regions isolated: one rolls back, the others succeed", async () => {
    const result = await run(["--strategy", "parallel", "--fault", "apac-se:100:cpu=85"]);
    expect(Object.fromEntries(result.regions.map((r) => [r.region, r.outcome]))).toEqual({
      "us-east": "succeeded",
      "eu-west": "succeeded",
      "apac-se": "rolled_back",
    });
    expect(result.regions[2].cause).toEqual([{ metric: "cpu", observed: 85, threshold: 70, unit: "%" }]);
  });

  it("records each approval grant as an event, and holds at the first gate with --hold-approvals", async () => {
    const granted = await run(["--regions", "us-east"]);
    expect(granted.events.filter((e) => e.type === "approval.granted")).toHaveLength(2);
    const held = await run(["--regions", "us-east", "--hold-approvals"]);
    expect(held.outcome).toBe("held");
    expect(held.regions[0].outcome).toBe("awaiting_approval");
  });

  it("is deterministic for a seed", async () => {
    const a = await run(["--regions", "us-east", "--seed", "7"]);
    const b = await run(["--regions", "us-east", "--seed", "7"]);
    expect(a).toEqual(b);
  });

  it("exits 2 naming the argument, and 0 with the JSON contract when it ran", () => {
    const cli = (args: string[]) =>
      spawnSync(process.execPath, [path.resolve("scripts/flightdeck.mjs"), "simulate", ...args], {
        encoding: "utf8",
        env: { ...process.env, LOG_LEVEL: "silent" },
      });
    const bad = cli(["--strategy", "delayed", "--delay", "20"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--delay: .*30 to 240.*got 20/);
    expect(cli(["--regions", "mars"]).stderr).toMatch(/--regions: unknown region "mars"; the config has us-east, eu-west, apac-se/);
    const ok = cli(["--regions", "us-east", "--fault", "us-east:100:health=503", "--json"]);
    expect(ok.status).toBe(0);
    const json = JSON.parse(ok.stdout);
    expect(Object.keys(json)).toEqual(["strategy", "outcome", "durationMinutes", "regions", "events"]);
    expect(json.regions[0]).toEqual({
      region: "us-east",
      outcome: "rolled_back",
      stoppedAtStage: 100,
      cause: [{ metric: "health", observed: 503, threshold: 200, unit: "status" }],
      startedAtMinute: 0,
      finishedAtMinute: expect.any(Number),
    });
    expect(json.events[0]).toEqual({ atMinute: 0, region: null, type: "rollout.started", message: expect.stringContaining("started") });
  });
});

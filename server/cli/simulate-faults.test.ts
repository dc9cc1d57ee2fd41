/**
 * The judgement's promises, each as a simulator drill (issue 12): a stage mostly without data never succeeds,
 * a failing canary on little traffic is rolled back, a rollback whose load balancer fails is retried until
 * 100 % is back on blue, and memory at exactly the 70 % limit fails.
 */
import { describe, expect, it } from "vitest";
import { simulate, type SimulationResult } from "./simulate";
import { parseSimulateArgs } from "./simulate-args";

const run = (argv: string[]) => simulate(parseSimulateArgs(argv));
const region = (result: SimulationResult, id: string) => result.regions.find((r) => r.region === id)!;
const types = (result: SimulationResult, id: string) => result.events.filter((e) => e.region === id).map((e) => e.type);

describe("simulator faults against the judgement", () => {
  it("no_data=2/3 at 10 %: two thirds of the stage unjudged never ends succeeded; the stage runs on, then pauses saying so", async () => {
    const result = await run(["--regions", "us-east", "--fault", "us-east:10:no_data=2/3"]);
    expect(result.outcome).toBe("paused");
    expect(region(result, "us-east").outcome).toBe("canary");
    const seen = types(result, "us-east");
    expect(seen).toContain("analysis.inconclusive");
    expect(seen).not.toContain("stage.passed");
    const unjudged = result.events.find((e) => e.region === "us-east" && e.type === "analysis.unjudged");
    expect(unjudged?.message).toMatch(/10 % stage/);
  });

  it("requests=5,error_rate=80 at 10 %: 4 errors in 5 requests is rolled back at 10 % on its first sample", async () => {
    const result = await run(["--regions", "us-east", "--fault", "us-east:10:requests=5,error_rate=80"]);
    expect(result.outcome).toBe("failed");
    expect(region(result, "us-east")).toMatchObject({ outcome: "rolled_back", stoppedAtStage: 10 });
    expect(region(result, "us-east").cause).toEqual([expect.objectContaining({ metric: "error_rate", observed: 80, threshold: 1 })]);
    const breach = result.events.find((e) => e.type === "analysis.breach");
    expect(breach?.message).toMatch(/4 errors in 5 requests/);
  });

  it("error_rate=1.2,traffic_errors=2 at eu-west 25 %: the rollback fails twice, is retried, and ends with 100 % on blue", async () => {
    const result = await run(["--fault", "eu-west:25:error_rate=1.2,traffic_errors=2"]);
    expect(result.outcome).toBe("failed");
    expect(region(result, "eu-west")).toMatchObject({ outcome: "rolled_back", stoppedAtStage: 25 });
    const seen = types(result, "eu-west");
    expect(seen.filter((t) => t === "traffic.failed" || t === "rollback.retry_failed")).toHaveLength(2);
    const done = result.events.find((e) => e.region === "eu-west" && e.type === "region.rolled_back");
    expect(done?.message).toMatch(/100 % of traffic is on blue again/);
    expect(region(result, "apac-se").outcome).toBe("blocked");
  });

  it("memory=70 at 100 %: exactly at the 70 % limit fails (the spec says below 70 %) and rolls back", async () => {
    const result = await run(["--regions", "us-east", "--fault", "us-east:100:memory=70"]);
    expect(region(result, "us-east")).toMatchObject({ outcome: "rolled_back", stoppedAtStage: 100 });
    expect(region(result, "us-east").cause).toEqual([expect.objectContaining({ metric: "memory", observed: 70, threshold: 70 })]);
  });

  it("baseline_error_rate: the old colour failing as much as the new one at 25 % is an environment problem, nothing rolled back", async () => {
    const result = await run(["--regions", "us-east", "--fault", "us-east:25:error_rate=1.2,baseline_error_rate=1.3"]);
    expect(result.outcome).toBe("paused");
    expect(region(result, "us-east").outcome).toBe("canary");
    expect(types(result, "us-east")).toContain("analysis.environment_problem");
    expect(types(result, "us-east")).not.toContain("region.rolled_back");
  });
});

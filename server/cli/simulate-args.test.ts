import { describe, expect, it } from "vitest";
import { parseFault, parseSimulateArgs } from "./simulate-args";

describe("flightdeck simulate arguments", () => {
  it("defaults to a sequential rollout of every region", () => {
    expect(parseSimulateArgs([])).toMatchObject({ strategy: "sequential", delayMinutes: null, regions: "all", faults: [], json: false, holdApprovals: false });
  });

  it("reads the spec's drill: delayed with 90-minute delays and a fault at eu-west 25 %", () => {
    const opts = parseSimulateArgs(["--strategy", "delayed", "--delay", "90", "--regions", "us-east,eu-west", "--fault", "eu-west:25:error_rate=1.2,latency_p95=420", "--json"]);
    expect(opts).toMatchObject({ strategy: "delayed", delayMinutes: 90, regions: ["us-east", "eu-west"], json: true });
    expect(opts.faults).toEqual([{ regionId: "eu-west", stagePercent: 25, values: { errorRatePct: 1.2, latencyP95Ms: 420 } }]);
  });

  it.each([
    [["--strategy", "yolo"], /--strategy: expected sequential, delayed or parallel, got "yolo"/],
    [["--delay", "soon"], /--delay: expected minutes as a number, got "soon"/],
    [["--fault", "eu-west:25"], /--fault "eu-west:25": expected <region>:<stage percent>/],
    [["--fault", "eu-west:250:error_rate=1"], /stage percent must be a whole number from 1 to 100, got "250"/],
    [["--fault", "eu-west:25:errors=1"], /unknown metric "errors"; use one of error_rate, latency_p95, cpu, memory, health/],
    [["--fault", "eu-west:25:health="], /health needs a number of 0 or more/],
    [["--seed", "x"], /--seed: expected a whole number/],
    [["--bogus"], /bogus/],
  ])("refuses %j naming the argument", (argv, message) => {
    expect(() => parseSimulateArgs(argv as string[])).toThrow(message);
  });

  it("parses every metric of a fault", () => {
    expect(parseFault("apac-se:100:cpu=85,memory=75,health=503").values).toEqual({ cpuPct: 85, memoryPct: 75, healthStatus: 503 });
  });
});

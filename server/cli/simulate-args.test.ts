import { describe, expect, it } from "vitest";
import { parseFault, parseSimulateArgs } from "./simulate-args";

describe("flightdeck simulate arguments", () => {
  it("defaults to a sequential rollout of every region", () => {
    expect(parseSimulateArgs([])).toMatchObject({ strategy: "sequential", delayMinutes: null, regions: "all", faults: [], json: false, holdApprovals: false });
  });

  it("reads the spec's drill: delayed with 90-minute delays and a fault at eu-west 25 %", () => {
    const opts = parseSimulateArgs([
      "--strategy",
      "delayed",
      "--delay",
      "90",
      "--regions",
      "us-east,eu-west",
      "--fault",
      "eu-west:25:error_rate=1.2,latency_p95=420",
      "--json",
    ]);
    expect(opts).toMatchObject({ strategy: "delayed", delayMinutes: 90, regions: ["us-east", "eu-west"], json: true });
    expect(opts.faults).toEqual([{ regionId: "eu-west", stagePercent: 25, values: { errorRatePct: 1.2, latencyP95Ms: 420 } }]);
  });

  it.each([
    [["--strategy", "yolo"], /--strategy: expected sequential, delayed or parallel, got "yolo"/],
    [["--delay", "soon"], /--delay: expected minutes as a number, got "soon"/],
    [["--fault", "eu-west:25"], /--fault "eu-west:25": expected <region>:<stage percent>/],
    [["--fault", "eu-west:250:error_rate=1"], /stage percent must be a whole number from 1 to 100, got "250"/],
    [
      ["--fault", "eu-west:25:errors=1"],
      /unknown key "errors"; use one of error_rate, latency_p95, cpu, memory, health, requests, no_data, traffic_errors, baseline_error_rate, baseline_latency_p95$/,
    ],
    [["--fault", "eu-west:25:health="], /health needs an HTTP status, a whole number of 0 or more, got ""/],
    [["--fault", "eu-west:25:error_rate=120"], /^--fault "eu-west:25:error_rate=120": error_rate needs a percent from 0 to 100, got "120"$/],
    [["--fault", "us-east:10:requests=2.5"], /^--fault "us-east:10:requests=2.5": requests needs a whole number of requests per sample, 0 or more, got "2.5"$/],
    [
      ["--fault", "us-east:10:no_data=3/2"],
      /^--fault "us-east:10:no_data=3\/2": no_data needs <k>\/<n>, k of every n samples with no data \(whole numbers, 1 ≤ k ≤ n\), got "3\/2"$/,
    ],
    [["--fault", "us-east:10:no_data=half"], /no_data needs <k>\/<n>.*got "half"/],
    [["--fault", "eu-west:25:traffic_errors=0"], /traffic_errors needs a whole number of failed weight changes, 1 or more, got "0"/],
    [["--fault", "eu-west:25:baseline_error_rate=-1"], /baseline_error_rate needs a percent from 0 to 100, got "-1"/],
    [["--fault", "eu-west:25:baseline_latency_p95=fast"], /baseline_latency_p95 needs milliseconds, 0 or more, got "fast"/],
    [["--fault", "eu-west:25:cpu=1=2"], /cpu needs a percent from 0 to 100, got "1=2"/],
    [["--seed", "x"], /--seed: expected a whole number/],
    [["--bogus"], /bogus/],
  ])("refuses %j naming the argument", (argv, message) => {
    expect(() => parseSimulateArgs(argv as string[])).toThrow(message);
  });

  it("parses every metric of a fault", () => {
    expect(parseFault("apac-se:100:cpu=85,memory=75,health=503").values).toEqual({ cpuPct: 85, memoryPct: 75, healthStatus: 503 });
  });

  it("parses the faults beyond metric values: requests, no data, a failing load balancer, the old colour", () => {
    expect(parseFault("us-east:10:requests=5,error_rate=80").values).toEqual({ requests: 5, errorRatePct: 80 });
    expect(parseFault("us-east:10:no_data=2/3").values).toEqual({ noData: { k: 2, n: 3 } });
    expect(parseFault("eu-west:25:error_rate=1.2,traffic_errors=2").values).toEqual({ errorRatePct: 1.2, trafficErrors: 2 });
    expect(parseFault("eu-west:50:baseline_error_rate=1.5,baseline_latency_p95=450").values).toEqual({ baselineErrorRatePct: 1.5, baselineLatencyP95Ms: 450 });
  });
});

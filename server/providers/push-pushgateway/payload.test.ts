import { describe, expect, it } from "vitest";
import { buildPushBody, groupingPath, type StageSnapshot } from "./payload";

const breachAt25: StageSnapshot = {
  rolloutId: "r-1",
  regionId: "eu-west",
  serviceId: "api",
  correlationId: "5f0c1a2b-3d4e-4f60-8172-93a4b5c6d7e8",
  stageIndex: 1,
  canaryPct: 25,
  errorRatePct: 1.2,
  latencyP95Ms: 420,
  cpuPct: 35.5,
  memoryPct: 48,
  verdict: "breach",
  stageDurationMs: 95_000,
};

describe("Pushgateway payload", () => {
  it("writes every gauge of a stage in the text format, labelled by service, stage and correlation id", () => {
    const labels = '{service="api",stage="2",correlation_id="5f0c1a2b-3d4e-4f60-8172-93a4b5c6d7e8"}';
    const samples = buildPushBody(breachAt25)
      .split("\n")
      .filter((l) => l && !l.startsWith("#"));
    expect(samples).toEqual([
      `flightdeck_canary_traffic_percent${labels} 25`,
      `flightdeck_canary_error_rate_percent${labels} 1.2`,
      `flightdeck_canary_latency_p95_seconds${labels} 0.42`,
      `flightdeck_canary_cpu_percent${labels} 35.5`,
      `flightdeck_canary_memory_percent${labels} 48`,
      `flightdeck_canary_verdict${labels} 0`,
      `flightdeck_stage_duration_seconds${labels} 95`,
    ]);
    expect(buildPushBody(breachAt25)).toContain("# TYPE flightdeck_canary_verdict gauge\n");
    expect(buildPushBody(breachAt25).endsWith("\n")).toBe(true);
  });

  it("pushes verdicts as 1 pass, 0 breach, -1 inconclusive", () => {
    const verdict = (v: StageSnapshot["verdict"]) => /flightdeck_canary_verdict\{[^}]*\} (-?\d+)/.exec(buildPushBody({ ...breachAt25, verdict: v }))?.[1];
    expect([verdict("pass"), verdict("breach"), verdict("inconclusive"), verdict(null)]).toEqual(["1", "0", "-1", undefined]);
  });

  it("leaves out what a stage that just started does not know yet, rather than pushing zeros", () => {
    const body = buildPushBody({ ...breachAt25, errorRatePct: null, latencyP95Ms: null, cpuPct: null, memoryPct: null, verdict: null, stageDurationMs: 0 });
    const names = body
      .split("\n")
      .filter((l) => l && !l.startsWith("#"))
      .map((l) => l.split("{")[0]);
    expect(names).toEqual(["flightdeck_canary_traffic_percent", "flightdeck_stage_duration_seconds"]);
  });

  it("escapes label values and groups by job, rollout and region", () => {
    expect(buildPushBody({ ...breachAt25, serviceId: 'we"ird\\svc' })).toContain('service="we\\"ird\\\\svc"');
    expect(groupingPath("r-1", "eu-west")).toBe("/metrics/job/flightdeck/rollout_id/r-1/region/eu-west");
    expect(groupingPath("a/b", "eu-west")).toBe(`/metrics/job/flightdeck/rollout_id@base64/${Buffer.from("a/b").toString("base64url")}/region/eu-west`);
  });
});

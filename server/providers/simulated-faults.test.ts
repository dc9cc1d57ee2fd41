/** The simulator's faults beyond metric values: requests per sample, no data, a failing load balancer, the old colour. */
import { describe, expect, it } from "vitest";
import { RegionConfig } from "@/server/config/schema";
import { VirtualClock } from "@/server/engine/clock";
import { SimulatedDeployProvider } from "./deploy-simulated";
import { SimulatedMetricsProvider } from "./metrics-simulated";
import { SimulatedWorld, type FaultValues } from "./simulated-world";
import { SimulatedTrafficProvider } from "./traffic-simulated";
import { ProviderError } from "./types";

const artifact = { version: "2.0.0", digest: `sha256:${"e".repeat(64)}`, url: null };

/** us-east with the release deployed on green and `pct` % of the traffic on it, and the fault at that stage. */
async function atStage(pct: number, values: FaultValues) {
  const world = new SimulatedWorld({ seed: 5 });
  const clock = new VirtualClock(0);
  const traffic = new SimulatedTrafficProvider(world, clock);
  world.injectFault("us-east", pct, values);
  await new SimulatedDeployProvider(world, clock, { seconds: 1 }).deploy({ region: "us-east", colour: "green", artifact, correlationId: "c" });
  await traffic.setWeight({ region: "us-east", colour: "green", canaryPct: pct });
  const metrics = new SimulatedMetricsProvider(world);
  const sample = (colour: "blue" | "green", i = 0) => metrics.measure({ region: "us-east", colour, stagePercent: pct, from: i * 30_000, to: (i + 1) * 30_000 });
  return { world, traffic, sample };
}

describe("simulated faults", () => {
  it("requests=5 with error_rate=80: the new colour serves 5 requests a sample, 4 of them failing; the old colour is untouched", async () => {
    const { sample } = await atStage(10, { requests: 5, errorRatePct: 80 });
    expect(await sample("green")).toMatchObject({ requests: 5, errorRatePct: 80 });
    const blue = await sample("blue");
    expect(blue.requests).toBe(540);
    expect(blue.errorRatePct!).toBeLessThan(0.1);
  });

  it("requests=0: no request metrics at all, whatever the error rate says", async () => {
    const { sample } = await atStage(10, { requests: 0, errorRatePct: 50 });
    expect(await sample("green")).toMatchObject({ requests: 0, errorRatePct: null, latencyP95Ms: null });
  });

  it("no_data=2/3: the first two of every three samples of the new colour have no data, the third has", async () => {
    const { sample } = await atStage(25, { noData: { k: 2, n: 3 } });
    const got = [];
    for (let i = 0; i < 6; i++) got.push((await sample("green", i)).errorRatePct === null);
    expect(got).toEqual([true, true, false, true, true, false]);
    expect(await sample("green", 6)).toEqual({ requests: null, errorRatePct: null, latencyP95Ms: null, cpuPct: null, memoryPct: null, healthStatus: null });
    expect((await sample("blue", 0)).errorRatePct).not.toBeNull();
  });

  it("baseline_error_rate and baseline_latency_p95 are the old colour's figures at that stage", async () => {
    const { sample } = await atStage(50, { baselineErrorRatePct: 1.5, baselineLatencyP95Ms: 450 });
    expect(await sample("blue")).toMatchObject({ errorRatePct: 1.5, latencyP95Ms: 450 });
    const green = await sample("green");
    expect(green.errorRatePct!).toBeLessThan(0.1);
    expect(green.latencyP95Ms!).toBeLessThan(200);
  });

  it("traffic_errors=2: once the stage's traffic is in place, the next two weight changes time out (retryable) and change nothing; the third works", async () => {
    const { world, traffic } = await atStage(25, { trafficErrors: 2 });
    const failure = (err: unknown) => err as ProviderError;
    const first = await traffic.setWeight({ region: "us-east", colour: "green", canaryPct: 0 }).catch(failure);
    expect(first).toBeInstanceOf(ProviderError);
    expect((first as ProviderError).retryable).toBe(true);
    expect((first as ProviderError).message).toBe(
      "load balancer in us-east timed out sending 0 % to green; it still holds blue 75 % / green 25 % (simulated fault: 1 more to fail)",
    );
    const second = await traffic.setWeight({ region: "us-east", colour: "green", canaryPct: 0 }).catch(failure);
    expect((second as ProviderError).message).toMatch(/the last one to fail/);
    expect(world.weightOf("us-east")).toEqual({ blue: 75, green: 25 });
    expect(await traffic.setWeight({ region: "us-east", colour: "green", canaryPct: 0 })).toEqual({ blue: 100, green: 0 });
    // Armed once: moving to 25 % again does not fail again.
    expect(await traffic.setWeight({ region: "us-east", colour: "green", canaryPct: 25 })).toEqual({ blue: 75, green: 25 });
    expect(await traffic.setWeight({ region: "us-east", colour: "green", canaryPct: 0 })).toEqual({ blue: 100, green: 0 });
  });

  it("traffic_errors of a later stage does not arm before that stage's traffic is in place", async () => {
    const { world, traffic } = await atStage(10, {});
    world.injectFault("us-east", 50, { trafficErrors: 1 });
    expect(await traffic.setWeight({ region: "us-east", colour: "green", canaryPct: 25 })).toEqual({ blue: 75, green: 25 });
    expect(await traffic.setWeight({ region: "us-east", colour: "green", canaryPct: 50 })).toEqual({ blue: 50, green: 50 });
    await expect(traffic.setWeight({ region: "us-east", colour: "green", canaryPct: 75 })).rejects.toThrow(/timed out sending 75 % to green/);
  });

  it("the same faults from the config file (metrics.faults): requests, no data, the old colour; k above n is refused", async () => {
    const region = (faults: unknown[]) =>
      RegionConfig.safeParse({
        id: "us-east",
        name: "US East",
        environment: "prod",
        order: 1,
        targets: { blue: { host: "a" }, green: { host: "b" } },
        metrics: { provider: "simulated", faults },
      });
    const parsed = region([
      { stagePercent: 10, requests: 5, errorRatePct: 80, baselineErrorRatePct: 2 },
      { stagePercent: 25, noData: { k: 1, n: 2 } },
    ]);
    expect(parsed.success).toBe(true);
    const metrics = parsed.data!.metrics;
    if (metrics.provider !== "simulated") throw new Error("simulated metrics expected");
    const { world } = await atStage(10, {});
    world.clearFaults();
    const provider = new SimulatedMetricsProvider(world, { faults: metrics.faults });
    const window = { region: "us-east", stagePercent: 10, from: 0, to: 30_000 };
    expect(await provider.measure({ ...window, colour: "green" })).toMatchObject({ requests: 5, errorRatePct: 80 });
    expect(await provider.measure({ ...window, colour: "blue" })).toMatchObject({ errorRatePct: 2 });
    expect((await provider.measure({ ...window, stagePercent: 25, colour: "green" })).requests).toBeNull();
    expect((await provider.measure({ ...window, stagePercent: 25, colour: "green", from: 30_000, to: 60_000 })).requests).not.toBeNull();
    const bad = region([{ stagePercent: 10, noData: { k: 3, n: 2 } }]);
    expect(bad.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["metrics.faults.0.noData", "expected k ≤ n: k of every n samples have no data"],
    ]);
  });
});

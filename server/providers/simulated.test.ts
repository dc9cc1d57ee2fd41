import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "@/server/engine/clock";
import { SimulatedDeployProvider } from "./deploy-simulated";
import { SimulatedMetricsProvider } from "./metrics-simulated";
import { SimulatedWorld } from "./simulated-world";
import { SimulatedTrafficProvider } from "./traffic-simulated";
import { alreadyDeployed, ProviderError } from "./types";

const DIGEST = `sha256:${"d".repeat(64)}`;
const artifact = { version: "1.4.2", digest: DIGEST, url: null };
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function setup(seed = 3) {
  const world = new SimulatedWorld({ seed });
  const clock = new VirtualClock(0);
  return { world, clock, deploy: new SimulatedDeployProvider(world, clock, { seconds: 20 }), traffic: new SimulatedTrafficProvider(world, clock) };
}

describe("simulated deploy and traffic", () => {
  it("a deploy takes the region's seconds on the clock given and installs the verified digest", async () => {
    const { world, clock, deploy } = setup();
    const { log } = await deploy.deploy({ region: "eu-west", colour: "green", artifact, correlationId: "c1" });
    expect(clock.now()).toBe(20_000);
    expect(log.join("\n")).toContain(`digest verified: ${DIGEST}`);
    expect(world.installedOn("eu-west", "green")?.digest).toBe(DIGEST);
    expect(world.deployCalls).toEqual([{ region: "eu-west", colour: "green", version: "1.4.2", digest: DIGEST, correlationId: "c1", at: 20_000 }]);
    await expect(
      deploy.deploy({ region: "eu-west", colour: "green", artifact: { ...artifact, digest: "sha256:nope" }, correlationId: "c1" }),
    ).rejects.toBeInstanceOf(ProviderError);
  });

  it("status reads what the colour runs: nothing before the deploy, the installed release (healthy) after it", async () => {
    const { deploy } = setup();
    const input = { region: "eu-west", colour: "green" as const, artifact, correlationId: "c1" };
    expect(await deploy.status(input)).toEqual({ current: null, restarted: false, health: { url: "http://green.eu-west.simulated/health", status: null } });
    expect(alreadyDeployed(await deploy.status(input), artifact)).toBeNull();
    await deploy.deploy(input);
    const status = await deploy.status(input);
    expect(status).toEqual({
      current: { version: "1.4.2", digest: DIGEST },
      restarted: true,
      health: { url: "http://green.eu-west.simulated/health", status: 200 },
    });
    expect(alreadyDeployed(status, artifact)).toEqual({ digest: DIGEST, health: { url: "http://green.eu-west.simulated/health", status: 200 } });
    expect(alreadyDeployed(status, { ...artifact, version: "1.4.3" })).toBeNull();
  });

  it("setWeight resolves with the split read back; percent outside 0..100 is refused", async () => {
    const { world, traffic } = setup();
    expect(await traffic.getWeight({ region: "us-east" })).toEqual({ blue: 100, green: 0 });
    expect(await traffic.setWeight({ region: "us-east", colour: "green", canaryPct: 25 })).toEqual({ blue: 75, green: 25 });
    expect(await traffic.setWeight({ region: "us-east", colour: "blue", canaryPct: 100 })).toEqual({ blue: 100, green: 0 });
    await expect(traffic.setWeight({ region: "us-east", colour: "green", canaryPct: 120 })).rejects.toThrow("0 to 100");
    expect(world.weightCalls.map((c) => c.canaryPct)).toEqual([25, 100]);
  });

  it("a world kept in a state file is seen by the next process", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "flightdeck-world-"));
    dirs.push(dir);
    const stateFile = path.join(dir, "world.json");
    const world = new SimulatedWorld({ stateFile });
    const clock = new VirtualClock(0);
    await new SimulatedTrafficProvider(world, clock).setWeight({ region: "apac-se", colour: "green", canaryPct: 50 });
    await new SimulatedDeployProvider(world, clock, { seconds: 1 }).deploy({ region: "apac-se", colour: "green", artifact, correlationId: "c" });
    const reopened = SimulatedWorld.read(stateFile);
    expect(reopened.weightOf("apac-se")).toEqual({ blue: 50, green: 50 });
    expect(reopened.deployCalls).toHaveLength(1);
    expect(reopened.weightCalls).toHaveLength(1);
  });

  it("a world kept in a state file is shared: each process sees the others' changes and none is lost", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "flightdeck-world-"));
    dirs.push(dir);
    const stateFile = path.join(dir, "world.json");
    const [a, b] = [new SimulatedWorld({ stateFile }), new SimulatedWorld({ stateFile })];
    const clock = new VirtualClock(0);
    await new SimulatedTrafficProvider(a, clock).setWeight({ region: "us-east", colour: "green", canaryPct: 10 });
    await new SimulatedTrafficProvider(b, clock).setWeight({ region: "eu-west", colour: "green", canaryPct: 25 });
    await new SimulatedTrafficProvider(a, clock).setWeight({ region: "us-east", colour: "green", canaryPct: 50 });
    for (const world of [a, b, SimulatedWorld.read(stateFile)]) {
      expect(world.weightOf("us-east")).toEqual({ blue: 50, green: 50 });
      expect(world.weightOf("eu-west")).toEqual({ blue: 75, green: 25 });
      expect(world.weightCalls.map((c) => `${c.region} ${c.canaryPct}`)).toEqual(["us-east 10", "eu-west 25", "us-east 50"]);
    }
  });
});

describe("simulated metrics", () => {
  it("are healthy, well inside every threshold, with requests in proportion to the window and the traffic share", async () => {
    const { world, traffic } = setup();
    await traffic.setWeight({ region: "us-east", colour: "green", canaryPct: 10 });
    const metrics = new SimulatedMetricsProvider(world);
    for (let i = 0; i < 50; i++) {
      const from = i * 30_000;
      const m = await metrics.measure({ region: "us-east", colour: "green", stagePercent: 10, from, to: from + 30_000 });
      expect(m.requests).toBe(60);
      expect(m.errorRatePct!).toBeGreaterThanOrEqual(0.02);
      expect(m.errorRatePct!).toBeLessThanOrEqual(0.08);
      expect(m.latencyP95Ms!).toBeGreaterThanOrEqual(120);
      expect(m.latencyP95Ms!).toBeLessThanOrEqual(180);
      expect(m.cpuPct!).toBeLessThanOrEqual(45);
      expect(m.memoryPct!).toBeLessThanOrEqual(55);
      expect(m.healthStatus).toBe(200);
    }
    const blue = await metrics.measure({ region: "us-east", colour: "blue", stagePercent: 10, from: 0, to: 30_000 });
    expect(blue.requests).toBe(540);
  });

  it("are the same for the same seed, region, colour and window, and differ with the seed", async () => {
    const window = { region: "eu-west", colour: "blue" as const, stagePercent: null, from: 1_000, to: 31_000 };
    const a = await new SimulatedMetricsProvider(new SimulatedWorld({ seed: 1 })).measure(window);
    const b = await new SimulatedMetricsProvider(new SimulatedWorld({ seed: 1 })).measure(window);
    const c = await new SimulatedMetricsProvider(new SimulatedWorld({ seed: 2 })).measure(window);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });

  it("show a colour with no traffic as no data, not as zero errors", async () => {
    const m = await new SimulatedMetricsProvider(new SimulatedWorld()).measure({ region: "eu-west", colour: "green", stagePercent: 10, from: 0, to: 30_000 });
    expect(m).toMatchObject({ requests: 0, errorRatePct: null, latencyP95Ms: null });
  });

  it("apply faults from the config and from code to the new colour at their stage only", async () => {
    const { world, traffic, deploy } = setup();
    await deploy.deploy({ region: "eu-west", colour: "green", artifact, correlationId: "c" });
    await traffic.setWeight({ region: "eu-west", colour: "green", canaryPct: 25 });
    const metrics = new SimulatedMetricsProvider(world, { faults: [{ stagePercent: 25, latencyP95Ms: 420 }] });
    world.injectFault("eu-west", 25, { errorRatePct: 1.2 });
    const window = { region: "eu-west", from: 0, to: 30_000 };
    expect(await metrics.measure({ ...window, colour: "green", stagePercent: 25 })).toMatchObject({ errorRatePct: 1.2, latencyP95Ms: 420 });
    const otherStage = await metrics.measure({ ...window, colour: "green", stagePercent: 10 });
    expect(otherStage.errorRatePct!).toBeLessThan(0.1);
    const oldColour = await metrics.measure({ ...window, colour: "blue", stagePercent: 25 });
    expect(oldColour.latencyP95Ms!).toBeLessThan(200);
    world.clearFaults("eu-west");
    expect((await metrics.measure({ ...window, colour: "green", stagePercent: 25 })).errorRatePct!).toBeLessThan(0.1);
  });
});

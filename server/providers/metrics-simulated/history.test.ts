import { describe, expect, it } from "vitest";
import { SimulatedWorld } from "../simulated-world";
import { SimulatedMetricsProvider } from ".";

describe("simulated metrics history", () => {
  it("gives one sample per step, each what a live measurement of that window gives, faults included", async () => {
    const world = new SimulatedWorld({ seed: 3 });
    world.setWeights("eu-west", "green", 25, { blue: 75, green: 25 }, 0);
    world.install(
      { region: "eu-west", colour: "green", version: "1.0.0", digest: `sha256:${"a".repeat(64)}`, correlationId: "c", at: 0 },
      { version: "1.0.0", digest: `sha256:${"a".repeat(64)}`, url: null },
    );
    world.injectFault("eu-west", 25, { errorRatePct: 3 });
    const metrics = new SimulatedMetricsProvider(world);
    const input = { region: "eu-west", colour: "green" as const, stagePercent: 25, from: 0, to: 95_000, stepMs: 30_000 };
    const history = await metrics.history(input);
    expect(history.map((s) => [s.from, s.to])).toEqual([
      [0, 30_000],
      [30_000, 60_000],
      [60_000, 90_000],
    ]);
    for (const s of history) {
      expect(s.measurement.errorRatePct).toBe(3);
      expect(s.measurement).toEqual(await new SimulatedMetricsProvider(world).measure({ ...input, from: s.from, to: s.to }));
    }
  });
});

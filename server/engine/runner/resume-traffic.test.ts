import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Actor } from "@/server/actor";
import { ProviderError } from "@/server/providers/types";
import { pauseRegion, resumeRegion } from "@/server/services/region-commands";
import { providersForRegion } from "./providers";
import { Runner } from "./runner";
import { addUser, createHarness, demoConfig, eventsOf, providersWithSetWeight, regionRolloutOf, runUntil, type Harness, startInUsEast } from "./test-fixtures";

let h: Harness;
let dana: Actor;
/** us-east's load balancer refuses every change while this is set. */
let balancerDown = false;
let runner: Runner;

beforeEach(() => {
  h = createHarness({ config: demoConfig((raw) => ((raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }])) });
  dana = addUser(h.db, "dana", "Dana", ["deployer"]);
  balancerDown = false;
  runner = new Runner({
    db: h.db,
    config: h.config,
    clock: h.clock,
    id: "runner-r",
    providersFor: providersWithSetWeight(h, async (input, real, region) => {
      if (balancerDown) throw new ProviderError("traffic-simulated", `the load balancer of ${region} cannot be reached`, true);
      return real.setWeight(input);
    }),
  });
});
afterEach(() => h.cleanup());

const start = () => startInUsEast(h, dana);
const row = (rolloutId: string) => regionRolloutOf(h.db, rolloutId, "us-east");

describe("a region resumed after a pause", () => {
  it("first puts back the split its load balancer lost meanwhile, with an event, then goes on", async () => {
    const rolloutId = await start();
    await runUntil(h, () => row(rolloutId).canaryPct === 10, undefined, 20_000, runner);
    await pauseRegion(h.as(dana), { rolloutId, regionId: "us-east" });
    await runner.tick();
    // The load balancer restarted from its config while the region was paused.
    h.world.setWeights("us-east", "blue", 0, { blue: 100, green: 0 }, h.clock.now());

    await resumeRegion(h.as(dana), { rolloutId, regionId: "us-east" });
    await runner.tick();
    expect(h.world.weightOf("us-east")).toEqual({ blue: 90, green: 10 });
    const [event] = eventsOf(h.db, { type: "traffic.reconciled" });
    expect(event).toMatchObject({ regionId: "us-east", data: { found: { blue: 100, green: 0 }, restored: { blue: 90, green: 10 } } });
    await runUntil(h, () => row(rolloutId).canaryPct === 25, undefined, 20_000, runner);
  });

  it("never moves traffic back toward the new colour when its rollback is what failed: the rollback is tried again", async () => {
    h.world.injectFault("us-east", 10, { errorRatePct: 5 });
    const rolloutId = await start();
    await runUntil(
      h,
      () => row(rolloutId).canaryPct === 10,
      () => (balancerDown = row(rolloutId).canaryPct === 10),
      20_000,
      runner,
    );
    await runUntil(h, () => row(rolloutId).rollbackAttempts >= 3, undefined, 20_000, runner);
    expect(row(rolloutId)).toMatchObject({ phase: "canary", paused: false, rollbackLastError: "the load balancer of us-east cannot be reached" });

    // The load balancer came back from its config (green at 0), and a new runner takes the rollout over.
    h.world.setWeights("us-east", "blue", 0, { blue: 100, green: 0 }, h.clock.now());
    balancerDown = false;
    const calls = h.world.weightCalls.length;
    await runner.stop();
    const next = new Runner({
      db: h.db,
      config: h.config,
      clock: h.clock,
      id: "runner-s",
      providersFor: (region) => providersForRegion(h.config, region, h.world, h.clock),
    });
    await runUntil(h, () => row(rolloutId).phase === "rolled_back", undefined, 20_000, next);
    expect(h.world.weightCalls.slice(calls).map((c) => c.canaryPct)).toEqual([0]);
    expect(eventsOf(h.db, { type: "traffic.reconciled" })).toEqual([]);
  });
});

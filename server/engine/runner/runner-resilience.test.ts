import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Actor } from "@/server/actor";
import type { MetricsProvider } from "@/server/providers/types";
import { startRollout } from "@/server/services/rollouts";
import { providersForRegion } from "./providers";
import { Runner } from "./runner";
import { addUser, createHarness, demoConfig, DIGEST_A, eventsOf, phases, regionRolloutOf, regionStateOf, runUntil, type Harness } from "./test-fixtures";

let h: Harness;
let dana: Actor;
beforeEach(() => {
  h = createHarness({ config: demoConfig((raw) => ((raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }])) });
  dana = addUser(h.db, "dana", "Dana", ["deployer"]);
});
afterEach(() => h.cleanup());

const start = async (regions: string[]) =>
  (
    await startRollout(h.as(dana), {
      serviceId: "api",
      artifact: { version: "1.0.0", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
      strategy: "parallel",
      regions,
    })
  ).rolloutId;

describe("a runner taking a rollout over", () => {
  it("puts back the split the database holds when the load balancer lost it (traffic.reconciled)", async () => {
    const rolloutId = await start(["us-east"]);
    await runUntil(h, () => regionRolloutOf(h.db, rolloutId, "us-east").canaryPct === 25);
    // The load balancer restarted with its default config while nobody was watching.
    h.world.setWeights("us-east", "blue", 100, { blue: 100, green: 0 }, h.clock.now());
    h.clock.advance(16_000);

    const next = h.newRunner("runner-b");
    await next.tick();
    expect(h.world.weightOf("us-east")).toEqual({ blue: 75, green: 25 });
    const [event] = eventsOf(h.db, { type: "traffic.reconciled" });
    expect(event).toMatchObject({ actor: "engine", regionId: "us-east", data: { found: { blue: 100, green: 0 }, restored: { blue: 75, green: 25 } } });
    expect(regionStateOf(h.db, "us-east").greenPct).toBe(25);
    expect(regionRolloutOf(h.db, rolloutId, "us-east")).toMatchObject({ stageIndex: 1, canaryPct: 25 });
  });

  it("changes nothing when the load balancer agrees", async () => {
    const rolloutId = await start(["us-east"]);
    await runUntil(h, () => regionRolloutOf(h.db, rolloutId, "us-east").canaryPct === 25);
    const calls = h.world.weightCalls.length;
    h.clock.advance(16_000);
    await h.newRunner("runner-b").tick();
    expect(eventsOf(h.db, { type: "traffic.reconciled" })).toHaveLength(0);
    expect(h.world.weightCalls).toHaveLength(calls);
  });
});

describe("one region's failure", () => {
  it("never stops the other regions: a region whose providers cannot be built pauses with the reason", async () => {
    const rolloutId = await start(["us-east", "eu-west", "apac-se"]);
    const runner = new Runner({
      db: h.db,
      config: h.config,
      clock: h.clock,
      id: "runner-c",
      providersFor: (region) => {
        if (region === "apac-se") throw new Error("apac-se: the ssh deploy provider is not available in this version");
        return providersForRegion(h.config, region, h.world, h.clock);
      },
    });
    await runUntil(h, () => phases(h.db)["us-east"] === "succeeded" && phases(h.db)["eu-west"] === "succeeded", undefined, 20_000, runner);
    const apac = regionRolloutOf(h.db, rolloutId, "apac-se");
    expect(apac).toMatchObject({ phase: "deploying", paused: true });
    expect(apac.pauseReason).toContain("ssh deploy provider is not available");
    expect(h.world.deployCalls.map((c) => c.region).sort()).toEqual(["eu-west", "us-east"]);
  });

  it("never stops the other regions: an error escaping one region's pass is logged and retried later", async () => {
    const rolloutId = await start(["us-east", "eu-west", "apac-se"]);
    const runner = new Runner({
      db: h.db,
      config: h.config,
      clock: h.clock,
      id: "runner-d",
      providersFor: (region) => {
        const real = providersForRegion(h.config, region, h.world, h.clock);
        if (region !== "apac-se") return real;
        // apac-se deploys and starts its first stage, but its metrics provider cannot even be built.
        return {
          deploy: real.deploy,
          traffic: real.traffic,
          get metrics(): MetricsProvider {
            throw new Error("metrics store for apac-se is misconfigured");
          },
        };
      },
    });
    let errors = 0;
    await runUntil(h, () => phases(h.db)["us-east"] === "succeeded" && phases(h.db)["eu-west"] === "succeeded", undefined, 20_000, {
      tick: async () => {
        const report = await runner.tick();
        errors += report.errors;
        return report;
      },
      nextDueAt: () => runner.nextDueAt(),
    });
    expect(errors).toBeGreaterThan(0);
    expect(regionRolloutOf(h.db, rolloutId, "apac-se")).toMatchObject({ phase: "canary", stageIndex: 0, canaryPct: 10, lastSampleAt: null });
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { steps } from "@/db/schema";
import type { Actor } from "@/server/actor";
import { ProviderError } from "@/server/providers/types";
import { rollbackRegion } from "@/server/services/region-commands";
import { getRolloutView } from "@/server/services/rollout-view";
import { abortError } from "@/server/engine/clock";
import { providersForRegion } from "./providers";
import { Runner } from "./runner";
import {
  addUser,
  createHarness,
  demoConfig,
  startInUsEast,
  eventsOf,
  providersWithSetWeight,
  regionRolloutOf,
  regionStateOf,
  runUntil,
  type Harness,
} from "./test-fixtures";

const MIN = 60_000;
let h: Harness;
let dana: Actor;
let sam: Actor;
/** How many of the next moves back to 0 % the load balancer of us-east refuses. */
let failNextRollbacks = 0;
let runner: Runner;

beforeEach(() => {
  h = createHarness({ config: demoConfig((raw) => ((raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }])) });
  dana = addUser(h.db, "dana", "Dana", ["deployer"]);
  sam = addUser(h.db, "sam", "Sam", ["sre"]);
  failNextRollbacks = 0;
  runner = new Runner({
    db: h.db,
    config: h.config,
    clock: h.clock,
    id: "runner-r",
    providersFor: providersWithSetWeight(h, async (input, real) => {
      if (input.canaryPct === 0 && failNextRollbacks > 0) {
        failNextRollbacks--;
        throw new ProviderError("traffic-haproxy", "HAProxy runtime API: timeout after 2 s", true);
      }
      return real.setWeight(input);
    }),
  });
});
afterEach(() => h.cleanup());

const start = () => startInUsEast(h, dana);
const row = (rolloutId: string) => regionRolloutOf(h.db, rolloutId, "us-east");

describe("a rollback the load balancer refuses 15 times", () => {
  it("is retried with backoff until 100 % is verified on the old colour, with one alert per 5 minutes and nothing else meanwhile", async () => {
    h.world.injectFault("us-east", 10, { errorRatePct: 5 });
    failNextRollbacks = 15;
    const rolloutId = await start();
    await runUntil(h, () => row(rolloutId).rollbackAttempts === 3, undefined, 20_000, runner);
    const retrying = (await getRolloutView(h.as(dana), rolloutId)).regions[0];
    expect(retrying.rollbackRetry).toMatchObject({ attempts: 3, lastError: "HAProxy runtime API: timeout after 2 s" });

    await runUntil(h, () => row(rolloutId).phase === "rolled_back", undefined, 20_000, runner);
    expect(failNextRollbacks).toBe(0);
    expect(row(rolloutId)).toMatchObject({ canaryPct: 0, paused: false, rollbackAttempts: 0, rollbackNextAt: null });
    expect(h.world.weightOf("us-east")).toEqual({ blue: 100, green: 0 });
    expect(regionStateOf(h.db, "us-east").greenPct).toBe(0);

    const failures = eventsOf(h.db, { regionId: "us-east" }).filter((e) => e.type === "traffic.failed" || e.type === "rollback.retry_failed");
    expect(failures).toHaveLength(15);
    const alerts = failures.filter((e) => (e.data as { alert?: boolean } | null)?.alert === true);
    const gaps = alerts.slice(1).map((a, i) => a.at - alerts[i].at);
    expect(alerts.length).toBe(Math.floor((failures.at(-1)!.at - failures[0].at) / (5 * MIN)) + 1);
    expect(alerts.length).toBeGreaterThanOrEqual(2);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(5 * MIN);
    for (const gap of gaps) expect(gap).toBeLessThan(6 * MIN);
    // Nothing else happened in the region while the rollback was failing: no sample, no stage move.
    const during = eventsOf(h.db, { regionId: "us-east" }).filter((e) => e.at > failures[0].at && e.at < failures.at(-1)!.at);
    expect(new Set(during.map((e) => e.type))).toEqual(new Set(["traffic.failed", "rollback.retry_failed"]));
    expect(h.world.weightCalls.map((c) => c.canaryPct)).toEqual([10, 0]);
    expect(eventsOf(h.db, { type: "region.rolled_back" })[0].message).toContain("(after 16 tries)");
    expect((await getRolloutView(h.as(dana), rolloutId)).regions[0].rollbackRetry).toBeNull();
  });
});

describe("a one-click rollback the load balancer refuses", () => {
  it("gets the same retries and ends rolled back with 100 % on the old colour", async () => {
    const rolloutId = await start();
    await runUntil(h, () => row(rolloutId).canaryPct === 10, undefined, 20_000, runner);
    failNextRollbacks = 4;
    await rollbackRegion(h.as(sam), { serviceId: "api", regionId: "us-east" });
    await runUntil(h, () => row(rolloutId).phase === "rolled_back", undefined, 20_000, runner);
    expect(failNextRollbacks).toBe(0);
    expect(h.world.weightOf("us-east")).toEqual({ blue: 100, green: 0 });
    expect(row(rolloutId).outcomeReason).toBe("rolled back by user:sam (manual) at the 10 % stage; 100 % of traffic is back on blue");
    expect(eventsOf(h.db, { regionId: "us-east" }).filter((e) => e.type === "traffic.failed")).toHaveLength(1);
    expect(eventsOf(h.db, { regionId: "us-east" }).filter((e) => e.type === "rollback.retry_failed")).toHaveLength(3);
  });
});

describe("a runner taking over a region whose one-click rollback is being retried", () => {
  it("never puts the canary's split back: the next move is the rollback's", async () => {
    const rolloutId = await start();
    await runUntil(h, () => row(rolloutId).canaryPct === 10, undefined, 20_000, runner);
    failNextRollbacks = 1_000;
    await rollbackRegion(h.as(sam), { serviceId: "api", regionId: "us-east" });
    await runUntil(h, () => row(rolloutId).rollbackAttempts >= 2, undefined, 20_000, runner);
    await runner.stop();

    // The load balancer lost the split meanwhile (restarted from its config: all on blue) and answers again.
    h.world.setWeights("us-east", "blue", 0, { blue: 100, green: 0 }, h.clock.now());
    failNextRollbacks = 0;
    const calls = h.world.weightCalls.length;
    const next = new Runner({
      db: h.db,
      config: h.config,
      clock: h.clock,
      id: "runner-t",
      providersFor: (region) => providersForRegion(h.config, region, h.world, h.clock),
    });
    await runUntil(h, () => row(rolloutId).phase === "rolled_back", undefined, 20_000, next);
    expect(h.world.weightCalls.slice(calls).map((c) => c.canaryPct)).toEqual([0]);
    expect(eventsOf(h.db, { type: "traffic.reconciled" })).toEqual([]);
    expect(h.world.weightOf("us-east")).toEqual({ blue: 100, green: 0 });
  });
});

describe("a crash right after a retried rollback moved the traffic, before its step was recorded", () => {
  it("finds the move to 0 % done on restart (the balancer holds it), never moves the traffic back to the canary, and records one rollback", async () => {
    const rolloutId = await start();
    await runUntil(h, () => row(rolloutId).canaryPct === 10, undefined, 20_000, runner);
    failNextRollbacks = 1;
    await rollbackRegion(h.as(sam), { serviceId: "api", regionId: "us-east" });
    await runUntil(h, () => row(rolloutId).rollbackAttempts >= 1, undefined, 20_000, runner);
    await runner.stop();

    // The retry's move reaches the load balancer, then the process dies before the step's result is stored.
    const crashing = new Runner({
      db: h.db,
      config: h.config,
      clock: h.clock,
      id: "runner-crashing",
      providersFor: providersWithSetWeight(h, async (input, real) => {
        await real.setWeight(input);
        throw abortError();
      }),
    });
    await runUntil(
      h,
      () =>
        h.db.raw
          .select()
          .from(steps)
          .all()
          .some((s) => s.key.includes("/rollback/retry-") && s.status === "started"),
      undefined,
      20_000,
      crashing,
    );
    await crashing.stop();
    expect(h.world.weightOf("us-east")).toEqual({ blue: 100, green: 0 });
    expect(row(rolloutId).phase).toBe("canary");

    const calls = h.world.weightCalls.length;
    const next = new Runner({
      db: h.db,
      config: h.config,
      clock: h.clock,
      id: "runner-after",
      providersFor: (region) => providersForRegion(h.config, region, h.world, h.clock),
    });
    await runUntil(h, () => row(rolloutId).phase === "rolled_back", undefined, 20_000, next);
    expect(h.world.weightCalls.slice(calls)).toEqual([]);
    const retry = h.db.raw
      .select()
      .from(steps)
      .all()
      .find((s) => s.key.includes("/rollback/retry-"));
    expect(retry?.attempts?.map((a) => a.outcome)).toEqual(["interrupted", "found done after restart"]);
    expect(h.world.weightOf("us-east")).toEqual({ blue: 100, green: 0 });
    expect(eventsOf(h.db, { type: "region.rolled_back", regionId: "us-east" })).toHaveLength(1);
  });
});

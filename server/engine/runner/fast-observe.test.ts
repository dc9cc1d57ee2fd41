/**
 * metrics.fast in the runner: between two 30 s samples the load balancer's counters are read every 500 ms, and
 * a bad release's errors roll the region back within a read, counted from just before the stage's traffic
 * moved (older counts are not the stage's); a good release is never passed by them, and a failed read only
 * leaves the regular samples to do their work.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { samples } from "@/db/schema";
import type { Actor } from "@/server/actor";
import type { Colour, FastMetricsProvider, RegionProviders, RequestCounters } from "@/server/providers/types";
import { ProviderError } from "@/server/providers/types";
import { providersForRegion } from "./providers";
import { Runner } from "./runner";
import { addUser, createHarness, demoConfig, eventsOf, regionRolloutOf, runUntil, type Harness, startInUsEast } from "./test-fixtures";

let h: Harness;
let dana: Actor;
let runner: Runner;
/** What HAProxy's counters hold now; `failing` makes each read throw. */
let lb: { counters: Record<Colour, RequestCounters>; reads: number[]; failing: boolean };

const counters = (requests: number, errors: number): RequestCounters => ({ requests, errors, responseMs: null, totalMs: null, status: "UP" });

beforeEach(() => {
  h = createHarness({ config: demoConfig((raw) => ((raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }])) });
  dana = addUser(h.db, "dana", "Dana", ["deployer"]);
  // The previous release left green's counters high, errors included: none of them is the new stage's.
  lb = { counters: { blue: counters(90_000, 20), green: counters(10_000, 400) }, reads: [], failing: false };
  const fast: FastMetricsProvider = {
    intervalMs: 500,
    counters: async () => {
      lb.reads.push(h.clock.now());
      if (lb.failing)
        throw new ProviderError(
          "metrics-haproxy-stats",
          "HAProxy's runtime API at /run/haproxy/admin.sock cannot be reached: connection refused (is HAProxy down?)",
          true,
        );
      return { blue: { ...lb.counters.blue }, green: { ...lb.counters.green } };
    },
  };
  runner = new Runner({
    db: h.db,
    config: h.config,
    clock: h.clock,
    id: "runner-f",
    providersFor: (region): RegionProviders => ({ ...providersForRegion(h.config, region, h.world, h.clock), fast }),
  });
});
afterEach(() => h.cleanup());

const start = () => startInUsEast(h, dana);
const row = (rolloutId: string) => regionRolloutOf(h.db, rolloutId, "us-east");
const inStage = (rolloutId: string, index: number) => () =>
  row(rolloutId).phase === "canary" && row(rolloutId).stageIndex === index && row(rolloutId).stageStartedAt !== null;

describe("fast breach detection in the runner", () => {
  it("green's first failing requests roll back at the next 500 ms read, long before the 30 s sample, with their counts as the cause", async () => {
    const rolloutId = await start();
    await runUntil(h, inStage(rolloutId, 0), undefined, 20_000, runner);
    const stageStartedAt = row(rolloutId).stageStartedAt!;
    // Reads every 500 ms while nothing happens: no breach from the previous release's 400 errors.
    const readsBefore = lb.reads.length;
    await runUntil(h, () => lb.reads.length >= readsBefore + 3, undefined, 100, runner);
    expect(row(rolloutId).phase).toBe("canary");
    expect(lb.reads.at(-1)! - lb.reads.at(-2)!).toBeLessThanOrEqual(500);
    // The bad release: 3 of its first 3 requests fail.
    lb.counters.green = counters(10_003, 403);
    lb.counters.blue = counters(90_027, 20);
    await runUntil(h, () => row(rolloutId).finishedAt !== null, undefined, 100, runner);
    const rr = row(rolloutId);
    expect(rr.phase).toBe("rolled_back");
    expect(rr.finishedAt! - stageStartedAt).toBeLessThan(h.config.analysis.intervalSeconds * 1000);
    expect(rr.cause).toEqual([
      expect.objectContaining({
        metric: "error_rate",
        observed: 100,
        threshold: 1,
        test: expect.objectContaining({ kind: "bound", scope: "stage", requests: 3, errors: 3 }),
      }),
    ]);
    expect(eventsOf(h.db, { type: "analysis.breach" })[0].message).toMatch(
      /3 errors in 3 requests of the stage so far at the 10 % stage \(the load balancer's own counters, read between two 30 s samples\); rolling back to blue/,
    );
    const breach = h.db.raw
      .select()
      .from(samples)
      .all()
      .find((s) => s.verdict === "breach");
    expect(breach).toBeDefined();
    expect(h.world.weightOf("us-east")).toEqual({ blue: 100, green: 0 });
  });

  it("a good release is never passed by the counts: the stage still waits for its regular samples, then moves on", async () => {
    const rolloutId = await start();
    await runUntil(h, inStage(rolloutId, 0), undefined, 20_000, runner);
    lb.counters.green = counters(10_500, 400);
    await runUntil(h, inStage(rolloutId, 1), undefined, 20_000, runner);
    const stageMs = h.config.stages[0].durationMinutes * 60_000;
    const passed = eventsOf(h.db, { type: "stage.passed" })[0];
    expect(passed.at - regionRolloutOf(h.db, rolloutId, "us-east").startedAt!).toBeGreaterThanOrEqual(stageMs);
    expect(eventsOf(h.db, { type: "analysis.breach" })).toEqual([]);
  });

  it("a load balancer that cannot be read leaves the regular samples in charge: the breach comes with the 30 s sample", async () => {
    h.world.injectFault("us-east", 10, { errorRatePct: 5 });
    const rolloutId = await start();
    await runUntil(h, inStage(rolloutId, 0), undefined, 20_000, runner);
    lb.failing = true;
    const stageStartedAt = row(rolloutId).stageStartedAt!;
    await runUntil(h, () => row(rolloutId).finishedAt !== null, undefined, 1_000, runner);
    expect(row(rolloutId).phase).toBe("rolled_back");
    expect(row(rolloutId).finishedAt! - stageStartedAt).toBeGreaterThanOrEqual(h.config.analysis.intervalSeconds * 1000);
  });
});

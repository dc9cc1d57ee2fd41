/**
 * A crash after a weight change's step was recorded done and before the region was (its split, its events): the
 * balancer already holds the new split while the region still stores the old one. The traffic check of the runner
 * that takes over must leave that split to the step (which replays its stored result), never put the old one back.
 * Found by the crash point `traffic.after-record` (crash-points.test.ts); here on a virtual clock, without processes.
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import { steps } from "@/db/schema";
import type { Actor } from "@/server/actor";
import type { Store } from "@/db/client";
import { abortError } from "@/server/engine/clock";
import { providersForRegion } from "./providers";
import { Runner } from "./runner";
import { addUser, createHarness, demoConfig, eventsOf, regionRolloutOf, runUntil, startInUsEast, type Harness } from "./test-fixtures";

let h: Harness;
let dana: Actor;
beforeEach(() => {
  h = createHarness({ config: demoConfig((raw) => ((raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }])) });
  dana = addUser(h.db, "dana", "Dana", ["deployer"]);
});
afterEach(() => h.cleanup());

const stepOf = (suffix: string) =>
  h.db.raw
    .select()
    .from(steps)
    .all()
    .find((s) => s.key.endsWith(suffix));

it("the restarted runner moves traffic up only (10, 25, 50, 75, 100) and records the 50 % stage once", async () => {
  const rolloutId = await startInUsEast(h, dana);
  // The process "dies" right after the step's record: the store call that would come next never happens.
  const dyingStore: Store = {
    ...h.db,
    steps: {
      ...h.db.steps,
      finish: async (key, ...rest) => {
        await h.db.steps.finish(key, ...rest);
        if (key.endsWith("/weight-50")) throw abortError();
      },
    },
  };
  const providersFor = (region: string) => providersForRegion(h.config, region, h.world, h.clock);
  const dying = new Runner({ db: dyingStore, config: h.config, clock: h.clock, id: "dying", providersFor, leaseTtlMs: 15_000 });
  await runUntil(h, () => stepOf("/weight-50")?.status === "done", undefined, 20_000, dying);
  expect(regionRolloutOf(h.db, rolloutId, "us-east").canaryPct).toBe(25);
  expect(h.world.weightOf("us-east")).toEqual({ blue: 50, green: 50 });

  h.clock.advance(16_000); // the dead runner's lease runs out
  const restarted = new Runner({ db: h.db, config: h.config, clock: h.clock, id: "restarted", providersFor });
  await runUntil(h, () => regionRolloutOf(h.db, rolloutId, "us-east").phase === "succeeded", undefined, 20_000, restarted);

  expect(h.world.weightCalls.filter((c) => c.region === "us-east").map((c) => c.split.green)).toEqual([10, 25, 50, 75, 100]);
  expect(eventsOf(h.db, { type: "traffic.reconciled" })).toEqual([]);
  const started = eventsOf(h.db, { type: "stage.started", regionId: "us-east" }).map((e) => (e.data as { percent: number }).percent);
  expect(started).toEqual([10, 25, 50, 75, 100]);
  expect(stepOf("/weight-50")?.attempts?.map((a) => a.outcome)).toEqual(["done"]);
});

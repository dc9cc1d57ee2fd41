/**
 * A crash at the point of an effect, without killing a process: the first runner's provider acts (or not) and
 * then stops with an abort, which leaves the step `started`, as a process killed between the effect and its
 * record would. A fresh runner then takes the rollout over on the same store and the same simulated world, and
 * the world says what happened: the balancer's weights only rose, the host saw one install.
 */
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { steps } from "@/db/schema";
import type { Actor } from "@/server/actor";
import { abortError } from "@/server/engine/clock";
import type { RegionProviders } from "@/server/providers/types";
import { getRolloutView } from "@/server/services/rollout-view";
import { providersForRegion } from "./providers";
import { Runner } from "./runner";
import { addUser, createHarness, demoConfig, eventsOf, providersWithSetWeight, regionRolloutOf, runUntil, startInUsEast, type Harness } from "./test-fixtures";

let h: Harness;
let dana: Actor;
beforeEach(() => {
  h = createHarness({ config: demoConfig((raw) => ((raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }])) });
  dana = addUser(h.db, "dana", "Dana", ["deployer"]);
});
afterEach(() => h.cleanup());

type CrashPoint = "before the effect" | "after the effect, before its record";
const POINTS: CrashPoint[] = ["before the effect", "after the effect, before its record"];

const stepOf = (suffix: string) =>
  h.db.raw
    .select()
    .from(steps)
    .all()
    .find((s) => s.key.endsWith(suffix));

/** The runner that dies: its providers as given; after the crash it is never ticked again and keeps its lease. */
function dyingRunner(providersFor: (region: string) => RegionProviders): Runner {
  return new Runner({ db: h.db, config: h.config, clock: h.clock, id: "dying", providersFor, leaseTtlMs: 15_000 });
}

/** The process that starts after the crash: the dead one's lease runs out, then a fresh runner on the same store and world. */
function restartedRunner(): Runner {
  h.clock.advance(16_000);
  return new Runner({ db: h.db, config: h.config, clock: h.clock, id: "restarted", providersFor: (r) => providersForRegion(h.config, r, h.world, h.clock) });
}

describe("a crash during the weight change to 50 %", () => {
  it.each(POINTS)("%s: the restarted runner moves traffic up only (10, 25, 50, 75, 100) and the step keeps both attempts", async (point) => {
    const rolloutId = await startInUsEast(h, dana);
    let crashed = false;
    const dying = dyingRunner(
      providersWithSetWeight(h, async (input, real) => {
        if (input.canaryPct !== 50 || crashed) return real.setWeight(input);
        crashed = true;
        if (point === "after the effect, before its record") await real.setWeight(input);
        throw abortError();
      }),
    );
    await runUntil(h, () => stepOf("/weight-50")?.status === "started", undefined, 20_000, dying);
    expect(regionRolloutOf(h.db, rolloutId, "us-east").canaryPct).toBe(25);
    expect(h.world.weightOf("us-east")).toEqual(point === "before the effect" ? { blue: 75, green: 25 } : { blue: 50, green: 50 });

    await runUntil(h, () => regionRolloutOf(h.db, rolloutId, "us-east").phase === "succeeded", undefined, 20_000, restartedRunner());

    const moves = h.world.weightCalls.filter((c) => c.region === "us-east").map((c) => c.split.green);
    expect(moves).toEqual([10, 25, 50, 75, 100]);
    expect(eventsOf(h.db, { type: "traffic.reconciled" })).toEqual([]);
    const started = eventsOf(h.db, { type: "stage.started", regionId: "us-east" }).map((e) => (e.data as { percent: number }).percent);
    expect(started).toEqual([10, 25, 50, 75, 100]);
    const outcomes = point === "before the effect" ? ["interrupted", "done"] : ["interrupted", "found done after restart"];
    expect(stepOf("/weight-50")?.attempts?.map((a) => a.outcome)).toEqual(outcomes);
    // The rollout page shows both attempts of that step.
    const view = await getRolloutView(h.as(dana), rolloutId);
    const shown = view.regions[0].steps.find((s) => s.effect?.kind === "setWeight" && s.effect.canaryPct === 50);
    expect(shown?.attempts.map((a) => a.outcome)).toEqual(outcomes);
  });
});

describe("a crash during the deploy", () => {
  it.each(POINTS)("%s: the host sees one install, and the step keeps both attempts", async (point) => {
    const rolloutId = await startInUsEast(h, dana);
    const dying = dyingRunner((region) => {
      const real = providersForRegion(h.config, region, h.world, h.clock);
      const deploy: RegionProviders["deploy"] = {
        deploy: async (input) => {
          if (point === "after the effect, before its record") await real.deploy.deploy(input);
          throw abortError();
        },
        status: (input) => real.deploy.status(input),
      };
      return { ...real, deploy };
    });
    await runUntil(h, () => stepOf("/deploy")?.status === "started", undefined, 20_000, dying);
    expect(regionRolloutOf(h.db, rolloutId, "us-east").phase).toBe("deploying");

    await runUntil(h, () => regionRolloutOf(h.db, rolloutId, "us-east").canaryPct === 10, undefined, 20_000, restartedRunner());

    expect(h.world.deployCalls.map((c) => `${c.region}/${c.colour}`)).toEqual(["us-east/green"]);
    const deployed = eventsOf(h.db, { type: "deploy.succeeded", regionId: "us-east" });
    expect(deployed).toHaveLength(1);
    const outcomes = stepOf("/deploy")?.attempts?.map((a) => a.outcome);
    if (point === "before the effect") {
      expect(outcomes).toEqual(["interrupted", "done"]);
    } else {
      expect(outcomes).toEqual(["interrupted", "found done after restart"]);
      expect((deployed[0].data as { log: string[] }).log.join("\n")).toContain("was found installed, current and restarted on green in us-east");
    }
  });
});

describe("the traffic check when a runner takes a rollout over", () => {
  it("puts back the verified split when the balancer lost it, even with a weight change interrupted", async () => {
    // Given us-east at 25 % with its move to 50 % left `started`, and a balancer restarted from its config (all blue)
    const rolloutId = await startInUsEast(h, dana);
    const dying = dyingRunner(
      providersWithSetWeight(h, async (input, real) => {
        if (input.canaryPct === 50) throw abortError();
        return real.setWeight(input);
      }),
    );
    await runUntil(h, () => stepOf("/weight-50")?.status === "started", undefined, 20_000, dying);
    h.world.setWeights("us-east", "green", 0, { blue: 100, green: 0 }, h.clock.now());

    // When a fresh runner takes it over
    const next = restartedRunner();
    await next.tick();

    // Then the split held before the interrupted step is back, said in an event, before the step moves on
    const [event] = eventsOf(h.db, { type: "traffic.reconciled" });
    expect(event).toMatchObject({ regionId: "us-east", data: { found: { blue: 100, green: 0 }, restored: { blue: 75, green: 25 } } });
    await runUntil(h, () => regionRolloutOf(h.db, rolloutId, "us-east").canaryPct === 50, undefined, 20_000, next);
    expect(
      h.db.raw
        .select()
        .from(steps)
        .where(eq(steps.key, stepOf("/weight-50")!.key))
        .get()?.status,
    ).toBe("done");
  });
});

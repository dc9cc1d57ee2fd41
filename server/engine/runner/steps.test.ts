import { eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { regionRollouts, steps } from "@/db/schema";
import type { RegionProviders } from "@/server/providers/types";
import { startRollout } from "@/server/services/rollouts";
import { providersForRegion } from "./providers";
import { Runner } from "./runner";
import { runStep } from "./steps";
import { addUser, createHarness, demoConfig, DIGEST_A, eventsOf, regionRolloutOf, type Harness } from "./test-fixtures";

let h: Harness;
beforeEach(() => {
  h = createHarness({ config: demoConfig((raw) => ((raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }])) });
});
afterEach(() => h.cleanup());

describe("runStep", () => {
  it("runs an effect once: a done step gives back its stored result, a failed or started one runs again", async () => {
    let calls = 0;
    const effect = async () => ({ call: ++calls });
    const now = () => h.clock.now();
    expect(await runStep(h.db, "rr/a1/deploy", "rr", effect, now)).toEqual({ result: { call: 1 }, replayed: false });
    expect(await runStep(h.db, "rr/a1/deploy", "rr", effect, now)).toEqual({ result: { call: 1 }, replayed: true });
    expect(calls).toBe(1);

    await expect(runStep(h.db, "rr/a1/weight-10", "rr", async () => Promise.reject(new Error("lb unreachable")), now)).rejects.toThrow("lb unreachable");
    expect(h.db.raw.select().from(steps).where(eq(steps.key, "rr/a1/weight-10")).get()).toMatchObject({ status: "failed", error: "lb unreachable" });
    expect(await runStep(h.db, "rr/a1/weight-10", "rr", effect, now)).toEqual({ result: { call: 2 }, replayed: false });

    // A process that died during the effect left it `started`: the next runner repeats it.
    h.db.raw.insert(steps).values({ key: "rr/a1/weight-25", regionRolloutId: "rr", status: "started", startedAt: now() }).run();
    expect(await runStep(h.db, "rr/a1/weight-25", "rr", effect, now)).toEqual({ result: { call: 3 }, replayed: false });
  });
});

describe("a restarted runner", () => {
  it("does not deploy again when the deploy was recorded before the process died", async () => {
    const dana = addUser(h.db, "dana", "Dana", ["deployer"]);
    const { rolloutId } = await startRollout(h.as(dana), {
      serviceId: "api",
      artifact: { version: "1.0.0", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
      strategy: "parallel",
      regions: ["us-east"],
    });
    const rrId = regionRolloutOf(h.db, rolloutId, "us-east").id;

    // First process: the deploy runs and its step is recorded, then the process dies before saving what
    // followed. (Here the save is made to lose by another write to the row, the same situation for the next runner.)
    const real = providersForRegion(h.config, "us-east", h.world, h.clock);
    const dying: RegionProviders = {
      ...real,
      deploy: {
        deploy: async (input) => {
          const result = await real.deploy.deploy(input);
          h.db.raw
            .update(regionRollouts)
            .set({ version: sql`${regionRollouts.version} + 1` })
            .where(eq(regionRollouts.id, rrId))
            .run();
          return result;
        },
        status: (input) => real.deploy.status(input),
      },
    };
    const first = new Runner({ db: h.db, config: h.config, clock: h.clock, providersFor: () => dying, id: "first", leaseTtlMs: 15_000 });
    await first.tick();
    expect(regionRolloutOf(h.db, rolloutId, "us-east").phase).toBe("deploying");
    expect(
      h.db.raw
        .select()
        .from(steps)
        .where(eq(steps.key, `${rrId}/a1/deploy`))
        .get()?.status,
    ).toBe("done");
    expect(h.world.deployCalls).toHaveLength(1);

    // The new process takes over once the dead one's lease expired.
    h.clock.advance(16_000);
    const second = new Runner({
      db: h.db,
      config: h.config,
      clock: h.clock,
      providersFor: (r) => providersForRegion(h.config, r, h.world, h.clock),
      id: "second",
    });
    await second.tick();
    expect(h.world.deployCalls).toHaveLength(1);
    expect(regionRolloutOf(h.db, rolloutId, "us-east")).toMatchObject({ phase: "canary", stageIndex: 0, canaryPct: 10 });
    expect(eventsOf(h.db, { type: "deploy.succeeded" })).toHaveLength(1);
  });
});

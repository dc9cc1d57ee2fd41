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
  const now = () => h.clock.now();
  const stepRow = (key: string) => h.db.raw.select().from(steps).where(eq(steps.key, key)).get();

  it("runs an effect once: a done step gives back its stored result, a failed or started one runs again", async () => {
    let calls = 0;
    const run = async () => ({ call: ++calls });
    const step = (key: string, fn = run) => ({ key, regionRolloutId: "rr", run: fn });
    expect(await runStep(h.db, step("rr/a1/deploy"), now)).toEqual({ result: { call: 1 }, replayed: false });
    expect(await runStep(h.db, step("rr/a1/deploy"), now)).toEqual({ result: { call: 1 }, replayed: true });
    expect(calls).toBe(1);

    await expect(
      runStep(
        h.db,
        step("rr/a1/weight-10", async () => Promise.reject(new Error("lb unreachable"))),
        now,
      ),
    ).rejects.toThrow("lb unreachable");
    expect(stepRow("rr/a1/weight-10")).toMatchObject({ status: "failed", error: "lb unreachable" });
    h.clock.advance(1_000);
    expect(await runStep(h.db, step("rr/a1/weight-10"), now)).toEqual({ result: { call: 2 }, replayed: false });
    const t = h.clock.now();
    expect(stepRow("rr/a1/weight-10")?.attempts).toEqual([
      { startedAt: t - 1_000, endedAt: t - 1_000, outcome: "failed: lb unreachable" },
      { startedAt: t, endedAt: t, outcome: "done" },
    ]);

    // A process that died during the effect left it `started`: with nothing to ask the world, the next runner repeats it.
    h.db.raw.insert(steps).values({ key: "rr/a1/weight-25", regionRolloutId: "rr", status: "started", startedAt: now() }).run();
    expect(await runStep(h.db, step("rr/a1/weight-25"), now)).toEqual({ result: { call: 3 }, replayed: false });
  });

  it("asks the world before repeating an interrupted step, and keeps the interrupted attempt in the step's history", async () => {
    let runs = 0;
    const effect = { kind: "setWeight", colour: "green", canaryPct: 50, reason: "stage" };
    const step = { key: "rr/a1/stage-2/weight-50", regionRolloutId: "rr", effect, run: async () => ++runs, findDone: async () => 50 };
    // The first process started the step and stopped before recording it (a shutdown or a crash).
    const first = runStep(h.db, { ...step, findDone: undefined, run: () => Promise.reject(Object.assign(new Error("stopped"), { name: "AbortError" })) }, now);
    await expect(first).rejects.toThrow("stopped");
    const interruptedAt = h.clock.now();
    expect(stepRow(step.key)).toMatchObject({ status: "started", effect, attempts: [{ startedAt: interruptedAt, endedAt: null, outcome: "started" }] });

    h.clock.advance(20_000);
    expect(await runStep(h.db, step, now)).toEqual({ result: 50, replayed: false });
    expect(runs).toBe(0);
    expect(stepRow(step.key)).toMatchObject({
      status: "done",
      result: 50,
      attempts: [
        { startedAt: interruptedAt, endedAt: interruptedAt + 20_000, outcome: "interrupted" },
        { startedAt: interruptedAt + 20_000, endedAt: interruptedAt + 20_000, outcome: "found done after restart" },
      ],
    });
  });

  it("runs an interrupted step again when the world does not hold its target, and never asks for a first or failed attempt", async () => {
    const asked: string[] = [];
    const step = (key: string) => ({ key, regionRolloutId: "rr", run: async () => "ran", findDone: async () => (asked.push(key), null) });
    h.db.raw.insert(steps).values({ key: "rr/a1/deploy", regionRolloutId: "rr", status: "started", startedAt: now() }).run();
    expect(await runStep(h.db, step("rr/a1/deploy"), now)).toEqual({ result: "ran", replayed: false });
    expect(stepRow("rr/a1/deploy")?.attempts?.map((a) => a.outcome)).toEqual(["interrupted", "done"]);
    await runStep(h.db, step("rr/a1/stage-0/weight-10"), now);
    h.db.raw.insert(steps).values({ key: "rr/a1/rollback", regionRolloutId: "rr", status: "failed", error: "x", startedAt: now() }).run();
    await runStep(h.db, step("rr/a1/rollback"), now);
    expect(asked).toEqual(["rr/a1/deploy"]);
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

import { afterEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { artifacts, events, regionRollouts, regionStates, rollouts, stages } from "@/db/schema";
import type { Actor } from "@/server/actor";
import { addUser, createHarness, demoConfig, type Harness } from "@/server/engine/runner/test-fixtures";
import { BUILT } from "./ci-webhook.fixtures";
import { ServiceError } from "./errors";
import { startRollout } from "./rollouts";
import { recordDrill, strategyVerdictsOf } from "./strategy-policy";

let h: Harness;
let dana: Actor;
let ada: Actor;
let sam: Actor;
let version = 0;

/** The demo fleet with the migration path on for api (the demo fleet turns it off), every environment unprotected. */
function harness(policy: unknown = {}) {
  h = createHarness({
    config: demoConfig((raw) => {
      (raw.services as Array<Record<string, unknown>>)[0].strategyPolicy = policy;
      (raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }];
    }),
  });
  dana = addUser(h.db, "dana", "Dana", ["deployer"]);
  sam = addUser(h.db, "sam", "Sam", ["sre"]);
  ada = addUser(h.db, "ada", "Ada", ["admin"]);
}
afterEach(() => h.cleanup());

async function caught(fn: () => unknown): Promise<ServiceError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ServiceError) return err;
    throw err;
  }
  throw new Error("expected a ServiceError");
}

const start = (actor: Actor, strategy: "sequential" | "delayed" | "parallel", extra: { strategyOverrideReason?: string } = {}) =>
  startRollout(h.as(actor), {
    serviceId: "api",
    artifact: { version: `1.4.${version++}`, digest: `sha256:${String(version).padStart(64, "0")}`, ...BUILT },
    strategy,
    delayMinutes: strategy === "delayed" ? 30 : null,
    ...extra,
  });

/** A start the engine then finished: every region `phase`, the rollout `status`, its regions free again. */
async function finished(strategy: "delayed" | "sequential", status: "succeeded" | "failed", phase: "succeeded" | "rolled_back") {
  h.clock.setTime(h.clock.now() + 60_000); // one after the other, as the history orders them
  const { rolloutId } = await start(dana, strategy);
  h.db.raw.update(rollouts).set({ status, finishedAt: h.clock.now() }).where(eq(rollouts.id, rolloutId)).run();
  h.db.raw.update(regionRollouts).set({ phase }).where(eq(regionRollouts.rolloutId, rolloutId)).run();
  h.db.raw.update(regionStates).set({ activeRegionRolloutId: null }).run();
  return rolloutId;
}

/** Rows of every table a start writes. */
function written() {
  const count = (table: typeof rollouts | typeof regionRollouts | typeof artifacts | typeof stages | typeof events) =>
    h.db.raw.select().from(table).all().length;
  return { rollouts: count(rollouts), regionRollouts: count(regionRollouts), artifacts: count(artifacts), stages: count(stages), events: count(events) };
}

const drill = () => recordDrill(h.as(sam), { serviceId: "api", strategy: "sequential", rolledBack: ["eu-west"], faults: ["eu-west:25"] });

describe("the migration path at start (the spec's default: 5 clean delayed rollouts and a drill in 30 days)", () => {
  it("refuses parallel on a new service, saying what is missing, and nothing is written", async () => {
    harness();
    await h.ready;
    const before = written();
    const err = await caught(() => start(dana, "parallel"));
    expect(err).toMatchObject({
      code: "PRECONDITION_FAILED",
      message:
        "api: Parallel is not open yet (migration path): 0 of 5 clean delayed rollouts; no rollback drill recorded (one is needed in the last 30 days: flightdeck simulate --fault … --record, or a real rollback). Use delayed until then. An admin may start it anyway with an override reason.",
    });
    expect(written()).toEqual(before);
  });

  it("lets delayed and sequential start on a new service", async () => {
    harness();
    await start(dana, "delayed");
    h.db.raw.update(regionStates).set({ activeRegionRolloutId: null }).run();
    await start(dana, "sequential");
    expect(written()).toMatchObject({ rollouts: 2 });
  });
});

describe("the migration path with a service's own numbers (2 clean delayed rollouts, a drill in 30 days)", () => {
  it("opens parallel once both are there, and the form's verdicts say so at each step", async () => {
    harness({ cleanDelayedRollouts: 2 });
    const parallel = async () => (await strategyVerdictsOf(h.as(dana), { serviceId: "api" })).verdicts.find((v) => v.strategy === "parallel")!;
    await finished("delayed", "succeeded", "succeeded");
    expect((await parallel()).reason).toContain("1 of 2 clean delayed rollouts; no rollback drill recorded");
    await finished("delayed", "succeeded", "succeeded");
    await finished("sequential", "succeeded", "succeeded");
    expect((await parallel()).reason).toBe(
      "Parallel is not open yet (migration path): no rollback drill recorded (one is needed in the last 30 days: flightdeck simulate --fault … --record, or a real rollback). Use delayed until then.",
    );
    await drill();
    expect(await parallel()).toMatchObject({ open: true, cleanDelayed: 2, needed: 2 });
    await start(dana, "parallel");
    expect(written().rollouts).toBe(4);
  });

  it("a delayed rollout that rolled back starts the count again, but is itself a real rollback drill", async () => {
    harness({ cleanDelayedRollouts: 2 });
    await finished("delayed", "succeeded", "succeeded");
    await finished("delayed", "succeeded", "succeeded");
    const failed = await finished("delayed", "failed", "rolled_back");
    h.db.raw
      .insert(events)
      .values({
        at: h.clock.now(),
        type: "region.rolled_back",
        actor: "system",
        message: "rolled back",
        serviceId: "api",
        rolloutId: failed,
        regionId: "us-east",
      })
      .run();
    const err = await caught(() => start(dana, "parallel"));
    expect(err.message).toContain("0 of 2 clean delayed rollouts.");
    expect(err.message).not.toContain("drill");
  });

  it("a drill older than 30 days no longer counts, and the refusal says since when", async () => {
    harness({ cleanDelayedRollouts: 1 });
    await finished("delayed", "succeeded", "succeeded");
    await drill();
    h.clock.setTime(h.clock.now() + 31 * 86_400_000);
    const err = await caught(() => start(dana, "parallel"));
    expect(err.message).toContain("no rollback drill since 2025-01-06");
  });

  it("a simulation that rolled nothing back is no drill", async () => {
    harness();
    const err = await caught(() => recordDrill(h.as(sam), { serviceId: "api", strategy: "parallel", rolledBack: [], faults: [] }));
    expect(err.message).toContain("rolled nothing back, so it is no rollback drill");
  });
});

describe("the admin override", () => {
  it("is refused to a deployer and an SRE, checked on the server (nothing written); an admin starts with a reason, recorded on the rollout and as an event", async () => {
    harness();
    await h.ready;
    const before = written();
    for (const actor of [dana, sam]) {
      const refused = await caught(() => start(actor, "parallel", { strategyOverrideReason: "hotfix for INC-9 needs every region now" }));
      expect(refused.code).toBe("FORBIDDEN");
      expect(refused.message).toContain("Starting it anyway (strategy override) needs the admin role.");
    }
    expect(written()).toEqual(before);

    const { rolloutId } = await start(ada, "parallel", { strategyOverrideReason: "hotfix for INC-9 needs every region now" });
    expect(h.db.raw.select().from(rollouts).where(eq(rollouts.id, rolloutId)).get()).toMatchObject({
      strategy: "parallel",
      strategyOverrideReason: "hotfix for INC-9 needs every region now",
    });
    const override = h.db.raw.select().from(events).where(eq(events.type, "rollout.strategy_override")).all();
    expect(override).toEqual([
      expect.objectContaining({
        rolloutId,
        actor: "user:ada",
        data: expect.objectContaining({ reason: "hotfix for INC-9 needs every region now", strategy: "parallel" }),
      }),
    ]);
    expect(override[0].message).toContain(
      'Ada started this parallel rollout before the migration path opens it (override): "hotfix for INC-9 needs every region now".',
    );
  });

  it("is not recorded when the strategy was open anyway", async () => {
    harness("off");
    const { rolloutId } = await start(ada, "parallel", { strategyOverrideReason: "just in case" });
    expect(h.db.raw.select().from(rollouts).where(eq(rollouts.id, rolloutId)).get()?.strategyOverrideReason).toBeNull();
  });

  it("the form's verdicts tell an admin they may override, a deployer not", async () => {
    harness();
    expect((await strategyVerdictsOf(h.as(ada), { serviceId: "api" })).canOverride).toBe(true);
    const view = await strategyVerdictsOf(h.as(dana), { serviceId: "api" });
    expect(view.canOverride).toBe(false);
    expect(view.verdicts.map((v) => [v.strategy, v.open])).toEqual([
      ["sequential", true],
      ["delayed", true],
      ["parallel", false],
    ]);
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { artifacts, events, freezes, regionRollouts, rollouts, stages } from "@/db/schema";
import type { Actor } from "@/server/actor";
import { addUser, createHarness, demoConfig, DIGEST_A, eventsOf, regionRolloutOf, runUntil, type Harness } from "@/server/engine/runner/test-fixtures";
import { BUILT } from "./ci-webhook.fixtures";
import { ServiceError } from "./errors";
import { declareFreeze, freezeStatus, liftFreeze } from "./freezes";
import { startRollout } from "./rollouts";

// The harness's clock starts on Monday 2025-01-06 at 09:00 UTC (10:00 in Berlin): inside this window.
const MAINTENANCE = {
  id: "maintenance",
  reason: "database maintenance",
  environments: ["production-us-east"],
  timeZone: "Europe/Berlin",
  once: { from: "2025-01-06 08:00", to: "2025-01-06 12:00" },
};
const REFUSAL =
  'Rollouts are frozen in us-east by the freeze window "maintenance" (database maintenance) until Mon 2025-01-06 12:00 Europe/Berlin. An SRE may start it anyway with a break-glass reason.';

let h: Harness;
let dana: Actor;
let sam: Actor;
let vera: Actor;

function harness(freezeWindows: unknown[] = []) {
  h = createHarness({
    config: demoConfig((raw) => {
      raw.freezes = freezeWindows;
      (raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }];
    }),
  });
  dana = addUser(h.db, "dana", "Dana", ["deployer"]);
  sam = addUser(h.db, "sam", "Sam", ["sre"]);
  vera = addUser(h.db, "vera", "Vera", ["viewer"]);
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

const start = (actor: Actor, regions: string[], extra: { breakGlassReason?: string } = {}) =>
  startRollout(h.as(actor), { serviceId: "api", artifact: { version: "1.4.2", digest: DIGEST_A, ...BUILT }, strategy: "parallel", regions, ...extra });

/** Rows of every table a start writes. */
function written() {
  const count = (table: typeof rollouts | typeof regionRollouts | typeof artifacts | typeof stages | typeof events) =>
    h.db.raw.select().from(table).all().length;
  return { rollouts: count(rollouts), regionRollouts: count(regionRollouts), artifacts: count(artifacts), stages: count(stages), events: count(events) };
}

describe("a start during a freeze window", () => {
  beforeEach(() => harness([MAINTENANCE]));

  it("is refused, saying which window and until when, and nothing is written", async () => {
    const before = written();
    const err = await caught(() => start(dana, ["us-east", "eu-west"]));
    expect(err).toMatchObject({ code: "PRECONDITION_FAILED", message: REFUSAL });
    expect(written()).toEqual(before);
  });

  it("goes ahead in an environment the window does not cover", async () => {
    await start(dana, ["eu-west"]);
    expect(written()).toMatchObject({ rollouts: 1, regionRollouts: 1 });
  });

  it("break-glass: a deployer is refused (nothing written); an SRE starts it with a reason, recorded on the rollout and as an event", async () => {
    const before = written();
    const refused = await caught(() => start(dana, ["us-east"], { breakGlassReason: "hotfix for INC-7" }));
    expect(refused.code).toBe("FORBIDDEN");
    expect(refused.message).toContain("starting one anyway (break-glass) needs the sre or admin role");
    expect(written()).toEqual(before);

    const started = await start(sam, ["us-east"], { breakGlassReason: "hotfix for INC-7" });
    expect(h.db.raw.select().from(rollouts).all()[0]).toMatchObject({ id: started.rolloutId, breakGlassReason: "hotfix for INC-7" });
    expect(eventsOf(h.db, { type: "rollout.break_glass" })).toEqual([
      expect.objectContaining({
        actor: "user:sam",
        rolloutId: started.rolloutId,
        message:
          'Sam started this rollout during the freeze window "maintenance" (database maintenance) until Mon 2025-01-06 12:00 Europe/Berlin (break-glass): "hotfix for INC-7".',
        data: {
          actor: "user:sam",
          reason: "hotfix for INC-7",
          freeze: { kind: "window", id: "maintenance", reason: "database maintenance", until: Date.UTC(2025, 0, 6, 11) },
        },
      }),
    ]);
  });

  it("freezeStatus shows the window and when it ends, to a viewer", async () => {
    expect(await freezeStatus(h.as(vera))).toEqual({
      frozen: true,
      canManage: false,
      canBreakGlass: false,
      freezes: [
        {
          kind: "window",
          id: "maintenance",
          reason: "database maintenance",
          until: Date.UTC(2025, 0, 6, 11),
          untilText: "Mon 2025-01-06 12:00 Europe/Berlin",
          environments: ["production-us-east"],
          declaredBy: null,
          declaredAt: null,
          description: 'the freeze window "maintenance" (database maintenance) until Mon 2025-01-06 12:00 Europe/Berlin',
        },
      ],
    });
  });
});

describe("stop-all", () => {
  beforeEach(() => harness());

  it("only an sre or admin declares or lifts it; a refusal writes nothing", async () => {
    for (const actor of [dana, vera]) {
      expect(await caught(() => declareFreeze(h.as(actor), { reason: "incident INC-7" }))).toMatchObject({
        code: "FORBIDDEN",
        message: "Declaring a stop-all freeze needs the sre or admin role.",
      });
    }
    expect(h.db.raw.select().from(freezes).all()).toHaveLength(0);
    expect(eventsOf(h.db, { type: "freeze.declared" })).toHaveLength(0);
    await declareFreeze(h.as(sam), { reason: "incident INC-7" });
    expect(await caught(() => liftFreeze(h.as(dana)))).toMatchObject({ code: "FORBIDDEN", message: "Lifting a stop-all freeze needs the sre or admin role." });
    expect(h.db.raw.select().from(freezes).all()[0].liftedAt).toBeNull();
  });

  it("refuses every start until lifted, is audited, and a second one is a conflict", async () => {
    const declared = await declareFreeze(h.as(sam), { reason: "incident INC-7" });
    expect(eventsOf(h.db, { type: "freeze.declared" })).toEqual([
      expect.objectContaining({ actor: "user:sam", data: { actor: "user:sam", freezeId: declared.id, reason: "incident INC-7" } }),
    ]);
    expect(await caught(() => declareFreeze(h.as(sam), { reason: "again" }))).toMatchObject({ code: "CONFLICT" });

    const before = written();
    const err = await caught(() => start(dana, ["eu-west"]));
    expect(err.code).toBe("PRECONDITION_FAILED");
    expect(err.message).toBe(
      "Rollouts are frozen in eu-west by the stop-all declared by Sam at Mon 2025-01-06 09:00 UTC (incident INC-7) until someone lifts it. An SRE may start it anyway with a break-glass reason.",
    );
    expect(written()).toEqual(before);
    expect(await freezeStatus(h.as(sam))).toMatchObject({ frozen: true, canManage: true, canBreakGlass: true, freezes: [{ kind: "stop-all", until: null }] });

    h.clock.setTime(h.clock.now() + 60_000);
    expect(await liftFreeze(h.as(sam))).toMatchObject({ freezeId: declared.id, reason: "incident INC-7" });
    expect(eventsOf(h.db, { type: "freeze.lifted" })).toHaveLength(1);
    expect((await freezeStatus(h.as(sam))).frozen).toBe(false);
    expect(await caught(() => liftFreeze(h.as(sam)))).toMatchObject({
      code: "PRECONDITION_FAILED",
      message: "No stop-all is in force; there is nothing to lift.",
    });
    await start(dana, ["eu-west"]);
  });

  it("holds a running canary before its next traffic increase, still judged, and it goes on when lifted", async () => {
    const { rolloutId } = await start(dana, ["us-east"]);
    const row = () => regionRolloutOf(h.db, rolloutId, "us-east");
    await runUntil(h, () => row().phase === "canary" && row().canaryPct === 10);
    await declareFreeze(h.as(sam), { reason: "incident INC-7" });
    // Far past the 10 % stage's five minutes: still at 10 %, held, and sampled all along (a breach would still roll it back).
    await runUntil(h, () => h.clock.now() > Date.UTC(2025, 0, 6, 10));
    expect(row()).toMatchObject({ phase: "canary", canaryPct: 10, stageIndex: 0 });
    expect(row().freezeHeldAt).not.toBeNull();
    expect(eventsOf(h.db, { type: "region.freeze_held" })).toEqual([
      expect.objectContaining({
        regionId: "us-east",
        data: expect.objectContaining({ next: "the 25 % stage", freeze: expect.objectContaining({ kind: "stop-all" }) }),
      }),
    ]);
    expect(row().lastSampleAt).toBeGreaterThan(Date.UTC(2025, 0, 6, 9, 55));

    await liftFreeze(h.as(sam));
    await runUntil(h, () => row().phase === "succeeded");
    expect(eventsOf(h.db, { type: "region.freeze_released" })).toHaveLength(1);
    expect(row().freezeHeldAt).toBeNull();
  });
});

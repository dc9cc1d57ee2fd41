import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { leases, regionRollouts } from "@/db/schema";
import { applyCommand } from "@/server/engine/machine/commands";
import { eventConsumers } from "@/server/engine/outbox/consumers";
import { loadRegionRolloutContext } from "@/server/engine/store/load";
import { LeaseLost, saveTransition } from "@/server/engine/store/persist";
import { startRollout } from "@/server/services/rollouts";
import { rolloutLeaseName } from "./rollout-leases";
import { Runner } from "./runner";
import { addUser, createHarness, demoConfig, DIGEST_A, eventsOf, providersWithSetWeight, startInUsEast, type Harness } from "./test-fixtures";

let h: Harness;
beforeEach(() => {
  h = createHarness({
    config: demoConfig((raw) => ((raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }])),
    leaseTtlMs: 60_000,
  });
});
afterEach(() => h.cleanup());

const leaseRow = (name: string) => h.db.raw.select().from(leases).where(eq(leases.name, name)).get();

describe("leases", () => {
  it("one owner at a time: renewable by its owner, taken over only once expired or released", async () => {
    expect(await h.db.leases.acquire("rollout:r1", "a", 1_000, 10_000)).toEqual({ expiresAt: 11_000, token: 1 });
    expect(await h.db.leases.acquire("rollout:r1", "b", 5_000, 10_000)).toBeNull();
    expect(await h.db.leases.acquire("rollout:r1", "a", 6_000, 10_000)).toEqual({ expiresAt: 16_000, token: 1 });
    expect(await h.db.leases.acquire("rollout:r1", "b", 15_000, 10_000)).toBeNull();
    expect(await h.db.leases.acquire("rollout:r1", "b", 16_001, 10_000)).toEqual({ expiresAt: 26_001, token: 2 });
    expect(await h.db.leases.holder("rollout:r1", 17_000)).toBe("b");
    await h.db.leases.release("rollout:r1", "a"); // not a's any more: no effect
    expect(await h.db.leases.holder("rollout:r1", 17_000)).toBe("b");
    await h.db.leases.release("rollout:r1", "b");
    expect(leaseRow("rollout:r1")).toMatchObject({ owner: "b", expiresAt: 0, token: 2 }); // handed back, token kept
    expect(await h.db.leases.acquire("rollout:r1", "a", 17_000, 10_000)).toEqual({ expiresAt: 27_000, token: 3 });
  });

  it("every take-over increments the fencing token, a renewal keeps it, and taking its own lease again after it expired counts as a take-over", async () => {
    await h.db.leases.acquire("rollout:r1", "a", 1_000, 10_000);
    await h.db.leases.renewHeld(["rollout:r1"], "a", 8_000, 10_000);
    await h.db.leases.acquire("rollout:r1", "a", 9_000, 10_000);
    expect(leaseRow("rollout:r1")).toMatchObject({ owner: "a", expiresAt: 19_000, token: 1 });

    expect(await h.db.leases.acquire("rollout:r1", "a", 19_001, 10_000)).toEqual({ expiresAt: 29_001, token: 2 });
    expect(await h.db.leases.takeFrom("rollout:r1", "b", "c", 20_000, 10_000)).toBeNull(); // b does not hold it
    expect(await h.db.leases.takeFrom("rollout:r1", "a", "c", 20_000, 10_000)).toEqual({ expiresAt: 30_000, token: 3 });
    expect(leaseRow("rollout:r1")).toMatchObject({ owner: "c", expiresAt: 30_000, token: 3 });
  });

  it("confirms a lease only for its owner with its current token", async () => {
    await h.db.leases.acquire("rollout:r1", "a", 1_000, 10_000);
    expect(await h.db.leases.confirm({ name: "rollout:r1", owner: "a", token: 1 })).toBe(true);
    await h.db.leases.acquire("rollout:r1", "b", 11_001, 10_000);
    expect(await h.db.leases.confirm({ name: "rollout:r1", owner: "a", token: 1 })).toBe(false);
    expect(await h.db.leases.confirm({ name: "rollout:r1", owner: "b", token: 1 })).toBe(false);
    expect(await h.db.leases.confirm({ name: "rollout:r1", owner: "b", token: 2 })).toBe(true);
    expect(await h.db.leases.confirm({ name: "rollout:r2", owner: "b", token: 2 })).toBe(false);
  });

  it("renews in bulk only the leases the owner still holds, even past their expiry, never another runner's", async () => {
    await h.db.leases.acquire("rollout:r1", "a", 1_000, 10_000);
    await h.db.leases.acquire("rollout:r2", "a", 1_000, 10_000);
    await h.db.leases.acquire("rollout:r3", "b", 1_000, 10_000);
    await h.db.leases.acquire("rollout:r2", "b", 12_000, 10_000); // a's lease on r2 expired and b took it

    const renewed = await h.db.leases.renewHeld(["rollout:r1", "rollout:r2", "rollout:r3"], "a", 12_000, 10_000);

    expect([...renewed]).toEqual(["rollout:r1"]);
    expect(await h.db.leases.holder("rollout:r1", 21_000)).toBe("a");
    expect(await h.db.leases.holder("rollout:r2", 21_000)).toBe("b");
    expect(await h.db.leases.holder("rollout:r3", 10_000)).toBe("b");
    expect(await h.db.leases.acquire("rollout:r1", "b", 21_000, 10_000)).toBeNull();
    expect(leaseRow("rollout:r1")?.token).toBe(1);
  });

  it("renews more leases than one statement takes", async () => {
    const names = Array.from({ length: 1_200 }, (_, i) => `rollout:r${i}`);
    for (const name of names) await h.db.leases.acquire(name, "a", 1_000, 10_000);
    expect((await h.db.leases.renewHeld(names, "a", 8_000, 10_000)).size).toBe(1_200);
    expect(await h.db.leases.holder("rollout:r1199", 17_000)).toBe("a");
  });

  it("a second runner cannot reconcile a rollout another holds until that lease expires", async () => {
    const dana = addUser(h.db, "dana", "Dana", ["deployer"]);
    await startRollout(h.as(dana), {
      serviceId: "api",
      artifact: { version: "1.0.0", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
      strategy: "parallel",
      regions: ["us-east", "eu-west"],
    });
    const a = h.runner;
    const b = h.newRunner("runner-b");

    expect((await a.tick()).reconciled).toHaveLength(2); // both deploy (20 s) and start their first stage
    h.clock.advance(30_000); // the first samples are due
    expect(await b.tick()).toMatchObject({ leased: [], reconciled: [] });
    expect((await a.tick()).reconciled).toHaveLength(2);

    h.clock.advance(60_001); // a stopped renewing (as if it died)
    const takeover = await b.tick();
    expect(takeover.leased).toHaveLength(1);
    expect(takeover.reconciled).toHaveLength(2);
    h.clock.advance(30_000);
    expect(await a.tick()).toMatchObject({ reconciled: [] });
  });
});

describe("fencing token", () => {
  it("a save under a stale token is refused and writes nothing of its transition; under the current one it saves", async () => {
    const dana = addUser(h.db, "dana", "Dana", ["deployer"]);
    const rolloutId = await startInUsEast(h, dana);
    const name = rolloutLeaseName(rolloutId);
    const now = h.clock.now();
    await h.db.leases.acquire(name, "runner-a", now, 10_000);
    await h.db.leases.acquire(name, "runner-b", now + 10_001, 10_000); // a was paused past its lease; b took over

    const [row] = h.db.raw.select().from(regionRollouts).where(eq(regionRollouts.rolloutId, rolloutId)).all();
    const ctx = (await loadRegionRolloutContext(h.db, h.config, row.id))!;
    const pause = applyCommand(ctx.state, { kind: "pause", actor: "engine", reason: "a test" }, now, { stages: ctx.stages, gate: ctx.gate });
    if (!pause.ok) throw new Error(pause.reason);
    const save = (lease: { owner: string; token: number }) =>
      saveTransition(h.db, {
        row: ctx.row,
        rollout: ctx.rollout,
        transition: pause.transition,
        now,
        actor: "engine",
        consumers: eventConsumers(h.config),
        lease: { name, ...lease },
      });
    const eventsBefore = eventsOf(h.db).length;

    await expect(save({ owner: "runner-a", token: 1 })).rejects.toBeInstanceOf(LeaseLost);
    expect(h.db.raw.select().from(regionRollouts).where(eq(regionRollouts.id, row.id)).get()).toEqual(row);
    expect(eventsOf(h.db)).toHaveLength(eventsBefore);

    expect(await save({ owner: "runner-b", token: 2 })).toMatchObject({ paused: true, version: row.version + 1 });
    expect(eventsOf(h.db, { type: "region.paused" })).toHaveLength(1);
  });

  it("a runner paused mid-pass past its lease is refused when it wakes, before the new owner wrote anything: nothing of its pass is saved, it drops the lease and does not retry", async () => {
    const dana = addUser(h.db, "dana", "Dana", ["deployer"]);
    const rolloutId = await startInUsEast(h, dana);
    const name = rolloutLeaseName(rolloutId);
    let wake!: () => void;
    const asleep = new Promise<void>((resolve) => (wake = resolve));
    let paused = false;
    // Runner a's first weight change hangs (the process stopped, SIGSTOP) until the test wakes it.
    const a = new Runner({
      db: h.db,
      config: h.config,
      clock: h.clock,
      id: "runner-a",
      leaseTtlMs: 60_000,
      providersFor: providersWithSetWeight(h, async (input, real) => {
        if (!paused) {
          paused = true;
          await asleep;
        }
        return real.setWeight(input);
      }),
    });
    const aTick = a.tick();
    while (!paused) await new Promise((resolve) => setImmediate(resolve));
    expect(eventsOf(h.db, { type: "deploy.succeeded" })).toHaveLength(1); // saved under a's lease before it stopped
    const rowBefore = h.db.raw.select().from(regionRollouts).where(eq(regionRollouts.rolloutId, rolloutId)).get()!;

    // Its lease runs out; runner b's lease scan takes it over (b has not saved anything yet).
    h.clock.advance(60_001);
    expect(await h.db.leases.acquire(name, "runner-b", h.clock.now(), 60_000)).toMatchObject({ token: 2 });
    wake();
    expect(await aTick).toMatchObject({ errors: 0 });
    expect(eventsOf(h.db, { type: "stage.started" })).toHaveLength(0);
    expect(h.db.raw.select().from(regionRollouts).where(eq(regionRollouts.rolloutId, rolloutId)).get()).toEqual(rowBefore);
    expect(await a.tick()).toMatchObject({ leased: [], reconciled: [] });

    // b drives the rollout on from what is stored: the stage starts once, under b's token.
    const b = h.newRunner("runner-b");
    expect(await b.tick()).toMatchObject({ leased: [rolloutId], reconciled: [rowBefore.id] });
    expect(eventsOf(h.db, { type: "stage.started" })).toHaveLength(1);
    expect(leaseRow(name)).toMatchObject({ owner: "runner-b", token: 2 });
  });
});

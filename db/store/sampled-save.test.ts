/**
 * `Store.saveSampled`, the save of a pass that only took a sample: all or nothing, fenced by the lease's token and
 * checked by the row's version, on both dialects (one statement on PostgreSQL, a transaction on SQLite).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { LeaseClaim } from "./repositories/leases";
import type { SampledSave } from "./store";
import { DIALECTS, freshStore, NOW, seedRollout, type AnyStore } from "./test-stores";

const RR = "rr_ro_1_us-east";
const LEASE: LeaseClaim = { name: "rollout:ro_1", owner: "runner-a", token: 1 };

describe.each(DIALECTS)("a sample-only save on $dialect", ({ open }) => {
  let db: AnyStore | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  /** A store with the rollout seeded, us-east sampling its 10 % stage, and runner-a holding the lease (token 1). */
  async function setUp() {
    const store = (db = await freshStore(open));
    await seedRollout(store);
    const row = (await store.regionRollouts.byId(RR))!;
    const canary = (await store.regionRollouts.saveVersioned(
      { ...row, phase: "canary", stageIndex: 0, canaryPct: 10, stageStartedAt: NOW, paused: false, cause: null },
      row.version,
    ))!;
    expect(await store.leases.acquire(LEASE.name, LEASE.owner, NOW, 15_000)).toEqual({ expiresAt: NOW + 15_000, token: 1 });
    return { store, row: canary };
  }

  /** The save of the sample taken at `takenAt`: the row's next tick and failure count moved, a canary and its baseline. */
  function sampled(row: SampledSave["next"], takenAt: number, lease = LEASE, baseline = true): SampledSave {
    const common = { regionRolloutId: RR, stageIndex: 0, takenAt, requests: 120, errorRatePct: 0.5, latencyP95Ms: 180.25 };
    return {
      next: { ...row, nextTickAt: takenAt + 1_000, updatedAt: takenAt, inconclusive: 1, lastVerdict: "pass", cause: [{ metric: "latency", value: 1 }] },
      expectedVersion: row.version,
      lease,
      samples: [
        { ...common, role: "canary", errors: 1, verdict: "pass", reasons: ["within bounds"], judgement: { gaps: [], p: 0.25 } },
        ...(baseline ? [{ ...common, role: "baseline" as const, errors: 0, verdict: null, reasons: null, judgement: null }] : []),
      ],
    };
  }

  const samplesOf = async (store: AnyStore) => (await store.samples.stageSamples(RR, 0, 0)).map((s) => `${s.role}@${s.takenAt}`);

  it("writes the row and its samples, and returns the row as a fresh read gives it", async () => {
    const { store, row } = await setUp();
    const result = await store.saveSampled(sampled(row, NOW + 1_000));
    const stored = await store.regionRollouts.byId(RR);
    expect(result).toEqual({ fenced: true, saved: stored });
    expect(stored).toMatchObject({
      version: row.version + 1,
      nextTickAt: NOW + 2_000,
      inconclusive: 1,
      lastVerdict: "pass",
      cause: [{ metric: "latency", value: 1 }],
    });
    expect(await samplesOf(store)).toEqual([`canary@${NOW + 1_000}`, `baseline@${NOW + 1_000}`]);
    const [canary] = await store.samples.stageSamples(RR, 0, 0);
    expect(canary).toMatchObject({ requests: 120, errors: 1, latencyP95Ms: 180.25, verdict: "pass", judgement: { gaps: [], p: 0.25 } });

    // A sample without a baseline, and a pass that judged nothing (its row alone).
    const second = await store.saveSampled(sampled(stored!, NOW + 2_000, LEASE, false));
    expect(second.fenced && second.saved?.version).toBe(row.version + 2);
    const third = await store.saveSampled({ ...sampled(second.fenced ? second.saved! : row, NOW + 3_000), samples: [] });
    expect(third.fenced && third.saved?.nextTickAt).toBe(NOW + 4_000);
    expect(await samplesOf(store)).toEqual([`canary@${NOW + 1_000}`, `baseline@${NOW + 1_000}`, `canary@${NOW + 2_000}`]);
  });

  it("writes nothing when the row changed since it was read", async () => {
    const { store, row } = await setUp();
    await store.regionRollouts.saveVersioned({ ...row, paused: true, pauseReason: "a person paused it" }, row.version);
    expect(await store.saveSampled(sampled(row, NOW + 1_000))).toEqual({ fenced: true, saved: null });
    expect(await store.regionRollouts.byId(RR)).toMatchObject({ version: row.version + 1, paused: true, nextTickAt: row.nextTickAt });
    expect(await samplesOf(store)).toEqual([]);
  });

  it("writes nothing when the lease was taken over (another owner, or the same owner's later token)", async () => {
    const { store, row } = await setUp();
    await store.leases.acquire(LEASE.name, "runner-b", NOW + 20_000, 15_000);
    expect(await store.saveSampled(sampled(row, NOW + 1_000))).toEqual({ fenced: false });
    await store.leases.acquire(LEASE.name, LEASE.owner, NOW + 40_000, 15_000);
    expect(await store.saveSampled(sampled(row, NOW + 1_000))).toEqual({ fenced: false });
    expect(await store.regionRollouts.byId(RR)).toEqual(row);
    expect(await samplesOf(store)).toEqual([]);
  });

  it("waits for a take-over under way, then writes nothing", async () => {
    const { store, row } = await setUp();
    let tookIt!: () => void;
    const taken = new Promise<void>((resolve) => (tookIt = resolve));
    let commit!: () => void;
    const committing = new Promise<void>((resolve) => (commit = resolve));
    const takeover = store.transaction(async (tx) => {
      expect(await tx.leases.acquire(LEASE.name, "runner-b", NOW + 20_000, 15_000)).toEqual({ expiresAt: NOW + 35_000, token: 2 });
      tookIt();
      await committing;
    });
    await taken;
    const save = store.saveSampled(sampled(row, NOW + 1_000));
    await new Promise((resolve) => setTimeout(resolve, 100));
    commit();
    await takeover;
    expect(await save).toEqual({ fenced: false });
    expect(await samplesOf(store)).toEqual([]);
  });

  it("inside a transaction, is part of it: rolled back with it", async () => {
    const { store, row } = await setUp();
    const failed = store.transaction(async (tx) => {
      expect(await tx.saveSampled(sampled(row, NOW + 1_000))).toMatchObject({ fenced: true, saved: { version: row.version + 1 } });
      throw new Error("the rest of the transaction failed");
    });
    await expect(failed).rejects.toThrow("the rest of the transaction failed");
    expect(await store.regionRollouts.byId(RR)).toEqual(row);
    expect(await samplesOf(store)).toEqual([]);
  });
});

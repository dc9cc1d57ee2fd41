/**
 * The runner's cache of a stage's samples: read once per stage, then kept by what the runner saves itself
 * (`rememberSample`), and always what a fresh read of the database gives.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Store } from "@/db/client";
import { DIALECTS, freshStore, NOW, seedRollout, type AnyStore } from "@/db/store/test-stores";
import type { StageSample } from "@/server/engine/machine/types";
import { loadStageSamples, rememberSample, type ContextCache, type SamplesCache, type StaticContext } from "./load";

const RR = "rr_ro_1_us-east";
const STAGE = { id: RR, phase: "canary" as const, stageIndex: 0, stageStartedAt: NOW };

/** The sample the runner would save at `takenAt` (canary and baseline rows) and the record it keeps of it. */
async function save(db: Store, takenAt: number, stage = STAGE): Promise<StageSample> {
  const counts = { requests: 100, errors: 1, latencyP95Ms: 150.5 };
  const row = { regionRolloutId: RR, stageIndex: stage.stageIndex, takenAt, errorRatePct: 1 };
  await db.samples.insert(
    { ...row, ...counts, role: "canary", verdict: "pass", reasons: [], judgement: { gaps: [] } },
    { ...row, ...counts, role: "baseline", verdict: null, reasons: null, judgement: null },
  );
  return { takenAt, verdict: "pass", gaps: [], canary: counts, baseline: counts };
}

/** The store with its stage-sample reads counted. */
function counted(db: Store): { db: Store; reads: () => number } {
  let reads = 0;
  const samples = { ...db.samples, stageSamples: (...args: Parameters<Store["samples"]["stageSamples"]>) => (reads++, db.samples.stageSamples(...args)) };
  return { db: { ...db, samples }, reads: () => reads };
}

describe.each(DIALECTS)("the runner's stage samples on $dialect", ({ open }) => {
  let store: AnyStore | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  async function setUp() {
    store = await freshStore(open);
    await seedRollout(store);
    const cache: ContextCache = new Map([[RR, { samples: { key: "", samples: [], complete: false } } as unknown as StaticContext]]);
    const entry = cache.get(RR)!.samples as SamplesCache;
    return { ...counted(store), cache, entry };
  }

  it("reads the stage once, then keeps what the runner saved: the same samples a fresh read gives", async () => {
    const { db, reads, cache, entry } = await setUp();
    await save(db, NOW + 1_000);
    expect(await loadStageSamples(db, STAGE, entry)).toHaveLength(1);
    expect(reads()).toBe(1);

    for (const at of [NOW + 2_000, NOW + 3_000]) rememberSample(cache, STAGE, await save(db, at));
    const kept = await loadStageSamples(db, STAGE, entry);
    expect(reads()).toBe(1);
    expect(kept).toEqual(await loadStageSamples(db, STAGE));
    expect(kept.map((s) => s.takenAt)).toEqual([NOW + 1_000, NOW + 2_000, NOW + 3_000]);
  });

  it("reads again for a new stage, and after a sample saved for another stage than the one it holds", async () => {
    const { db, reads, cache, entry } = await setUp();
    await save(db, NOW + 1_000);
    await loadStageSamples(db, STAGE, entry);

    const next = { ...STAGE, stageIndex: 1, stageStartedAt: NOW + 5_000 };
    await save(db, NOW + 6_000, next);
    expect((await loadStageSamples(db, next, entry)).map((s) => s.takenAt)).toEqual([NOW + 6_000]);
    expect(reads()).toBe(2);

    // A save the cache did not see coming (its row in the first stage): the cache is read again, not trusted.
    rememberSample(cache, STAGE, await save(db, NOW + 7_000, next));
    expect((await loadStageSamples(db, next, entry)).map((s) => s.takenAt)).toEqual([NOW + 6_000, NOW + 7_000]);
    expect(reads()).toBe(3);
  });

  it("adds nothing to a cache that was never read (a runner that just took the rollout over reads it all)", async () => {
    const { db, reads, cache, entry } = await setUp();
    rememberSample(cache, STAGE, await save(db, NOW + 1_000));
    await save(db, NOW + 2_000);
    expect((await loadStageSamples(db, STAGE, entry)).map((s) => s.takenAt)).toEqual([NOW + 1_000, NOW + 2_000]);
    expect(reads()).toBe(1);
  });
});

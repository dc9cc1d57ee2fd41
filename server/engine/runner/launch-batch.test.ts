/**
 * A tick starts its due passes in batches. On SQLite every await of a pass resolves at once, so the passes of one
 * batch run to their end before the next batch starts, and a tick of a hundred passes never has all of them in
 * flight together (V8 then judged their objects long-lived and allocated them in the old generation: runner.ts).
 */
import { afterEach, expect, it } from "vitest";
import { benchConfig, startStaggered, watchingMeasurements } from "@/scripts/bench/engine/fleet";
import { cachedProviders } from "./providers";
import { Runner } from "./runner";
import { addUser, createHarness, runUntil, type Harness } from "./test-fixtures";

const REGIONS = 100;
const BATCH = 32;

let h: Harness;
afterEach(() => h.cleanup());

it("starts a tick's hundred passes in batches, each batch saved before the next one measures", { timeout: 30_000 }, async () => {
  const config = benchConfig(REGIONS, 1, 60);
  h = createHarness({ config });
  const actor = addUser(h.db, "dana", "Dana", ["deployer"]);
  // One start time for every region: after their first sample, all of them are due at the same instant.
  await startStaggered(h.db, config, actor, REGIONS, h.clock.now(), 1);

  const canarySamples = () => (h.db.$client.prepare("select count(*) as n from samples where role = 'canary'").get() as { n: number }).n;
  /** For each canary measurement of the watched tick: measured so far, less saved so far (passes in flight). */
  let inFlight: number[] | null = null;
  let measured = 0;
  let savedBefore = 0;
  const providersFor = watchingMeasurements(cachedProviders(config, h.world, h.clock), (input) => {
    if (inFlight && input.colour === "green") inFlight.push(++measured - (canarySamples() - savedBefore));
  });
  const runner = new Runner({ db: h.db, config, clock: h.clock, providersFor, id: "batch" });
  await runUntil(h, () => canarySamples() >= REGIONS, undefined, 200, runner);
  expect(canarySamples()).toBe(REGIONS);

  const due = await runner.nextDueAt();
  expect(due).not.toBeNull();
  h.clock.setTime(due!);
  inFlight = [];
  savedBefore = canarySamples();
  const report = await runner.tick();

  expect(report.reconciled).toHaveLength(REGIONS);
  expect(canarySamples() - savedBefore).toBe(REGIONS);
  expect(inFlight).toHaveLength(REGIONS);
  // All at once, the hundredth measurement would find none of the hundred saved yet.
  expect(Math.max(...inFlight)).toBeLessThanOrEqual(BATCH);
});

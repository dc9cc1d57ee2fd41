/**
 * On the real clock the runner's ticks overlap with the passes of earlier ticks (the loop does not wait for them).
 * A pass starts from the row its tick's scan read, so a row read while its region's previous pass was still
 * running (and saved after the read) must not start a second pass: that pass would measure the same window again.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { migrateDatabase, openDatabase } from "@/db/client";
import { realClock } from "@/server/engine/clock";
import { systemContext } from "@/server/services/context";
import { syncFleet } from "@/server/services/fleet";
import { SimulatedWorld } from "@/server/providers/simulated-world";
import { benchConfig, startStaggered, watchingMeasurements } from "@/scripts/bench/engine/fleet";
import { startEngine } from ".";
import { cachedProviders } from "./providers";
import { addUser } from "./test-fixtures";

const REGIONS = 150;
const INTERVAL_MS = 250;

it("measures each window of each region once, however its ticks and passes overlap", { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "flightdeck-once-"));
  const db = openDatabase(path.join(dir, "test.db"));
  try {
    migrateDatabase(db);
    const config = benchConfig(REGIONS, INTERVAL_MS / 1000, 60);
    await syncFleet(systemContext(db, config));
    const actor = addUser(db, "dana", "Dana", ["deployer"]);
    // Starts spread over one interval, as in the engine benchmark, so passes of neighbouring ticks overlap.
    const startAt = Date.now() + 500;
    await startStaggered(db, config, actor, REGIONS, startAt, INTERVAL_MS);

    const measured = new Map<string, number>();
    const world = new SimulatedWorld({ seed: 1, requestsPerSecond: 1_000, recordCalls: false });
    const providers = watchingMeasurements(cachedProviders(config, world, realClock), (input) => {
      const key = `${input.region} ${input.colour} ${input.from}-${input.to}`;
      measured.set(key, (measured.get(key) ?? 0) + 1);
    });
    const runner = startEngine({ db, config, clock: realClock, world, providers, runner: { id: "once" } });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await runner.stop();

    const twice = [...measured].filter(([, n]) => n > 1).map(([key, n]) => `${key} measured ${n} times`);
    expect(measured.size).toBeGreaterThan(REGIONS * 2 * 5); // every region sampled, both colours, for seconds
    expect(twice).toEqual([]);
  } finally {
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

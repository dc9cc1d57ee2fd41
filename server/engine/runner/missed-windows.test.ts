import { and, eq, gt } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { samples } from "@/db/schema";
import type { Actor } from "@/server/actor";
import type { HistoryInput, Measurement, MeasureInput, MetricsProvider, RegionProviders } from "@/server/providers/types";
import { startRollout } from "@/server/services/rollouts";
import { providersForRegion } from "./providers";
import { Runner } from "./runner";
import { addUser, createHarness, demoConfig, DIGEST_A, eventsOf, regionRolloutOf, runUntil, type Harness } from "./test-fixtures";

const INTERVAL = 30_000;
let h: Harness;
let dana: Actor;
/** The new colour fails 6 % of its requests over [burst.from, burst.to); 0.05 % otherwise. */
let burst = { from: Infinity, to: Infinity };
let historyCalls: HistoryInput[];

/** A metrics store that averages over the window it is asked about, as PromQL's increase() over a range does. */
class FakeStore implements MetricsProvider {
  measure({ colour, from, to }: Pick<MeasureInput, "colour" | "from" | "to">): Promise<Measurement> {
    const overlap = colour === "green" ? Math.max(0, Math.min(to, burst.to) - Math.max(from, burst.from)) : 0;
    const errorRatePct = (overlap * 6 + (to - from - overlap) * 0.05) / (to - from);
    return Promise.resolve({ requests: Math.round((to - from) / 10), errorRatePct, latencyP95Ms: 150, cpuPct: 30, memoryPct: 40, healthStatus: 200 });
  }

  async history(input: HistoryInput) {
    historyCalls.push(input);
    const out = [];
    for (let end = input.from + input.stepMs; end <= input.to; end += input.stepMs)
      out.push({ from: end - input.stepMs, to: end, measurement: await this.measure({ colour: input.colour, from: end - input.stepMs, to: end }) });
    return out;
  }
}

beforeEach(() => {
  h = createHarness({ config: demoConfig((raw) => ((raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }])) });
  dana = addUser(h.db, "dana", "Dana", ["deployer"]);
  burst = { from: Infinity, to: Infinity };
  historyCalls = [];
});
afterEach(() => h.cleanup());

const providersFor = (region: string): RegionProviders => ({ ...providersForRegion(h.config, region, h.world, h.clock), metrics: new FakeStore() });

describe("windows missed while the runner was down", () => {
  it("are judged one interval at a time from the store's history, oldest first: a 30 s burst in 5 minutes down rolls back before the stage is promoted", async () => {
    const { rolloutId } = await startRollout(h.as(dana), {
      serviceId: "api",
      artifact: { version: "1.0.0", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
      strategy: "parallel",
      regions: ["us-east"],
    });
    const row = () => regionRolloutOf(h.db, rolloutId, "us-east");
    const first = new Runner({ db: h.db, config: h.config, clock: h.clock, providersFor, id: "runner-1" });
    await runUntil(h, () => row().canaryPct === 10 && row().lastSampleAt !== null, undefined, 20_000, first);
    const downAt = row().lastSampleAt!;
    const stageEndsAt = row().deadlineAt!;

    // The runner is down for 10 intervals (past the end of the 10 % stage); the release fails for 30 s in the middle.
    burst = { from: downAt + 5 * INTERVAL, to: downAt + 6 * INTERVAL };
    h.clock.setTime(downAt + 10 * INTERVAL + 1_000);
    expect(h.clock.now()).toBeGreaterThan(stageEndsAt);
    const second = new Runner({ db: h.db, config: h.config, clock: h.clock, providersFor, id: "runner-2" });
    await runUntil(h, () => row().phase === "rolled_back", undefined, 20, second);

    expect(h.world.weightCalls.map((c) => c.canaryPct)).toEqual([10, 0]);
    const replayed = h.db.raw
      .select()
      .from(samples)
      .where(and(eq(samples.regionRolloutId, row().id), eq(samples.role, "canary"), gt(samples.takenAt, downAt)))
      .all()
      .sort((a, b) => a.takenAt - b.takenAt);
    expect(replayed.map((s) => [s.takenAt - downAt, s.verdict])).toEqual([
      [1 * INTERVAL, "pass"],
      [2 * INTERVAL, "pass"],
      [3 * INTERVAL, "pass"],
      [4 * INTERVAL, "pass"],
      [5 * INTERVAL, "pass"],
      [6 * INTERVAL, "breach"],
    ]);
    expect(replayed[5].errorRatePct).toBe(6);
    // One history request per colour for every missed window, not one per window.
    expect(historyCalls.map((c) => [c.colour, c.from - downAt, c.to - downAt, c.stepMs])).toEqual([
      ["green", 0, 10 * INTERVAL, INTERVAL],
      ["blue", 0, 10 * INTERVAL, INTERVAL],
    ]);
    expect(eventsOf(h.db, { type: "stage.passed" })).toEqual([]);
    expect(row().outcomeReason).toMatch(/^error rate 6 %/);
  });
});

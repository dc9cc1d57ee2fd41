/**
 * How a sample and a stage are judged, end to end: the runner with the simulated fleet, the machine's verdicts
 * on stage-accumulated counts, and what is stored with each sample so a verdict can be re-derived.
 */
import { and, asc, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { samples } from "@/db/schema";
import type { Actor } from "@/server/actor";
import type { Judgement } from "@/server/engine/machine/types";
import type { FaultValues } from "@/server/providers/simulated-world";
import { BUILT } from "@/server/services/ci-webhook.fixtures";
import { startRollout } from "@/server/services/rollouts";
import { addUser, createHarness, demoConfig, DIGEST_A, eventsOf, regionRolloutOf, runUntil, type Harness } from "./test-fixtures";

let h: Harness;
let dana: Actor;

beforeEach(() => {
  h = createHarness({ config: demoConfig((raw) => ((raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }])) });
  dana = addUser(h.db, "dana", "Dana", ["deployer"]);
});
afterEach(() => h.cleanup());

/** One region (us-east) with a fault at one stage; returns the region rollout's row reader. */
async function startWith(stagePercent: number, values: FaultValues) {
  h.world.injectFault("us-east", stagePercent, values);
  const { rolloutId } = await startRollout(h.as(dana), {
    serviceId: "api",
    artifact: { version: "2.0.0", digest: DIGEST_A, ...BUILT },
    strategy: "parallel",
    regions: ["us-east"],
  });
  return () => regionRolloutOf(h.db, rolloutId, "us-east");
}
const canarySamples = (regionRolloutId: string) =>
  h.db.raw
    .select()
    .from(samples)
    .where(and(eq(samples.regionRolloutId, regionRolloutId), eq(samples.role, "canary")))
    .orderBy(asc(samples.takenAt))
    .all();
const ended = (row: () => { phase: string; paused: boolean }) => () => row().paused || ["succeeded", "rolled_back"].includes(row().phase);

describe("stage judgement through the runner and the simulated fleet", () => {
  it("no data on 2 of every 3 samples (inconclusive, inconclusive, pass…) never succeeds: the stage runs on, then pauses with an alert", async () => {
    const row = await startWith(10, { noData: { k: 2, n: 3 } });
    await runUntil(h, ended(row));
    expect(row()).toMatchObject({ phase: "canary", stageIndex: 0, paused: true });
    expect(row().pauseReason).toMatch(/^the 10 % stage ran 5 min past its 5 min and is still not judged: \d of its 10 expected samples were judged/);
    expect(row().pauseReason).toContain("with no data");
    const [alert] = eventsOf(h.db, { type: "analysis.unjudged" });
    expect(alert.data).toMatchObject({ alert: true, expected: 10, needed: 8 });
    expect(eventsOf(h.db, { type: "stage.passed" })).toEqual([]);
    // Every inconclusive sample is stored with why.
    const stored = canarySamples(row().id);
    const missing = stored.filter((s) => (s.judgement as Judgement | null)?.gaps.includes("no_data"));
    expect(missing.length).toBeGreaterThanOrEqual(stored.length / 2);
    expect(missing.every((s) => s.verdict === "inconclusive")).toBe(true);
  });

  it("5 requests with 4 errors at 10 % rolls back at once, and the sample stores the counts and the bound", async () => {
    const row = await startWith(10, { requests: 5, errorRatePct: 80 });
    await runUntil(h, ended(row));
    expect(row()).toMatchObject({ phase: "rolled_back", stageIndex: 0, canaryPct: 0 });
    expect(row().outcomeReason).toBe(
      "error rate 80 % (95 % lower bound 34.3 %) over the 1 % limit, 4 errors in 5 requests, 80 points above blue's 0 % (p < 0.001) at the 10 % stage",
    );
    const [breach] = canarySamples(row().id);
    expect(breach).toMatchObject({ verdict: "breach", requests: 5, errors: 4 });
    expect((breach.judgement as Judgement).errorRate[0]).toMatchObject({ scope: "sample", requests: 5, errors: 4, lowerPct: expect.closeTo(34.26, 2) });
  });

  it("memory at exactly 70 % in the validation stage rolls back (the spec's < 70 %)", async () => {
    const row = await startWith(100, { memoryPct: 70 });
    await runUntil(h, ended(row));
    expect(row()).toMatchObject({ phase: "rolled_back", stageIndex: 4 });
    expect(row().outcomeReason).toBe("memory 70 % ≥ 70 % at the 100 % stage");
  });

  it("both colours at 1.5 % errors at 25 %: an environment problem pauses with an alert, nothing rolled back", async () => {
    const row = await startWith(25, { errorRatePct: 1.5, baselineErrorRatePct: 1.5 });
    await runUntil(h, ended(row));
    expect(row()).toMatchObject({ phase: "canary", stageIndex: 1, paused: true, canaryPct: 25 });
    expect(row().pauseReason).toMatch(/^environment problem at the 25 % stage: error rate 1.5 % > 0.8 %/);
    const [problem] = eventsOf(h.db, { type: "analysis.environment_problem" });
    expect(problem.data).toMatchObject({ alert: true });
    expect(eventsOf(h.db, { type: "region.rolled_back" })).toEqual([]);
  });
});

/** Step keys: one row per idempotent effect of the engine. */
import { asc, eq, inArray } from "drizzle-orm";
import type { steps } from "../../schema";
import type { StepAttempt } from "../../schema/steps";
import type { Query, Tables } from "../query";

export type StepRow = typeof steps.$inferSelect;

export function stepRepository(q: Query, t: Tables) {
  const { steps } = t;
  return {
    // --- engine: idempotent effects (runner) ---
    async byKey(key: string): Promise<StepRow | undefined> {
      const [row] = await q.select().from(steps).where(eq(steps.key, key)).limit(1);
      return row;
    },

    /** The effect starts (again): `started`, its last error and end cleared; `attempts` is its history with this one last. */
    async start(key: string, regionRolloutId: string, startedAt: number, attempts: StepAttempt[], effect: unknown): Promise<void> {
      await q
        .insert(steps)
        .values({ key, regionRolloutId, status: "started", startedAt, attempts, effect })
        .onConflictDoUpdate({ target: steps.key, set: { status: "started", error: null, startedAt, finishedAt: null, attempts, effect } });
    },

    /** The effect is done: its result is stored, and a re-run gets it back without acting. */
    async finish(key: string, result: unknown, finishedAt: number, attempts: StepAttempt[]): Promise<void> {
      await q.update(steps).set({ status: "done", result, finishedAt, attempts }).where(eq(steps.key, key));
    },

    async fail(key: string, error: string, finishedAt: number, attempts: StepAttempt[]): Promise<void> {
      await q.update(steps).set({ status: "failed", error, finishedAt, attempts }).where(eq(steps.key, key));
    },

    // --- the rollout page (services: rollout-view) ---
    /** The steps of these region rollouts, oldest first, each with its attempts. */
    async listForRegionRollouts(regionRolloutIds: readonly string[]): Promise<StepRow[]> {
      if (regionRolloutIds.length === 0) return [];
      return q
        .select()
        .from(steps)
        .where(inArray(steps.regionRolloutId, [...regionRolloutIds]))
        .orderBy(asc(steps.startedAt), asc(steps.key));
    },
  };
}

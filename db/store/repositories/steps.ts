/** Step keys: one row per idempotent effect of the engine. */
import { eq } from "drizzle-orm";
import type { steps } from "../../schema";
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

    /** The effect starts (again): `started`, its last error and end cleared. */
    async start(key: string, regionRolloutId: string, startedAt: number): Promise<void> {
      await q
        .insert(steps)
        .values({ key, regionRolloutId, status: "started", startedAt })
        .onConflictDoUpdate({ target: steps.key, set: { status: "started", error: null, startedAt, finishedAt: null } });
    },

    /** The effect is done: its result is stored, and a re-run gets it back without acting. */
    async finish(key: string, result: unknown, finishedAt: number): Promise<void> {
      await q.update(steps).set({ status: "done", result, finishedAt }).where(eq(steps.key, key));
    },

    async fail(key: string, error: string, finishedAt: number): Promise<void> {
      await q.update(steps).set({ status: "failed", error, finishedAt }).where(eq(steps.key, key));
    },
  };
}

/** Stage rows of a region rollout (plan and outcome per stage). */
import { and, asc, eq, gt, inArray } from "drizzle-orm";
import type { stages } from "../../schema";
import type { Query, Tables } from "../query";

export type StageRow = typeof stages.$inferSelect;

export function stageRepository(q: Query, t: Tables) {
  const { stages } = t;
  return {
    // --- engine: the stage rows follow the region rollout (store) ---
    /** A region rollout's stages in order. */
    async listForRegionRollout(regionRolloutId: string): Promise<StageRow[]> {
      return q.select().from(stages).where(eq(stages.regionRolloutId, regionRolloutId)).orderBy(asc(stages.index));
    },

    async byIndex(regionRolloutId: string, index: number): Promise<StageRow | undefined> {
      const [row] = await q
        .select()
        .from(stages)
        .where(and(eq(stages.regionRolloutId, regionRolloutId), eq(stages.index, index)))
        .limit(1);
      return row;
    },

    /** A retry starts the canary over: every stage pending again. */
    async resetAll(regionRolloutId: string): Promise<void> {
      await q.update(stages).set({ status: "pending", startedAt: null, finishedAt: null }).where(eq(stages.regionRolloutId, regionRolloutId));
    },

    /** One stage's status (and its times, when given). */
    async setStatus(
      regionRolloutId: string,
      index: number,
      set: Pick<StageRow, "status"> & Partial<Pick<StageRow, "startedAt" | "finishedAt">>,
    ): Promise<void> {
      await q
        .update(stages)
        .set(set)
        .where(and(eq(stages.regionRolloutId, regionRolloutId), eq(stages.index, index)));
    },

    /** The stages after `index` that never ran are skipped (the region stopped early). */
    async skipPendingAfter(regionRolloutId: string, index: number): Promise<void> {
      await q
        .update(stages)
        .set({ status: "skipped" })
        .where(and(eq(stages.regionRolloutId, regionRolloutId), gt(stages.index, index), eq(stages.status, "pending")));
    },

    // --- stages of many region rollouts (CLI simulate) ---
    /** The stages of these region rollouts, in stage order within each. */
    async listForRegionRollouts(regionRolloutIds: readonly string[]): Promise<StageRow[]> {
      if (regionRolloutIds.length === 0) return [];
      return q
        .select()
        .from(stages)
        .where(inArray(stages.regionRolloutId, [...regionRolloutIds]))
        .orderBy(asc(stages.regionRolloutId), asc(stages.index));
    },

    // --- a start's plan and a retry (services: rollouts, region-commands) ---
    async insertMany(rows: Array<typeof stages.$inferInsert>): Promise<void> {
      if (rows.length > 0) await q.insert(stages).values(rows);
    },

    /** The stages a blocked region skipped are pending again (its retry re-opens it). */
    async reopenSkipped(regionRolloutId: string): Promise<void> {
      await q
        .update(stages)
        .set({ status: "pending" })
        .where(and(eq(stages.regionRolloutId, regionRolloutId), eq(stages.status, "skipped")));
    },
  };
}

/** Stage rows of a region rollout (plan and outcome per stage). */
import { asc, inArray } from "drizzle-orm";
import { stages } from "../../schema";
import type { SqliteQuery as Query } from "../../sqlite/driver";

export type StageRow = typeof stages.$inferSelect;

export function stageRepository(q: Query) {
  return {
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
  };
}

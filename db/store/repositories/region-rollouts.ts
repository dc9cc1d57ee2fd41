/** Region rollouts: the engine's state per region, saved version-checked. */
import { asc, eq } from "drizzle-orm";
import { regionRollouts } from "../../schema";
import type { SqliteQuery as Query } from "../../sqlite/driver";

export type RegionRolloutRow = typeof regionRollouts.$inferSelect;

export function regionRolloutRepository(q: Query) {
  return {
    // --- a rollout's regions (CLI simulate, API) ---
    /** A rollout's region rollouts in plan order (position). */
    async listForRollout(rolloutId: string): Promise<RegionRolloutRow[]> {
      return q.select().from(regionRollouts).where(eq(regionRollouts.rolloutId, rolloutId)).orderBy(asc(regionRollouts.position));
    },
  };
}

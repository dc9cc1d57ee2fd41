/** Rollouts: one row per release of an artifact across regions. */
import { eq } from "drizzle-orm";
import { rollouts } from "../../schema";
import type { SqliteQuery as Query } from "../../sqlite/driver";

export type RolloutRow = typeof rollouts.$inferSelect;

export function rolloutRepository(q: Query) {
  return {
    // --- by id (CLI simulate, API) ---
    async byId(id: string): Promise<RolloutRow | undefined> {
      const [row] = await q.select().from(rollouts).where(eq(rollouts.id, id)).limit(1);
      return row;
    },
  };
}

/** Runner heartbeats shown by `/api/health`. */
import { desc, eq, gte } from "drizzle-orm";
import type { runners } from "../../schema";
import type { Query, Tables } from "../query";

export type RunnerRow = typeof runners.$inferSelect;

export function runnerRepository(q: Query, t: Tables) {
  const { runners } = t;
  return {
    // --- engine: heartbeats (runner, health) ---
    /** The runner is alive: its row written, or its heartbeat moved. */
    async heartbeat(row: RunnerRow): Promise<void> {
      await q
        .insert(runners)
        .values(row)
        .onConflictDoUpdate({ target: runners.id, set: { heartbeatAt: row.heartbeatAt } });
    },

    /** Runners that beat at `since` or later: the live replicas a runner shares the rollouts with. */
    async aliveSince(since: number): Promise<RunnerRow[]> {
      return q.select().from(runners).where(gte(runners.heartbeatAt, since));
    },

    /**
     * The runner is gone (stopped, or its process found dead): out of the live count at once rather than when its
     * heartbeat goes stale, so the others take its share now. The row stays, its heartbeat set to 0.
     */
    async markGone(id: string): Promise<void> {
      await q.update(runners).set({ heartbeatAt: 0 }).where(eq(runners.id, id));
    },

    /** The runner that beat last, if any ever did. */
    async latest(): Promise<RunnerRow | undefined> {
      const [row] = await q.select().from(runners).orderBy(desc(runners.heartbeatAt)).limit(1);
      return row;
    },
  };
}

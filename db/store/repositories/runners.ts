/** Runner heartbeats shown by `/api/health`. */
import { desc } from "drizzle-orm";
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

    /** The runner that beat last, if any ever did. */
    async latest(): Promise<RunnerRow | undefined> {
      const [row] = await q.select().from(runners).orderBy(desc(runners.heartbeatAt)).limit(1);
      return row;
    },
  };
}

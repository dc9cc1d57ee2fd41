/**
 * Stop-all freezes: at most one in force (no `liftedAt`). Declaring and lifting are conditional writes, so two
 * people declaring at once get one freeze, and a lift that finds none in force changes nothing.
 */
import { desc, isNotNull, isNull, sql } from "drizzle-orm";
import type { freezes } from "../../schema";
import { perHandle, prepare } from "../prepared";
import type { Query, Tables } from "../query";

export type FreezeRow = typeof freezes.$inferSelect;

// --- engine: the runner reads the stop-all once per tick that has work: prepared, like the rest of a pass ---
const runnerStatements = perHandle((q, { freezes }) => ({
  active: prepare(q.select().from(freezes).where(isNull(freezes.liftedAt)).orderBy(desc(freezes.declaredAt)).limit(1), "freezes.active"),
}));

export function freezeRepository(q: Query, t: Tables) {
  const { freezes } = t;
  return {
    /** The stop-all in force, or null. */
    async active(): Promise<FreezeRow | null> {
      const [row] = await runnerStatements(q, t).active.execute();
      return row ?? null;
    },

    async insert(row: Pick<FreezeRow, "id" | "reason" | "declaredBy" | "declaredAt">): Promise<void> {
      await q.insert(freezes).values(row);
    },

    /** Lift the stop-all in force: the row lifted, or null when none was in force. */
    async liftActive(liftedBy: string, liftedAt: number): Promise<FreezeRow | null> {
      const [row] = await q.update(freezes).set({ liftedBy, liftedAt }).where(isNull(freezes.liftedAt)).returning();
      return row ?? null;
    },

    /** Every region rollout holding for a freeze looks again now (after a lift): their runners need not wait for their next recheck. */
    async wakeHeld(now: number): Promise<number> {
      const { regionRollouts } = t;
      const rows = await q
        .update(regionRollouts)
        .set({ nextTickAt: now, version: sql`${regionRollouts.version} + 1` })
        .where(isNotNull(regionRollouts.freezeHeldAt))
        .returning({ id: regionRollouts.id });
      return rows.length;
    },

    async count(): Promise<number> {
      return (await q.select({ id: freezes.id }).from(freezes)).length;
    },
  };
}

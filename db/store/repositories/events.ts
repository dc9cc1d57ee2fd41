/** The append-only event log (audit page, live feed, cards). */
import { asc, count, eq } from "drizzle-orm";
import { events } from "../../schema";
import type { SqliteQuery as Query } from "../../sqlite/driver";

export type EventRow = typeof events.$inferSelect;
export type NewEvent = typeof events.$inferInsert;

export function eventRepository(q: Query) {
  return {
    /** Appends one event row, or several in one statement. */
    async insert(rows: NewEvent | NewEvent[]): Promise<void> {
      const list = Array.isArray(rows) ? rows : [rows];
      if (list.length > 0) await q.insert(events).values(list);
    },

    // --- a rollout's log (CLI simulate) ---
    async countForRollout(rolloutId: string): Promise<number> {
      const [row] = await q.select({ n: count() }).from(events).where(eq(events.rolloutId, rolloutId));
      return row?.n ?? 0;
    },

    /** A rollout's events, oldest first. */
    async listForRollout(rolloutId: string): Promise<EventRow[]> {
      return q.select().from(events).where(eq(events.rolloutId, rolloutId)).orderBy(asc(events.id));
    },
  };
}

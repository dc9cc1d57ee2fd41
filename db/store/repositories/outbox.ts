/** The notification outbox: rows written with the events, claimed and sent by the sender. */
import { and, asc, desc, eq, gte, lt, lte, ne, or } from "drizzle-orm";
import type { notificationOutbox } from "../../schema";
import type { Query, Tables } from "../query";

export type OutboxRow = typeof notificationOutbox.$inferSelect;
export type NewOutboxRow = typeof notificationOutbox.$inferInsert;

export function outboxRepository(q: Query, t: Tables) {
  const { events, notificationOutbox } = t;
  return {
    // --- engine: written with the events (enqueue), claimed and marked by the sender ---
    /** One row per event and channel: a second one for the same pair is ignored. */
    async insertIfAbsent(row: NewOutboxRow): Promise<void> {
      await q.insert(notificationOutbox).values(row).onConflictDoNothing();
    },

    /** Whether the channel got an alert of this group since `since` (not counting grouped repeats). */
    async hasAlertSince(channelId: string, groupKey: string, since: number): Promise<boolean> {
      const rows = await q
        .select({ id: notificationOutbox.id })
        .from(notificationOutbox)
        .where(
          and(
            eq(notificationOutbox.channelId, channelId),
            eq(notificationOutbox.groupKey, groupKey),
            ne(notificationOutbox.status, "grouped"),
            gte(notificationOutbox.createdAt, since),
          ),
        )
        .limit(1);
      return rows.length > 0;
    },

    /** Rows due by `now` (pending, or sending with a lease run out), oldest due first. */
    async due(now: number, limit: number): Promise<OutboxRow[]> {
      return q
        .select()
        .from(notificationOutbox)
        .where(and(or(eq(notificationOutbox.status, "pending"), eq(notificationOutbox.status, "sending")), lte(notificationOutbox.nextAttemptAt, now)))
        .orderBy(asc(notificationOutbox.nextAttemptAt), asc(notificationOutbox.id))
        .limit(limit);
    },

    /** pending → sending (or an expired `sending` lease → ours), only if the row is still as read; null when another sender won. */
    async claim(row: OutboxRow, leaseUntil: number): Promise<OutboxRow | null> {
      const [won] = await q
        .update(notificationOutbox)
        .set({ status: "sending", attempts: row.attempts + 1, nextAttemptAt: leaseUntil })
        .where(
          and(
            eq(notificationOutbox.id, row.id),
            eq(notificationOutbox.status, row.status),
            eq(notificationOutbox.attempts, row.attempts),
            eq(notificationOutbox.nextAttemptAt, row.nextAttemptAt),
          ),
        )
        .returning();
      return won ?? null;
    },

    /**
     * Before the POST of a claimed row: the time it starts, so that if this process dies before the answer is
     * recorded the next sender knows the card may have arrived. False when the claim is no longer ours.
     */
    async markPostStarted(row: Pick<OutboxRow, "id" | "attempts">, at: number): Promise<boolean> {
      const won = await q
        .update(notificationOutbox)
        .set({ postStartedAt: at })
        .where(and(eq(notificationOutbox.id, row.id), eq(notificationOutbox.status, "sending"), eq(notificationOutbox.attempts, row.attempts)))
        .returning({ id: notificationOutbox.id });
      return won.length > 0;
    },

    /** The outcome of a claimed row, written only by the claim's holder (same attempts, still sending); false when the claim was no longer ours. */
    async markClaimed(
      row: Pick<OutboxRow, "id" | "attempts">,
      set: Partial<Pick<OutboxRow, "status" | "sentAt" | "lastError" | "payload" | "nextAttemptAt" | "postStartedAt">>,
    ): Promise<boolean> {
      const won = await q
        .update(notificationOutbox)
        .set(set)
        .where(and(eq(notificationOutbox.id, row.id), eq(notificationOutbox.status, "sending"), eq(notificationOutbox.attempts, row.attempts)))
        .returning({ id: notificationOutbox.id });
      return won.length > 0;
    },

    /** The latest row of a channel and kind in a group written before `beforeId` (a region annotation's start). */
    async latestInGroupBefore(channelId: string, kind: string, groupKey: string, beforeId: number): Promise<OutboxRow | undefined> {
      const [row] = await q
        .select()
        .from(notificationOutbox)
        .where(
          and(
            eq(notificationOutbox.channelId, channelId),
            eq(notificationOutbox.kind, kind),
            eq(notificationOutbox.groupKey, groupKey),
            lt(notificationOutbox.id, beforeId),
          ),
        )
        .orderBy(desc(notificationOutbox.id))
        .limit(1);
      return row;
    },

    // --- the rollout page's notifications (services: rollout-notifications) ---
    /** Every outbox row written for a rollout's events, with its event, newest first. */
    async listForRollout(rolloutId: string) {
      return q
        .select({ row: notificationOutbox, event: { id: events.id, type: events.type, message: events.message, at: events.at, regionId: events.regionId } })
        .from(notificationOutbox)
        .innerJoin(events, eq(events.id, notificationOutbox.eventId))
        .where(eq(events.rolloutId, rolloutId))
        .orderBy(desc(notificationOutbox.createdAt), desc(notificationOutbox.id));
    },
  };
}

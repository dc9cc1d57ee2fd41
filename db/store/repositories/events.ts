/** The append-only event log (audit page, live feed, cards). */
import { and, asc, count, desc, eq, gt, gte, inArray, lt, lte, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { events } from "../../schema";
import { boundColumns, perHandle, prepare } from "../prepared";
import type { Query, Tables } from "../query";

export type EventRow = typeof events.$inferSelect;
export type NewEvent = typeof events.$inferInsert;

// --- engine: the event a decision writes, prepared (runner, store) ---
const engineStatements = perHandle((q, { events }) => {
  const written = boundColumns(events, ["id"]);
  return { encode: written.encode, insert: prepare(q.insert(events).values(written.placeholders).returning({ id: events.id }), "events.insert") };
});

export function eventRepository(q: Query, t: Tables) {
  const { events } = t;
  return {
    // --- engine (runner, store, outbox) ---
    /** Appends one event (prepared: a decision's event is the engine's hot path); returns its id. */
    async insertOne(row: NewEvent): Promise<number> {
      const { insert, encode } = engineStatements(q, t);
      const [{ id }] = await insert.execute(encode(row));
      return id;
    },

    /** Appends events in one statement and returns them as written (their ids key the outbox rows). */
    async insertAll(rows: NewEvent[]): Promise<EventRow[]> {
      if (rows.length === 0) return [];
      return q.insert(events).values(rows).returning();
    },

    /** The correlation id of the rollout an event belongs to (the outbox's requests carry it). */
    async correlationIdOf(id: number): Promise<string | null> {
      const [row] = await q.select({ correlationId: events.correlationId }).from(events).where(eq(events.id, id)).limit(1);
      return row?.correlationId ?? null;
    },

    // --- read models: overview, rollout page, audit log, live feed (dashboard, REST) ---
    /** The newest event of every (service, region) pair, events with neither included (one statement). */
    async newestPerServiceRegion() {
      const newestIds = q
        .select({ id: sql<number>`max(${events.id})`.as("id") })
        .from(events)
        .groupBy(events.serviceId, events.regionId);
      return q
        .select({ id: events.id, at: events.at, type: events.type, message: events.message, serviceId: events.serviceId, regionId: events.regionId })
        .from(events)
        .where(inArray(events.id, newestIds));
    },

    /** A service's newest event of any of these types (the migration path's last rollback drill), or undefined. */
    async newestOfTypesForService(serviceId: string, types: readonly string[]): Promise<{ at: number; type: string } | undefined> {
      const [row] = await q
        .select({ at: events.at, type: events.type })
        .from(events)
        .where(and(eq(events.serviceId, serviceId), inArray(events.type, [...types])))
        .orderBy(desc(events.at))
        .limit(1);
      return row;
    },

    /** The events of one type of these rollouts, oldest first. */
    async listForRolloutsOfType(rolloutIds: readonly string[], type: string): Promise<EventRow[]> {
      if (rolloutIds.length === 0) return [];
      return q
        .select()
        .from(events)
        .where(and(inArray(events.rolloutId, [...rolloutIds]), eq(events.type, type)))
        .orderBy(asc(events.id));
    },

    /** A rollout's newest `limit` events, newest first, without their data. */
    async recentForRollout(rolloutId: string, limit: number) {
      return q
        .select({ id: events.id, at: events.at, type: events.type, actor: events.actor, message: events.message, regionId: events.regionId })
        .from(events)
        .where(eq(events.rolloutId, rolloutId))
        .orderBy(desc(events.id))
        .limit(limit);
    },

    /** The highest event id (0 when the log is empty). */
    async latestId(): Promise<number> {
      const [row] = await q.select({ id: events.id }).from(events).orderBy(desc(events.id)).limit(1);
      return row?.id ?? 0;
    },

    /** Up to `limit` events with an id above `afterId`, in id order, without their data (the live feed). */
    async listAfter(afterId: number, limit: number) {
      return q
        .select({
          id: events.id,
          at: events.at,
          type: events.type,
          actor: events.actor,
          message: events.message,
          serviceId: events.serviceId,
          rolloutId: events.rolloutId,
          regionId: events.regionId,
          correlationId: events.correlationId,
        })
        .from(events)
        .where(gt(events.id, afterId))
        .orderBy(asc(events.id))
        .limit(limit);
    },

    /**
     * A page of the audit log, newest first: events matching every filter given, with an id below `beforeId`.
     * A prefix matches case-sensitively, as an exact filter does, on both engines (SQLite's LIKE ignores case,
     * PostgreSQL's does not), and its characters are taken literally.
     */
    async auditPage(
      filter: { actor?: string; actorPrefix?: string; regionId?: string; type?: string; typePrefix?: string; from?: number; to?: number; beforeId?: number },
      limit: number,
    ): Promise<EventRow[]> {
      const startsWith = (column: SQLWrapper, prefix: string): SQL => sql`substr(${column}, 1, ${[...prefix].length}) = ${prefix}`;
      const where: SQL[] = [];
      if (filter.actor !== undefined) where.push(eq(events.actor, filter.actor));
      if (filter.actorPrefix !== undefined) where.push(startsWith(events.actor, filter.actorPrefix));
      if (filter.regionId !== undefined) where.push(eq(events.regionId, filter.regionId));
      if (filter.type !== undefined) where.push(eq(events.type, filter.type));
      if (filter.typePrefix !== undefined) where.push(startsWith(events.type, filter.typePrefix));
      if (filter.from !== undefined) where.push(gte(events.at, filter.from));
      if (filter.to !== undefined) where.push(lte(events.at, filter.to));
      if (filter.beforeId !== undefined) where.push(lt(events.id, filter.beforeId));
      return q
        .select()
        .from(events)
        .where(where.length ? and(...where) : undefined)
        .orderBy(desc(events.id))
        .limit(limit);
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

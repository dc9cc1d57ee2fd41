/**
 * Follows the append-only events table: yields every row with an id above a cursor, in id order, polling for
 * new rows. Polling the table (instead of an in-process emitter) sees rows written by any process, such as a
 * worker running apart or another replica, and resumes exactly after the last id a client saw.
 */
import { asc, desc, gt } from "drizzle-orm";
import type { Db } from "@/db/client";
import { events } from "@/db/schema";

export type FeedEvent = {
  id: number;
  at: number;
  type: string;
  actor: string;
  message: string;
  serviceId: string | null;
  rolloutId: string | null;
  regionId: string | null;
  correlationId: string | null;
};

export type FollowEventsOptions = {
  /** Yield rows with an id above this; null starts after the newest row (only what happens from now on). */
  after: number | null;
  signal?: AbortSignal;
  pollIntervalMs?: number;
  /** Rows read per statement, so a long backlog is streamed rather than loaded at once. */
  batchSize?: number;
};

export function latestEventId(db: Db): number {
  return db.select({ id: events.id }).from(events).orderBy(desc(events.id)).limit(1).get()?.id ?? 0;
}

export async function* followEvents(db: Db, opts: FollowEventsOptions): AsyncGenerator<FeedEvent> {
  const { signal, pollIntervalMs = 250, batchSize = 200 } = opts;
  let cursor = opts.after ?? latestEventId(db);
  while (!signal?.aborted) {
    const rows = db
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
      .where(gt(events.id, cursor))
      .orderBy(asc(events.id))
      .limit(batchSize)
      .all();
    for (const row of rows) {
      if (signal?.aborted) return;
      cursor = row.id;
      yield row;
    }
    if (rows.length < batchSize) await sleep(pollIntervalMs, signal);
  }
}

/** Resolves after ms, or at once when the signal aborts (the caller's loop then sees `aborted`). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

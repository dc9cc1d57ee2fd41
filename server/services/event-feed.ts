/**
 * Follows the append-only events table: yields every row with an id above a cursor, in id order, polling for
 * new rows. Polling the table (instead of an in-process emitter) sees rows written by any process, such as a
 * worker running apart or another replica, and resumes exactly after the last id a client saw.
 *
 * It also announces new canary samples. A passing sample writes no event (it is not news for the log), yet a live
 * sparkline must redraw when one arrives: each poll reads the samples added since the last one and yields one
 * `sample.taken` notice per region rollout. A notice is not stored; it carries the id of the last stored event
 * it follows, so a client resuming from it misses no event. A notice missed during a reconnect costs nothing
 * lasting: the client re-reads all recent samples on the next one.
 */
import type { Store } from "@/db/client";

/** The `type` of a feed item that announces new canary samples rather than a stored event. */
export const SAMPLE_NOTICE = "sample.taken";

export type FeedEvent = {
  /** The stored event's id; for a `sample.taken` notice, the id of the last stored event before it. */
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

export async function latestEventId(db: Store): Promise<number> {
  return db.events.latestId();
}

/** Canary samples with an id above `after`, one notice per region rollout, and the highest sample id seen. */
async function sampleNotices(db: Store, after: number, eventCursor: number): Promise<{ notices: FeedEvent[]; last: number }> {
  const rows = await db.samples.canaryArrivalsAfter(after);
  let last = after;
  const notices = rows.map((row): FeedEvent => {
    last = Math.max(last, row.lastId ?? after);
    const count = Number(row.count);
    return {
      id: eventCursor,
      at: row.at ?? 0,
      type: SAMPLE_NOTICE,
      actor: "engine",
      message: `${row.regionId}: ${count} new canary sample${count === 1 ? "" : "s"}.`,
      serviceId: row.serviceId,
      rolloutId: row.rolloutId,
      regionId: row.regionId,
      correlationId: row.correlationId,
    };
  });
  return { notices, last };
}

export async function* followEvents(db: Store, opts: FollowEventsOptions): AsyncGenerator<FeedEvent> {
  // One indexed read of an empty range costs microseconds, so 20 polls a second per open page is cheap and keeps
  // the wait for a new event (half the interval on average) small next to the 250 ms live-update goal.
  const { signal, pollIntervalMs = 50, batchSize = 200 } = opts;
  let cursor = opts.after ?? (await latestEventId(db));
  let sampleCursor = await db.samples.latestId();
  while (!signal?.aborted) {
    const rows = await db.events.listAfter(cursor, batchSize);
    for (const row of rows) {
      if (signal?.aborted) return;
      cursor = row.id;
      yield row;
    }
    if (rows.length < batchSize) {
      // Once caught up with the events: a backlog streams first, and one notice covers any number of samples.
      const { notices, last } = await sampleNotices(db, sampleCursor, cursor);
      sampleCursor = last;
      for (const notice of notices) {
        if (signal?.aborted) return;
        yield notice;
      }
      await sleep(pollIntervalMs, signal);
    }
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

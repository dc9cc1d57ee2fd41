/**
 * Follows the append-only events table: yields every row with an id above a cursor, in id order. It reads the
 * table when the store's live signal says events or samples were committed (on PostgreSQL by any replica, through
 * LISTEN/NOTIFY; on SQLite by any process on the file, through its write-ahead log), and once a second without one
 * (a signal lost with its connection, a file system that reports no changes). Reading the table, not the signal,
 * is what resumes exactly after the last id a client saw.
 *
 * It also announces new canary samples. A passing sample writes no event (it is not news for the log), yet a live
 * sparkline must redraw when one arrives: at most once a second (SAMPLE_NOTICE_EVERY_MS) a look reads the samples
 * added since the last one and yields one `sample.taken` notice naming each region rollout that took any. A notice
 * is not stored; it carries the id of the last stored event it follows, so a client resuming from it misses no
 * event. A notice missed during a reconnect costs nothing lasting: the client re-reads all recent samples on the
 * next one.
 */
import { actorRefsIn, resolveActorNames, withActorNames } from "@/server/actor-names";
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
  /** On a `sample.taken` notice: every region rollout that took canary samples since the last notice. */
  regions?: SampleArrival[];
};

export type FollowEventsOptions = {
  /** Yield rows with an id above this; null starts after the newest row (only what happens from now on). */
  after: number | null;
  signal?: AbortSignal;
  /** Rows read per statement, so a long backlog is streamed rather than loaded at once. */
  batchSize?: number;
};

export async function latestEventId(db: Store): Promise<number> {
  return db.events.latestId();
}

/** A region rollout a `sample.taken` notice names, with how many canary samples it took. */
export type SampleArrival = { serviceId: string; rolloutId: string; regionId: string; correlationId: string; count: number };

/**
 * Sample notices go out at most once per this, in rounds of the wall clock (the feeds of a process look in the same
 * round with the same cursor, so they share the read), and one notice names every region rollout that took
 * samples: a chart redraws within about a second, and 200 open pages at 10 samples a second cost 200 messages a
 * second, not 2,000 (the load bench saw the server's core taken by the notices).
 */
export const SAMPLE_NOTICE_EVERY_MS = 1_000;

/**
 * Canary samples with an id above `after`, as one notice (null when none came), and the highest sample id seen.
 * A notice about one region rollout names it in `rolloutId`/`regionId` as a stored event does; `regions` lists each.
 */
async function sampleNotice(hub: Hub, after: number, eventCursor: number): Promise<{ notice: FeedEvent | null; last: number }> {
  const rows = await hub.read(`samples:${after}`, (db) => db.samples.canaryArrivalsAfter(after));
  let last = after;
  let at = 0;
  const regions = rows.map((row): SampleArrival => {
    last = Math.max(last, row.lastId ?? after);
    at = Math.max(at, row.at ?? 0);
    return { serviceId: row.serviceId, rolloutId: row.rolloutId, regionId: row.regionId, correlationId: row.correlationId, count: Number(row.count) };
  });
  if (regions.length === 0) return { notice: null, last };
  const total = regions.reduce((sum, r) => sum + r.count, 0);
  const samples = `${total} new canary sample${total === 1 ? "" : "s"}`;
  const one = regions.length === 1 ? regions[0] : null;
  const notice: FeedEvent = {
    id: eventCursor,
    at,
    type: SAMPLE_NOTICE,
    actor: "engine",
    message: one ? `${one.regionId}: ${samples}.` : `${samples} in ${regions.length} regions.`,
    serviceId: one?.serviceId ?? null,
    rolloutId: one?.rolloutId ?? null,
    regionId: one?.regionId ?? null,
    correlationId: one?.correlationId ?? null,
    regions,
  };
  return { notice, last };
}

export async function* followEvents(db: Store, opts: FollowEventsOptions): AsyncGenerator<FeedEvent> {
  const { signal, batchSize = 200 } = opts;
  const hub = joinHub(db);
  try {
    let cursor = opts.after ?? (await latestEventId(db));
    let sampleCursor = await db.samples.latestId();
    let sampleRound = -1;
    const gaps = gapWatch();
    // People by name in the messages; a name is looked up once per feed (most rows name nobody or the engine).
    const names = new Map<string, string>();
    while (!signal?.aborted) {
      const from = cursor;
      const rows = await hub.read(`events:${from}:${batchSize}`, (store) => store.events.listAfter(from, batchSize));
      let caughtUp = rows.length < batchSize;
      for (const row of rows) {
        if (signal?.aborted) return;
        if (row.id !== cursor + 1 && !gaps.given(row.id, Date.now())) {
          caughtUp = true;
          break;
        }
        cursor = row.id;
        const unknown = [...actorRefsIn([row.message])].filter((ref) => !names.has(ref));
        if (unknown.length > 0) for (const [ref, name] of await resolveActorNames(db, unknown)) names.set(ref, name);
        yield { ...row, message: withActorNames(row.message, names) };
      }
      if (caughtUp) {
        // Once caught up with the events (a backlog streams first), at most one notice a round covers every sample.
        const round = Math.floor(Date.now() / SAMPLE_NOTICE_EVERY_MS);
        if (round !== sampleRound) {
          sampleRound = round;
          const { notice, last } = await sampleNotice(hub, sampleCursor, cursor);
          sampleCursor = last;
          if (notice && !signal?.aborted) yield notice;
        }
        await hub.next(signal);
      }
    }
  } finally {
    hub.leave();
  }
}

/** How long a follower waits for a missing event id before it goes on without it. */
export const GAP_WAIT_MS = 2_000;

/**
 * Ids are handed out when a row is inserted, not when its transaction commits: on PostgreSQL a transaction may
 * commit event 8 while another still holds 7 uncommitted. A follower that stepped past 7 would never see it, so
 * it stops before a missing id until the row after it has been seen for GAP_WAIT_MS; then the id is taken for
 * one a transaction rolled back or a crash lost (they leave gaps for good). On SQLite ids come in commit order.
 */
function gapWatch(): { given(id: number, now: number): boolean } {
  /** When the row after each gap was first seen. */
  const seen = new Map<number, number>();
  return {
    given(id, now) {
      const since = seen.get(id) ?? now;
      seen.set(id, since);
      if (now - since < GAP_WAIT_MS) return false;
      for (const key of seen.keys()) if (key <= id) seen.delete(key);
      return true;
    },
  };
}

/** The longest a follower waits without a signal: what a lost signal costs at most. */
export const LOOK_EVERY_MS = 1_000;
/** The shortest time between two pulses: a busy engine's stream of commits costs the feeds 20 reads a second at most. */
export const MIN_LOOK_GAP_MS = 50;

/**
 * What the followers of one store share, so a hundred open pages cost about what one does. They wake together on
 * one pulse (the store's commit signal, at most every MIN_LOOK_GAP_MS), and their reads go through one query per
 * pulse and cursor: followers that are caught up ask the same question and share its answer. A follower that was
 * reading when a pulse came reads again at once; each also looks at least every LOOK_EVERY_MS on its own.
 */
type Hub = {
  /** `read(store)` once per pulse and key, its answer shared (never mutated by its readers). */
  read<T>(key: string, read: (db: Store) => Promise<T>): Promise<T>;
  /** Resolves at the next pulse (at once if one came since this follower last woke), after LOOK_EVERY_MS, or on abort. */
  next(signal?: AbortSignal): Promise<void>;
  leave(): void;
};

type HubState = {
  followers: number;
  pulse: number;
  lastPulseAt: number;
  timer: NodeJS.Timeout | null;
  waiters: Set<() => void>;
  reads: Map<string, Promise<unknown>>;
  unsubscribe: () => void;
};
const hubs = new WeakMap<Store, HubState>();

function joinHub(db: Store): Hub {
  let state = hubs.get(db);
  if (!state) {
    const created: HubState = { followers: 0, pulse: 0, lastPulseAt: 0, timer: null, waiters: new Set(), reads: new Map(), unsubscribe: () => undefined };
    const pulse = () => {
      created.timer = null;
      created.pulse++;
      created.lastPulseAt = Date.now();
      for (const wake of [...created.waiters]) wake();
    };
    created.unsubscribe = db.live.subscribe(() => {
      created.timer ??= setTimeout(pulse, Math.max(0, created.lastPulseAt + MIN_LOOK_GAP_MS - Date.now()));
    });
    hubs.set(db, created);
    state = created;
  }
  const hub = state;
  hub.followers++;
  let seen = hub.pulse;
  return {
    read<T>(key: string, read: (store: Store) => Promise<T>): Promise<T> {
      const shared = `${hub.pulse}:${key}`;
      const inflight = hub.reads.get(shared) as Promise<T> | undefined;
      if (inflight) return inflight;
      const answer = read(db).finally(() => hub.reads.delete(shared));
      hub.reads.set(shared, answer);
      return answer;
    },
    next: (signal) =>
      new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          hub.waiters.delete(done);
          seen = hub.pulse;
          resolve();
        };
        const timer = setTimeout(done, LOOK_EVERY_MS);
        if (signal?.aborted || hub.pulse !== seen) return done();
        hub.waiters.add(done);
        signal?.addEventListener("abort", done, { once: true });
      }),
    leave() {
      if (--hub.followers > 0) return;
      hub.unsubscribe();
      if (hub.timer) clearTimeout(hub.timer);
      hubs.delete(db);
    },
  };
}

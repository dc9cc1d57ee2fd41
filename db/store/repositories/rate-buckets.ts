/**
 * Token buckets shared by every replica. A take is one conditional upsert: the bucket is refilled for the time
 * since it was last touched, capped at its capacity, and one token taken only when one is there, all in the
 * statement, so two replicas taking at once can never both take the last token (the upsert locks the row on
 * PostgreSQL; SQLite has one writer).
 */
import { eq, lt, sql } from "drizzle-orm";
import type { Query, Tables } from "../query";

export type BucketLimit = { capacity: number; perSecond: number };

export function rateBucketRepository(q: Query, t: Tables) {
  const { rateBuckets } = t;
  return {
    /** Take a token from `key`'s bucket: true when taken; false, with the tokens the bucket holds now, when empty. */
    async take(key: string, now: number, limit: BucketLimit): Promise<{ taken: true } | { taken: false; tokens: number }> {
      // Cast: a bound parameter in arithmetic would otherwise be typed as the column's integer on PostgreSQL.
      const perMs = sql`cast(${limit.perSecond / 1000} as double precision)`;
      const refilled = sql`${rateBuckets.tokens} + (${now} - ${rateBuckets.at}) * ${perMs}`;
      const available = sql`case when ${refilled} > ${limit.capacity} then ${limit.capacity} else ${refilled} end`;
      const rows = await q
        .insert(rateBuckets)
        .values({ key, tokens: limit.capacity - 1, at: now })
        .onConflictDoUpdate({ target: rateBuckets.key, set: { tokens: sql`${available} - 1`, at: now }, setWhere: sql`${available} >= 1` })
        .returning({ key: rateBuckets.key });
      if (rows.length === 1) return { taken: true };
      const [row] = await q.select().from(rateBuckets).where(eq(rateBuckets.key, key)).limit(1);
      const tokens = row ? Math.min(limit.capacity, row.tokens + ((now - row.at) * limit.perSecond) / 1000) : limit.capacity;
      return { taken: false, tokens };
    },

    /** Forget buckets untouched since `before` (full again by then: the same as no row). */
    async forgetIdleSince(before: number): Promise<void> {
      await q.delete(rateBuckets).where(lt(rateBuckets.at, before));
    },
  };
}

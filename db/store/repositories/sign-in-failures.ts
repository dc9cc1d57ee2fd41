/** Failed sign-ins, for throttling: one row per failure and per key (`account:<email>`, `address:<ip>`). */
import { and, desc, eq, gt, inArray, lte } from "drizzle-orm";
import type { Query, Tables } from "../query";

export function signInFailureRepository(q: Query, t: Tables) {
  const { signInFailures } = t;
  return {
    // --- sign-in throttle (users area) ---
    /** The times of the key's latest failures after `after`, newest first, at most `limit`. */
    async latest(key: string, after: number, limit: number): Promise<number[]> {
      const rows = await q
        .select({ at: signInFailures.at })
        .from(signInFailures)
        .where(and(eq(signInFailures.key, key), gt(signInFailures.at, after)))
        .orderBy(desc(signInFailures.at))
        .limit(limit);
      return rows.map((r) => r.at);
    },

    /** Counts one failure; returns its row id. */
    async insert(key: string, at: number): Promise<number> {
      const [row] = await q.insert(signInFailures).values({ key, at }).returning({ id: signInFailures.id });
      return row.id;
    },

    /** Forgets failures at or before `at` (older than the window). */
    async deleteUpTo(at: number): Promise<void> {
      await q.delete(signInFailures).where(lte(signInFailures.at, at));
    },

    async deleteIds(ids: readonly number[]): Promise<void> {
      if (ids.length > 0) await q.delete(signInFailures).where(inArray(signInFailures.id, [...ids]));
    },

    async deleteKey(key: string): Promise<void> {
      await q.delete(signInFailures).where(eq(signInFailures.key, key));
    },
  };
}

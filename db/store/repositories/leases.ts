/**
 * Leases: one runner owns a rollout at a time. A lease is a plain row taken and renewed with one conditional
 * upsert (`... ON CONFLICT DO UPDATE ... WHERE owner = me OR expires_at < now`), so it holds on PostgreSQL with
 * many writers as well as on SQLite: no row back means another runner holds it.
 */
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Query, Tables } from "../query";

export function leaseRepository(q: Query, t: Tables) {
  const { leases } = t;
  return {
    /** Take the lease, or renew it if it is already ours. Returns its new expiry, or null when another runner holds it. */
    async acquire(name: string, owner: string, now: number, ttlMs: number): Promise<number | null> {
      const expiresAt = now + ttlMs;
      const rows = await q
        .insert(leases)
        .values({ name, owner, expiresAt })
        .onConflictDoUpdate({
          target: leases.name,
          set: { owner, expiresAt },
          setWhere: sql`${leases.owner} = ${owner} OR ${leases.expiresAt} < ${now}`,
        })
        .returning({ owner: leases.owner });
      return rows.length === 1 && rows[0].owner === owner ? expiresAt : null;
    },

    /**
     * Renew many leases this owner still holds, a few hundred per statement (`UPDATE ... WHERE owner = me AND name
     * IN (...) RETURNING name`): one upsert per lease held the runner's loop for ~80 ms per thousand. Returns the
     * names renewed; a name missing from it is held by another runner now.
     */
    async renewHeld(names: readonly string[], owner: string, now: number, ttlMs: number): Promise<Set<string>> {
      const renewed = new Set<string>();
      for (let i = 0; i < names.length; i += 500) {
        const rows = await q
          .update(leases)
          .set({ expiresAt: now + ttlMs })
          .where(and(eq(leases.owner, owner), inArray(leases.name, names.slice(i, i + 500))))
          .returning({ name: leases.name });
        for (const row of rows) renewed.add(row.name);
      }
      return renewed;
    },

    /** Give the lease up at once (clean shutdown), so another runner need not wait for it to expire. */
    async release(name: string, owner: string): Promise<void> {
      await q
        .update(leases)
        .set({ expiresAt: 0 })
        .where(and(eq(leases.name, name), eq(leases.owner, owner)));
    },

    async holder(name: string, now: number): Promise<string | null> {
      const [row] = await q.select().from(leases).where(eq(leases.name, name)).limit(1);
      return row && row.expiresAt >= now ? row.owner : null;
    },
  };
}

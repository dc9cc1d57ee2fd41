/**
 * One runner owns a rollout at a time. A lease is a plain row taken and renewed with one conditional upsert
 * (`... ON CONFLICT DO UPDATE ... WHERE owner = me OR expires_at < now`), so it holds on PostgreSQL with many
 * writers as well as on SQLite: no row back means another runner holds it.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { leases } from "@/db/schema";

export const rolloutLeaseName = (rolloutId: string) => `rollout:${rolloutId}`;

/** Take the lease, or renew it if it is already ours. Returns its new expiry, or null when another runner holds it. */
export function acquireLease(db: Db, name: string, owner: string, now: number, ttlMs: number): number | null {
  const expiresAt = now + ttlMs;
  const rows = db
    .insert(leases)
    .values({ name, owner, expiresAt })
    .onConflictDoUpdate({
      target: leases.name,
      set: { owner, expiresAt },
      setWhere: sql`${leases.owner} = ${owner} OR ${leases.expiresAt} < ${now}`,
    })
    .returning({ owner: leases.owner })
    .all();
  return rows.length === 1 && rows[0].owner === owner ? expiresAt : null;
}

export const renewLease = acquireLease;

/** Give the lease up at once (clean shutdown), so another runner need not wait for it to expire. */
export function releaseLease(db: Db, name: string, owner: string): void {
  db.update(leases).set({ expiresAt: 0 }).where(and(eq(leases.name, name), eq(leases.owner, owner))).run();
}

export function leaseHolder(db: Db, name: string, now: number): string | null {
  const row = db.select().from(leases).where(eq(leases.name, name)).get();
  return row && row.expiresAt >= now ? row.owner : null;
}

/**
 * One runner owns a rollout at a time. A lease is a plain row taken and renewed with one conditional upsert
 * (`... ON CONFLICT DO UPDATE ... WHERE owner = me OR expires_at < now`), so it holds on PostgreSQL with many
 * writers as well as on SQLite: no row back means another runner holds it.
 */
import { and, eq, inArray, sql } from "drizzle-orm";
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

/**
 * Renew many leases this owner still holds, a few hundred per statement (`UPDATE ... WHERE owner = me AND name
 * IN (...) RETURNING name`): one upsert per lease held the runner's loop for ~80 ms per thousand. Returns the
 * names renewed; a name missing from it is held by another runner now.
 */
export function renewHeldLeases(db: Db, names: readonly string[], owner: string, now: number, ttlMs: number): Set<string> {
  const renewed = new Set<string>();
  for (let i = 0; i < names.length; i += 500) {
    db.update(leases)
      .set({ expiresAt: now + ttlMs })
      .where(and(eq(leases.owner, owner), inArray(leases.name, names.slice(i, i + 500))))
      .returning({ name: leases.name })
      .all()
      .forEach((row) => renewed.add(row.name));
  }
  return renewed;
}

/** Give the lease up at once (clean shutdown), so another runner need not wait for it to expire. */
export function releaseLease(db: Db, name: string, owner: string): void {
  db.update(leases)
    .set({ expiresAt: 0 })
    .where(and(eq(leases.name, name), eq(leases.owner, owner)))
    .run();
}

export function leaseHolder(db: Db, name: string, now: number): string | null {
  const row = db.select().from(leases).where(eq(leases.name, name)).get();
  return row && row.expiresAt >= now ? row.owner : null;
}

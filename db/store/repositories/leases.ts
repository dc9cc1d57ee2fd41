/**
 * Leases: one runner owns a rollout at a time. A lease is a plain row taken and renewed with one conditional
 * upsert (`... ON CONFLICT DO UPDATE ... WHERE owner = me OR expires_at < now`), so it holds on PostgreSQL with
 * many writers as well as on SQLite: no row back means another runner holds it.
 *
 * Each lease carries a fencing token: every take-over (a new owner, or the same one taking it again once it
 * expired or was released) increments it, a renewal keeps it. A pass's save confirms (owner, token) in its own
 * transaction (`confirm`), so an owner that was paused past its lease and taken over writes nothing.
 */
import { and, eq, gte, inArray, sql } from "drizzle-orm";
import { perHandle, prepare } from "../prepared";
import type { Query, Tables } from "../query";

/** A lease as the runner holds it: what a pass's save confirms. */
export type LeaseClaim = { name: string; owner: string; token: number };

/** A lease just taken or renewed: until when, and its fencing token. */
export type HeldLease = { expiresAt: number; token: number };

// --- engine: the fence of every save of a pass, prepared (built anew it cost ~0.3 ms a save) ---
const p = sql.placeholder;
const fenceStatements = perHandle((q, { leases }) => ({
  confirm: prepare(
    q
      .update(leases)
      .set({ token: sql`${leases.token}` })
      .where(and(eq(leases.name, p("name")), eq(leases.owner, p("owner")), eq(leases.token, p("token"))))
      .returning({ name: leases.name }),
    "leases.confirm",
  ),
}));

export function leaseRepository(q: Query, t: Tables) {
  const { leases } = t;
  return {
    /**
     * Take the lease, or renew it if it is already ours and unexpired (the token kept). Returns its new expiry and
     * token, or null when another runner holds it. A first take is token 1; every later take-over adds one.
     */
    async acquire(name: string, owner: string, now: number, ttlMs: number): Promise<HeldLease | null> {
      const expiresAt = now + ttlMs;
      const rows = await q
        .insert(leases)
        .values({ name, owner, expiresAt, token: 1 })
        .onConflictDoUpdate({
          target: leases.name,
          set: {
            owner,
            expiresAt,
            token: sql`CASE WHEN ${leases.owner} = ${owner} AND ${leases.expiresAt} >= ${now} THEN ${leases.token} ELSE ${leases.token} + 1 END`,
          },
          setWhere: sql`${leases.owner} = ${owner} OR ${leases.expiresAt} < ${now}`,
        })
        .returning({ owner: leases.owner, token: leases.token });
      return rows.length === 1 && rows[0].owner === owner ? { expiresAt, token: rows[0].token } : null;
    },

    /**
     * Take over the lease of a runner known to be dead (its process is gone) without waiting for it to expire:
     * only while `from` still holds it; the token incremented. Null when it is no longer `from`'s.
     */
    async takeFrom(name: string, from: string, owner: string, now: number, ttlMs: number): Promise<HeldLease | null> {
      const expiresAt = now + ttlMs;
      const [row] = await q
        .update(leases)
        .set({ owner, expiresAt, token: sql`${leases.token} + 1` })
        .where(and(eq(leases.name, name), eq(leases.owner, from)))
        .returning({ token: leases.token });
      return row ? { expiresAt, token: row.token } : null;
    },

    /**
     * The fence of a pass's save, run first in its transaction: true when the lease is still (owner, token).
     * A conditional UPDATE rather than a read: on PostgreSQL it locks the row until the save commits, so a
     * concurrent take-over waits for it and then finds the token to move past. Expiry is not asked: a take-over
     * always increments the token, and an owner whose lease lapsed unclaimed is still the only writer.
     */
    async confirm(lease: LeaseClaim): Promise<boolean> {
      const rows = await fenceStatements(q, t).confirm.execute({ name: lease.name, owner: lease.owner, token: lease.token });
      return rows.length === 1;
    },

    /** The leases held now (unexpired), with their owners: what a runner may not take, and who holds it. */
    async unexpired(now: number): Promise<Array<{ name: string; owner: string }>> {
      return q.select({ name: leases.name, owner: leases.owner }).from(leases).where(gte(leases.expiresAt, now));
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

    /** Give the lease up at once (clean shutdown, a surplus handed back), so another runner need not wait for it to expire; the token kept. */
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

    // --- health: the replica list ---
    /** How many unexpired leases each owner holds. */
    async heldCountByOwner(now: number): Promise<Map<string, number>> {
      const rows = await q
        .select({ owner: leases.owner, held: sql<number>`count(*)`.mapWith(Number) })
        .from(leases)
        .where(gte(leases.expiresAt, now))
        .groupBy(leases.owner);
      return new Map(rows.map((row) => [row.owner, row.held]));
    },
  };
}

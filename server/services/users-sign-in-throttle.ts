/**
 * Throttling of local (email and password) sign-in, per account and per client address, in the shared
 * database so every replica counts the same failures.
 *
 * An attempt is counted *before* the password is checked (`beginSignInAttempt`: check and count in one
 * transaction), so a burst of parallel guesses cannot all slip under the limit while the slow hash runs; a
 * successful sign-in then takes its rows back (`forgiveSignInAttempt`). While a key is throttled nothing more
 * is counted, so an attacker cannot keep an account locked past one window by hammering it.
 */
import { and, desc, eq, gt, inArray, lte } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { signInFailures } from "@/db/schema";

export const SIGN_IN_THROTTLE = {
  windowMs: 15 * 60 * 1000,
  /** Failures per account (email) within the window. */
  perAccount: 5,
  /** Failures per client address within the window, whatever the accounts. */
  perAddress: 20,
} as const;

export type ThrottleScope = "account" | "address";
export type Throttled = { scope: ThrottleScope; waitMs: number };
export type SignInAttempt = { ok: true; rowIds: number[] } | { ok: false; throttled: Throttled };

/** An address the server could not tell (see client-address.ts) is not throttled as one: it would be everybody. */
const UNKNOWN_ADDRESS = "unknown";

function keys(who: { email: string; address: string }): Array<{ scope: ThrottleScope; key: string; limit: number }> {
  const list: Array<{ scope: ThrottleScope; key: string; limit: number }> = [
    { scope: "account", key: `account:${who.email.trim().toLowerCase()}`, limit: SIGN_IN_THROTTLE.perAccount },
  ];
  if (who.address && who.address !== UNKNOWN_ADDRESS) list.push({ scope: "address", key: `address:${who.address}`, limit: SIGN_IN_THROTTLE.perAddress });
  return list;
}

/** How long until `key` has fewer than `limit` failures in the window; 0 when it has fewer already. */
function waitFor(db: Db | Tx, key: string, limit: number, now: number): number {
  const rows = db
    .select({ at: signInFailures.at })
    .from(signInFailures)
    .where(and(eq(signInFailures.key, key), gt(signInFailures.at, now - SIGN_IN_THROTTLE.windowMs)))
    .orderBy(desc(signInFailures.at))
    .limit(limit)
    .all();
  return rows.length < limit ? 0 : Math.max(1, rows[limit - 1].at + SIGN_IN_THROTTLE.windowMs - now);
}

/** The longest wait among the keys of this attempt, or null when none is throttled. */
export function signInThrottle(db: Db | Tx, who: { email: string; address: string }, now: number): Throttled | null {
  let worst: Throttled | null = null;
  for (const k of keys(who)) {
    const waitMs = waitFor(db, k.key, k.limit, now);
    if (waitMs > 0 && (!worst || waitMs > worst.waitMs)) worst = { scope: k.scope, waitMs };
  }
  return worst;
}

/** Refuses a throttled attempt, or counts it as a failure until `forgiveSignInAttempt` takes it back. */
export function beginSignInAttempt(db: Db, who: { email: string; address: string }, now: number): SignInAttempt {
  return db.transaction((tx) => {
    const throttled = signInThrottle(tx, who, now);
    if (throttled) return { ok: false as const, throttled };
    // Old rows go as new ones arrive: the table holds at most one window of failures.
    tx.delete(signInFailures)
      .where(lte(signInFailures.at, now - SIGN_IN_THROTTLE.windowMs))
      .run();
    const rowIds = keys(who).map((k) => tx.insert(signInFailures).values({ key: k.key, at: now }).returning({ id: signInFailures.id }).get().id);
    return { ok: true as const, rowIds };
  });
}

/** A successful sign-in: this attempt no longer counts, and the account's earlier failures are forgiven. */
export function forgiveSignInAttempt(db: Db, who: { email: string }, rowIds: number[]): void {
  db.transaction((tx) => {
    if (rowIds.length > 0) tx.delete(signInFailures).where(inArray(signInFailures.id, rowIds)).run();
    tx.delete(signInFailures)
      .where(eq(signInFailures.key, `account:${who.email.trim().toLowerCase()}`))
      .run();
  });
}

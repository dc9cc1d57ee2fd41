/**
 * Throttling of local (email and password) sign-in, per account and per client address, in the shared
 * database so every replica counts the same failures.
 *
 * An attempt is counted *before* the password is checked (`beginSignInAttempt`: check and count in one
 * transaction), so a burst of parallel guesses cannot all slip under the limit while the slow hash runs; a
 * successful sign-in then takes its rows back (`forgiveSignInAttempt`). While a key is throttled nothing more
 * is counted, so an attacker cannot keep an account locked past one window by hammering it.
 */
import type { Store } from "@/db/client";
import type { ServiceContext } from "./context";

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
async function waitFor(db: Store, key: string, limit: number, now: number): Promise<number> {
  const times = await db.signInFailures.latest(key, now - SIGN_IN_THROTTLE.windowMs, limit);
  return times.length < limit ? 0 : Math.max(1, times[limit - 1] + SIGN_IN_THROTTLE.windowMs - now);
}

/** The longest wait among the keys of this attempt, or null when none is throttled. */
export async function signInThrottle(ctx: ServiceContext, who: { email: string; address: string }): Promise<Throttled | null> {
  return longestWait(ctx.db, who, ctx.clock.now());
}

async function longestWait(db: Store, who: { email: string; address: string }, now: number): Promise<Throttled | null> {
  let worst: Throttled | null = null;
  for (const k of keys(who)) {
    const waitMs = await waitFor(db, k.key, k.limit, now);
    if (waitMs > 0 && (!worst || waitMs > worst.waitMs)) worst = { scope: k.scope, waitMs };
  }
  return worst;
}

/** Refuses a throttled attempt, or counts it as a failure until `forgiveSignInAttempt` takes it back. */
export async function beginSignInAttempt(ctx: ServiceContext, who: { email: string; address: string }): Promise<SignInAttempt> {
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx): Promise<SignInAttempt> => {
    // Attempts are counted one transaction at a time, so a burst in parallel cannot all pass under the limit.
    await tx.exclusive("sign-in");
    const throttled = await longestWait(tx, who, now);
    if (throttled) return { ok: false, throttled };
    // Old rows go as new ones arrive: the table holds at most one window of failures.
    await tx.signInFailures.deleteUpTo(now - SIGN_IN_THROTTLE.windowMs);
    const rowIds: number[] = [];
    for (const k of keys(who)) rowIds.push(await tx.signInFailures.insert(k.key, now));
    return { ok: true, rowIds };
  });
}

/** A successful sign-in: this attempt no longer counts, and the account's earlier failures are forgiven. */
export async function forgiveSignInAttempt(ctx: ServiceContext, attempt: { email: string; rowIds: number[] }): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await tx.signInFailures.deleteIds(attempt.rowIds);
    await tx.signInFailures.deleteKey(`account:${attempt.email.trim().toLowerCase()}`);
  });
}

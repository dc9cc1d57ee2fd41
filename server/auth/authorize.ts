/**
 * What the two credentials providers check. Returning null makes next-auth answer `CredentialsSignin`; a thrown
 * Error's message becomes the `?error=` code the sign-in page explains (see sign-in-errors.ts).
 */
import type { Store } from "@/db/client";
import { logger } from "@/server/log";
import { seedDemoUsers } from "@/server/services/users-demo";
import { recordSignInFailure, type SignInFailure } from "@/server/services/users-sign-in";
import { beginSignInAttempt, forgiveSignInAttempt, signInThrottle } from "@/server/services/users-sign-in-throttle";
import { inactiveReason } from "./active-user";
import { hashPassword, verifyPassword } from "./password";
import { describeWait, throttledCode } from "./sign-in-errors";

export type AuthorizedUser = { id: string; name: string; email: string };

const log = logger.child({ component: "auth" });

// Checking a password for an unknown email costs the same as for a known one, so timing does not tell them apart.
let dummyHash: Promise<string> | undefined;

export type SignInContext = { address: string; demoMode: boolean };

/**
 * Email and password. Throttled per account and per address before the password is checked (a throttled
 * attempt throws `Throttled:<scope>:<seconds>`, which the sign-in page turns into the wait); every failure is a
 * `user.sign_in_failed` event. The person is told only "wrong email or password" for the other failures.
 */
export async function authorizeLocal(
  db: Store,
  credentials: { email?: unknown; password?: unknown } | undefined,
  context: SignInContext,
  now: number = Date.now(),
): Promise<AuthorizedUser | null> {
  const email = typeof credentials?.email === "string" ? credentials.email.trim().toLowerCase() : "";
  const password = typeof credentials?.password === "string" ? credentials.password : "";
  if (!email || !password) return null;
  const who = { email, address: context.address };
  const attempt = await beginSignInAttempt(db, who, now);
  if (!attempt.ok) {
    // Not stored per attempt (a flood must not fill the log): the failure that reached the limit was.
    log.warn({ email, address: context.address, scope: attempt.throttled.scope }, "sign-in throttled");
    throw new Error(throttledCode(attempt.throttled.scope, attempt.throttled.waitMs));
  }
  const user = await db.users.byEmail(email);
  let failure: SignInFailure | null = null;
  if (!user || !user.passwordHash) {
    dummyHash ??= hashPassword("no such user");
    await verifyPassword(password, await dummyHash);
    failure = "unknown-account";
  } else if (!(await verifyPassword(password, user.passwordHash))) {
    failure = "wrong-password";
  } else {
    const inactive = inactiveReason(user, context.demoMode);
    // Demo users never have a password; they are refused anyway should one ever be set.
    if (inactive === "disabled") failure = "disabled";
    else if (inactive === "demo" || user.demo) failure = "demo-mode-off";
  }
  if (failure) {
    const throttled = await signInThrottle(db, who, now);
    const detail = throttled ? `${throttled.scope} locked for ${describeWait(throttled.waitMs)}` : undefined;
    await recordSignInFailure(db, { provider: "local", reason: failure, address: context.address, email, userId: user?.id, detail }, now);
    return null;
  }
  await forgiveSignInAttempt(db, who, attempt.rowIds);
  return { id: user!.id, name: user!.name, email: user!.email };
}

/** One-click sign-in as a seeded demo user; impossible unless the fleet config says `demo: true`. */
export async function authorizeDemo(db: Store, opts: { demoMode: boolean; userId: unknown; address: string }, now: number): Promise<AuthorizedUser | null> {
  if (!opts.demoMode) {
    const userId = typeof opts.userId === "string" ? opts.userId.slice(0, 100) : null;
    await recordSignInFailure(db, { provider: "demo", reason: "demo-mode-off", address: opts.address, login: userId }, now);
    throw new Error("DemoModeOff");
  }
  if (typeof opts.userId !== "string" || !opts.userId) return null;
  await seedDemoUsers(db, now); // start-up seeds them too; this keeps a fresh database usable at once
  const found = await db.users.byId(opts.userId);
  const user = found?.demo ? found : undefined;
  if (!user || user.disabledAt !== null) {
    await recordSignInFailure(
      db,
      { provider: "demo", reason: user ? "disabled" : "unknown-account", address: opts.address, login: opts.userId.slice(0, 100), userId: user?.id },
      now,
    );
    return null;
  }
  return { id: user.id, name: user.name, email: user.email };
}

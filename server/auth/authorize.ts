/**
 * What the two credentials providers check. Returning null makes next-auth answer `CredentialsSignin`; a thrown
 * Error's message becomes the `?error=` code the sign-in page explains (see sign-in-errors.ts).
 */
import { fixedClock } from "@/server/engine/clock";
import { logger } from "@/server/log";
import type { ServiceContext } from "@/server/services/context";
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

/**
 * Email and password. Throttled per account and per address before the password is checked (a throttled
 * attempt throws `Throttled:<scope>:<seconds>`, which the sign-in page turns into the wait); every failure is a
 * `user.sign_in_failed` event. The person is told only "wrong email or password" for the other failures.
 * `ctx` is the system's (no one is signed in yet); its config says whether demo mode is on. The time is read once,
 * at the start: the attempt, the throttle and the failure are all recorded at it.
 */
export async function authorizeLocal(
  ctx: ServiceContext,
  credentials: { email?: unknown; password?: unknown } | undefined,
  address: string,
): Promise<AuthorizedUser | null> {
  const at = { ...ctx, clock: fixedClock(ctx.clock.now()) };
  const { db } = ctx;
  const email = typeof credentials?.email === "string" ? credentials.email.trim().toLowerCase() : "";
  const password = typeof credentials?.password === "string" ? credentials.password : "";
  if (!email || !password) return null;
  const who = { email, address };
  const attempt = await beginSignInAttempt(at, who);
  if (!attempt.ok) {
    // Not stored per attempt (a flood must not fill the log): the failure that reached the limit was.
    log.warn({ email, address, scope: attempt.throttled.scope }, "sign-in throttled");
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
    const inactive = inactiveReason(user, ctx.config.demo);
    // Demo users never have a password; they are refused anyway should one ever be set.
    if (inactive === "disabled") failure = "disabled";
    else if (inactive === "demo" || user.demo) failure = "demo-mode-off";
  }
  if (failure) {
    const throttled = await signInThrottle(at, who);
    const detail = throttled ? `${throttled.scope} locked for ${describeWait(throttled.waitMs)}` : undefined;
    await recordSignInFailure(at, { provider: "local", reason: failure, address, email, userId: user?.id, detail });
    return null;
  }
  await forgiveSignInAttempt(at, { email, rowIds: attempt.rowIds });
  return { id: user!.id, name: user!.name, email: user!.email };
}

/** One-click sign-in as a seeded demo user; impossible unless the context's fleet config says `demo: true`. */
export async function authorizeDemo(ctx: ServiceContext, opts: { userId: unknown; address: string }): Promise<AuthorizedUser | null> {
  const at = { ...ctx, clock: fixedClock(ctx.clock.now()) };
  const { db } = ctx;
  if (!ctx.config.demo) {
    const userId = typeof opts.userId === "string" ? opts.userId.slice(0, 100) : null;
    await recordSignInFailure(at, { provider: "demo", reason: "demo-mode-off", address: opts.address, login: userId });
    throw new Error("DemoModeOff");
  }
  if (typeof opts.userId !== "string" || !opts.userId) return null;
  await seedDemoUsers(at); // start-up seeds them too; this keeps a fresh database usable at once
  const found = await db.users.byId(opts.userId);
  const user = found?.demo ? found : undefined;
  if (!user || user.disabledAt !== null) {
    await recordSignInFailure(at, {
      provider: "demo",
      reason: user ? "disabled" : "unknown-account",
      address: opts.address,
      login: opts.userId.slice(0, 100),
      userId: user?.id,
    });
    return null;
  }
  return { id: user.id, name: user.name, email: user.email };
}

/**
 * The audit trail of signing in and out: every sign-in (with its session row and the user's last sign-in
 * time, in one transaction), every failed or refused sign-in, every sign-out. Events never carry a password.
 * Messages name people by name or public login only; the address tried and the client address are in
 * `data.email` and `data.address`, internal fields that viewers do not see (a password typed into the email
 * field must not reach them).
 */
import { createSession, revokeSession } from "@/server/auth/session-store";
import { eventValues } from "@/server/engine/machine/events";
import { withinTransaction, type ServiceContext } from "./context";

const PROVIDER_NAMES: Record<string, string> = { local: "email and password", demo: "demo sign-in", github: "GitHub", oidc: "single sign-on" };
export const providerName = (provider: string) => PROVIDER_NAMES[provider] ?? provider;

/** A successful sign-in: a session row, `users.last_sign_in_at`, and a `user.signed_in` event. */
export async function recordSignIn(
  ctx: ServiceContext,
  input: { userId: string; provider: string; address: string },
): Promise<{ sessionId: string; expiresAt: number }> {
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const user = await tx.users.byId(input.userId);
    if (!user) throw new Error(`sign-in for a user that does not exist (${input.userId})`);
    const session = await createSession(withinTransaction(ctx, tx, now), input.userId);
    await tx.users.update(input.userId, { lastSignInAt: now });
    await tx.events.insertOne(
      eventValues({
        at: now,
        type: "user.signed_in",
        actor: `user:${input.userId}`,
        message: `${user.name} signed in with ${providerName(input.provider)}`,
        data: { userId: input.userId, provider: input.provider, address: input.address },
      }),
    );
    return { sessionId: session.id, expiresAt: session.expiresAt };
  });
}

/** Why a sign-in failed, for the audit log (the person is told less: see sign-in-errors.ts). */
export type SignInFailure =
  | "unknown-account"
  | "wrong-password"
  | "disabled"
  | "demo-mode-off"
  | "throttled"
  | "no-allow-list"
  | "not-allowed"
  | "email-unverified"
  | "lookup-failed"
  | "email-in-use";

const FAILURE_WORDS: Record<SignInFailure, string> = {
  "unknown-account": "no such account",
  "wrong-password": "wrong password",
  disabled: "the account is disabled",
  "demo-mode-off": "a demo user while demo mode is off",
  throttled: "too many failed attempts",
  "no-allow-list": "no auth.allow list is configured",
  "not-allowed": "not in an allowed organisation, team or email domain",
  "email-unverified": "the provider has not verified the email address",
  "lookup-failed": "membership could not be checked",
  "email-in-use": "the email address belongs to another user",
};

/**
 * A `user.sign_in_failed` event, actor `anonymous` (nobody is signed in). The message names the user (by id)
 * or the provider's public login, never the address typed; `detail` says more, e.g. the throttle's wait.
 */
export async function recordSignInFailure(
  ctx: ServiceContext,
  input: { provider: string; reason: SignInFailure; address: string; email?: string | null; login?: string | null; userId?: string | null; detail?: string },
): Promise<void> {
  const now = ctx.clock.now();
  const name = input.userId ? (await ctx.db.users.byId(input.userId))?.name : undefined;
  const who = name ?? input.login ?? (input.reason === "unknown-account" ? "an unknown account" : "someone");
  await ctx.db.events.insertOne(
    eventValues({
      at: now,
      type: "user.sign_in_failed",
      actor: "anonymous",
      message: `Sign-in with ${providerName(input.provider)} as ${who} refused: ${FAILURE_WORDS[input.reason]}${input.detail ? ` (${input.detail})` : ""}`,
      data: {
        provider: input.provider,
        reason: input.reason,
        address: input.address,
        ...(input.email ? { email: input.email } : {}),
        ...(input.login ? { login: input.login } : {}),
        ...(input.userId ? { userId: input.userId } : {}),
      },
    }),
  );
}

/** Sign-out: the session row is revoked and a `user.signed_out` event written, once (a second sign-out is quiet). */
export async function recordSignOut(ctx: ServiceContext, input: { sessionId: string; address: string }): Promise<boolean> {
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const live = await tx.sessions.liveUser(input.sessionId, now);
    await revokeSession(withinTransaction(ctx, tx, now), input.sessionId);
    if (!live) return false;
    await tx.events.insertOne(
      eventValues({
        at: now,
        type: "user.signed_out",
        actor: `user:${live.userId}`,
        message: `${live.name} signed out`,
        data: { userId: live.userId, address: input.address },
      }),
    );
    return true;
  });
}

/**
 * The gate of a GitHub or OIDC sign-in (next-auth's signIn callback): the allow list first, then the account
 * is linked (or created as a viewer), then the one rule of who may act. Every refusal is a
 * `user.sign_in_failed` event and sends the person to /signin/refused, which says why and whom to ask.
 */
import { fixedClock } from "@/server/engine/clock";
import type { ServiceContext } from "@/server/services/context";
import { ServiceError } from "@/server/services/errors";
import { linkOAuthAccount } from "@/server/services/users-oauth";
import { recordSignInFailure } from "@/server/services/users-sign-in";
import { checkOAuthAllowed, type OAuthRefusal } from "./oauth-allow";

export type RefusalReason = OAuthRefusal | "disabled";

export const refusedPath = (reason: RefusalReason, provider: string) =>
  `/signin/refused?reason=${encodeURIComponent(reason)}&provider=${encodeURIComponent(provider)}`;

export type OAuthSignInInput = {
  provider: string;
  providerAccountId: string;
  email?: string | null;
  name?: string | null;
  accessToken?: string | null;
  profile?: Record<string, unknown> | null;
  address: string;
};

/**
 * `true` lets next-auth go on; a string is where to send the person instead. `ctx` is the system's, with the
 * config in effect (its `auth.allow`); the time is read once, at the start, for every row it writes.
 */
export async function gateOAuthSignIn(
  ctx: ServiceContext,
  input: OAuthSignInInput,
  opts: { githubApiUrl?: string; fetch?: typeof fetch } = {},
): Promise<true | string> {
  const at = { ...ctx, clock: fixedClock(ctx.clock.now()) };
  const auth = ctx.config.auth;
  const login = typeof input.profile?.login === "string" ? input.profile.login : null;
  const who = { provider: input.provider, address: input.address, email: input.email ?? null, login };
  const verdict = await checkOAuthAllowed({ provider: input.provider, accessToken: input.accessToken, profile: input.profile }, auth.allow, opts);
  if (!verdict.allowed) {
    await recordSignInFailure(at, { ...who, reason: verdict.reason, detail: verdict.detail });
    return refusedPath(verdict.reason, input.provider);
  }
  let linked;
  try {
    linked = await linkOAuthAccount(at, { provider: input.provider, providerAccountId: input.providerAccountId, email: input.email, name: input.name });
  } catch (err) {
    if (!(err instanceof ServiceError && err.code === "CONFLICT")) throw err;
    await recordSignInFailure(at, { ...who, reason: "email-in-use" });
    return "/signin?error=EmailInUse";
  }
  // OAuth users are never demo users, so of the rule only "disabled" can apply.
  if (linked.disabled) {
    await recordSignInFailure(at, { ...who, reason: "disabled", userId: linked.userId });
    return refusedPath("disabled", input.provider);
  }
  return true;
}

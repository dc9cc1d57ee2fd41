/**
 * next-auth configuration. The JWT cookie is only a pointer: it carries the id of a `sessions` row and the user
 * id. The row decides whether the session is valid (12 h, revocable at sign-out); roles are read per request.
 * The cookie outlives the row on purpose, so an expired session is recognised and explained, not just absent.
 */
import type { AuthOptions } from "next-auth";
import { getDb } from "@/db/client";
import { getConfig } from "@/server/config";
import { serverEnv } from "@/server/config/env";
import { isHttpsPublicUrl } from "@/server/config/public-url";
import { logger } from "@/server/log";
import { systemContext } from "@/server/services/context";
import { linkOAuthAccount } from "@/server/services/users";
import { recordSignIn, recordSignOut } from "@/server/services/users-sign-in";
import { gateOAuthSignIn } from "./oauth-sign-in";
import { buildProviders } from "./providers";
import { requestAddress } from "./request-address";
import { authSecret } from "./secret";

declare module "next-auth" {
  interface Session {
    sid?: string;
    uid?: string;
  }
}
declare module "next-auth/jwt" {
  interface JWT {
    sid?: string;
    uid?: string;
  }
}

const COOKIE_MAX_AGE_SECONDS = 7 * 24 * 60 * 60;
const log = logger.child({ component: "auth" });

export const authOptions: AuthOptions = {
  providers: buildProviders(),
  session: { strategy: "jwt", maxAge: COOKIE_MAX_AGE_SECONDS },
  pages: { signIn: "/signin", error: "/signin" },
  // A getter: the secret file is read (or created) at the first request, not when the module is imported by the build.
  get secret() {
    return authSecret();
  },
  // Cookies are `Secure` (and `__Secure-`/`__Host-` named) whenever the public URL is https, whatever the request says.
  get useSecureCookies() {
    return isHttpsPublicUrl(serverEnv(), getConfig().config);
  },
  callbacks: {
    /** OAuth: only people auth.allow names; then linked (or created as viewers); disabled users are refused. */
    async signIn({ user, account, profile }) {
      if (account?.type !== "oauth") return true;
      return gateOAuthSignIn(
        systemContext(getDb(), getConfig().config),
        {
          provider: account.provider,
          providerAccountId: account.providerAccountId,
          email: user.email,
          name: user.name,
          accessToken: account.access_token,
          profile: profile as Record<string, unknown> | undefined,
          address: requestAddress(),
        },
        // Tests point the membership checks at a fake GitHub on 127.0.0.1; a real server always asks api.github.com.
        { githubApiUrl: process.env.NODE_ENV === "test" ? serverEnv().FLIGHTDECK_TEST_GITHUB_API_URL : undefined },
      );
    },
    /** At sign-in (user and account present) a session row is created; afterwards the token passes unchanged. */
    async jwt({ token, user, account }) {
      if (!user || !account) return token;
      const system = systemContext(getDb(), getConfig().config);
      const userId =
        account.type === "oauth"
          ? (await linkOAuthAccount(system, { provider: account.provider, providerAccountId: account.providerAccountId, email: user.email, name: user.name }))
              .userId
          : user.id;
      const session = await recordSignIn(system, { userId, provider: account.provider, address: requestAddress() });
      log.info({ userId, provider: account.provider }, "signed in");
      return { sid: session.sessionId, uid: userId };
    },
    session({ session, token }) {
      return { expires: session.expires, sid: token.sid, uid: token.uid };
    },
  },
  events: {
    async signOut({ token }) {
      if (token?.sid) await recordSignOut(systemContext(getDb(), getConfig().config), { sessionId: token.sid, address: requestAddress() });
    },
  },
  logger: {
    error: (code, metadata) => log.error({ code, err: metadata }, "next-auth error"),
    warn: (code) => log.warn({ code }, "next-auth warning"),
    debug: () => {},
  },
};

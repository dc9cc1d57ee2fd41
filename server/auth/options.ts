/**
 * next-auth configuration. The JWT cookie is only a pointer: it carries the id of a `sessions` row and the user
 * id. The row decides whether the session is valid (12 h, revocable at sign-out); roles are read per request.
 * The cookie outlives the row on purpose, so an expired session is recognised and explained, not just absent.
 */
import type { AuthOptions } from "next-auth";
import { getDb } from "@/db/client";
import { getConfig } from "@/server/config";
import { isHttpsPublicUrl } from "@/server/config/public-url";
import { logger } from "@/server/log";
import { ServiceError } from "@/server/services/errors";
import { linkOAuthAccount } from "@/server/services/users";
import { buildProviders } from "./providers";
import { authSecret } from "./secret";
import { createSession, revokeSession } from "./session-store";

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
    return isHttpsPublicUrl(process.env, getConfig().config);
  },
  callbacks: {
    /** OAuth users are linked (or created as viewers) here; disabled users are refused. */
    async signIn({ user, account }) {
      if (account?.type !== "oauth") return true;
      try {
        const linked = linkOAuthAccount(getDb(), { provider: account.provider, providerAccountId: account.providerAccountId, email: user.email, name: user.name }, Date.now());
        return !linked.disabled;
      } catch (err) {
        if (err instanceof ServiceError && err.code === "CONFLICT") return "/signin?error=EmailInUse";
        throw err;
      }
    },
    /** At sign-in (user and account present) a session row is created; afterwards the token passes unchanged. */
    async jwt({ token, user, account }) {
      if (!user || !account) return token;
      const db = getDb();
      const userId =
        account.type === "oauth"
          ? linkOAuthAccount(db, { provider: account.provider, providerAccountId: account.providerAccountId, email: user.email, name: user.name }, Date.now()).userId
          : user.id;
      const session = createSession(db, userId, Date.now());
      log.info({ userId, provider: account.provider }, "signed in");
      return { sid: session.id, uid: userId };
    },
    session({ session, token }) {
      return { expires: session.expires, sid: token.sid, uid: token.uid };
    },
  },
  events: {
    signOut({ token }) {
      if (token?.sid) revokeSession(getDb(), token.sid, Date.now());
    },
  },
  logger: {
    error: (code, metadata) => log.error({ code, err: metadata }, "next-auth error"),
    warn: (code) => log.warn({ code }, "next-auth warning"),
    debug: () => {},
  },
};

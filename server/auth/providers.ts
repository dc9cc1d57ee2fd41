/**
 * Sign-in providers: local accounts and demo users always (demo refuses unless demo mode is on), GitHub and a
 * generic OIDC provider only when their environment variables are set.
 */
import type { Provider } from "next-auth/providers/index";
import CredentialsProvider from "next-auth/providers/credentials";
import GitHubProvider from "next-auth/providers/github";
import { getDb } from "@/db/client";
import { getConfig } from "@/server/config";
import { serverEnv } from "@/server/config/env";
import type { Env } from "@/server/config/load";
import { systemContext } from "@/server/services/context";
import { authorizeDemo, authorizeLocal } from "./authorize";
import { configuredOAuthProviders } from "./oauth-allow";
import { requestAddress } from "./request-address";

type OidcProfile = { sub: string; email?: string; name?: string; preferred_username?: string };

export function buildProviders(env: Env = serverEnv()): Provider[] {
  const providers: Provider[] = [
    CredentialsProvider({
      id: "local",
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      authorize: (credentials) => authorizeLocal(systemContext(getDb(), getConfig().config), credentials, requestAddress()),
    }),
    CredentialsProvider({
      id: "demo",
      name: "Demo user",
      credentials: { userId: { label: "Demo user id", type: "text" } },
      // The config is read at each attempt, so the check follows the config in effect.
      authorize: async (credentials) => authorizeDemo(systemContext(getDb(), getConfig().config), { userId: credentials?.userId, address: requestAddress() }),
    }),
  ];
  for (const button of configuredOAuthProviders(env)) {
    if (button.id === "github") {
      // read:org: the allow list's organisations and teams are checked with the person's own token (oauth-allow.ts).
      providers.push(
        GitHubProvider({ clientId: env.GITHUB_ID!, clientSecret: env.GITHUB_SECRET!, authorization: { params: { scope: "read:user user:email read:org" } } }),
      );
    } else {
      const issuer = env.OIDC_ISSUER!.replace(/\/+$/, "");
      providers.push({
        id: "oidc",
        name: button.name,
        type: "oauth",
        wellKnown: `${issuer}/.well-known/openid-configuration`,
        clientId: env.OIDC_CLIENT_ID,
        clientSecret: env.OIDC_CLIENT_SECRET,
        authorization: { params: { scope: "openid email profile" } },
        idToken: true,
        checks: ["pkce", "state"],
        profile: (p: OidcProfile) => ({ id: p.sub, email: p.email ?? null, name: p.name ?? p.preferred_username ?? p.email ?? p.sub }),
      });
    }
  }
  return providers;
}

/**
 * Who may sign in through GitHub or OIDC: only people the config's `auth.allow` names, by GitHub organisation,
 * GitHub team or verified email domain. Fails closed: with no list, nobody; when GitHub cannot be asked, nobody.
 * Local accounts are not concerned: only an admin creates them.
 */
import { serverEnv } from "@/server/config/env";
import type { Env } from "@/server/config/load";
import type { AuthConfig } from "@/server/config/schema";
import { GitHubLookupError, readGitHubFacts } from "./github-membership";

export type AllowList = AuthConfig["allow"];

export type OAuthButton = { id: "github" | "oidc"; name: string };

/** The OAuth providers this process offers (their variables are set), for the sign-in page's buttons and the checks. */
export function configuredOAuthProviders(env: Env = serverEnv()): OAuthButton[] {
  const buttons: OAuthButton[] = [];
  if (env.GITHUB_ID && env.GITHUB_SECRET) buttons.push({ id: "github", name: "GitHub" });
  if (env.OIDC_ISSUER && env.OIDC_CLIENT_ID && env.OIDC_CLIENT_SECRET) buttons.push({ id: "oidc", name: env.OIDC_NAME || "Single sign-on" });
  return buttons;
}

export type OAuthRefusal = "no-allow-list" | "not-allowed" | "email-unverified" | "lookup-failed";
export type OAuthVerdict = { allowed: true; via: string } | { allowed: false; reason: OAuthRefusal; detail: string };

export type OAuthSignInFacts = {
  provider: string;
  /** The provider's access token (GitHub: asked for with read:user user:email read:org). */
  accessToken?: string | null;
  /** The OIDC id token's claims (email, email_verified) or GitHub's profile (login). */
  profile?: Record<string, unknown> | null;
};

export const allowListEmpty = (allow: AllowList) => allow.githubOrgs.length + allow.githubTeams.length + allow.emailDomains.length === 0;

const lower = (list: readonly string[]) => list.map((s) => s.toLowerCase());

/** The allowed domain an address belongs to (exactly: `acme.com` does not admit `eu.acme.com`), or null. */
function allowedDomain(email: string, domains: readonly string[]): string | null {
  const at = email.lastIndexOf("@");
  if (at < 1) return null;
  const domain = email.slice(at + 1).toLowerCase();
  return lower(domains).includes(domain) ? domain : null;
}

/** Whether this person may sign in, and through which entry of the list (for the audit event). */
export async function checkOAuthAllowed(
  facts: OAuthSignInFacts,
  allow: AllowList,
  opts: { githubApiUrl?: string; fetch?: typeof fetch } = {},
): Promise<OAuthVerdict> {
  if (allowListEmpty(allow)) {
    return { allowed: false, reason: "no-allow-list", detail: "auth.allow in the fleet config names no GitHub organisation, team or email domain" };
  }
  if (facts.provider === "github") return checkGitHub(facts, allow, opts);
  // OIDC: only the email domain can be checked, and only a verified address counts.
  if (allow.emailDomains.length === 0) {
    return { allowed: false, reason: "not-allowed", detail: "auth.allow.emailDomains is empty, and single sign-on users are allowed only by email domain" };
  }
  const email = typeof facts.profile?.email === "string" ? facts.profile.email : "";
  const verified = facts.profile?.email_verified === true || facts.profile?.email_verified === "true";
  if (!email) return { allowed: false, reason: "not-allowed", detail: "the provider gave no email address" };
  // Details go into the audit message, which viewers read: they name no address.
  if (!verified) return { allowed: false, reason: "email-unverified", detail: "the provider did not say the email address is verified (email_verified)" };
  const domain = allowedDomain(email, allow.emailDomains);
  return domain
    ? { allowed: true, via: `email domain ${domain}` }
    : { allowed: false, reason: "not-allowed", detail: "the email address is not in an allowed domain" };
}

async function checkGitHub(facts: OAuthSignInFacts, allow: AllowList, opts: { githubApiUrl?: string; fetch?: typeof fetch }): Promise<OAuthVerdict> {
  const login = typeof facts.profile?.login === "string" ? facts.profile.login : "this GitHub account";
  if (!facts.accessToken) return { allowed: false, reason: "lookup-failed", detail: "GitHub gave no access token to check memberships with" };
  let found;
  try {
    found = await readGitHubFacts(
      facts.accessToken,
      { emails: allow.emailDomains.length > 0, orgs: allow.githubOrgs.length > 0, teams: allow.githubTeams.length > 0 },
      { apiUrl: opts.githubApiUrl, fetch: opts.fetch },
    );
  } catch (err) {
    if (err instanceof GitHubLookupError) return { allowed: false, reason: "lookup-failed", detail: err.message };
    throw err;
  }
  const org = lower(allow.githubOrgs).find((o) => found.orgs.includes(o));
  if (org) return { allowed: true, via: `GitHub organisation ${org}` };
  const team = lower(allow.githubTeams).find((t) => found.teams.includes(t));
  if (team) return { allowed: true, via: `GitHub team ${team}` };
  for (const email of found.verifiedEmails) {
    const domain = allowedDomain(email, allow.emailDomains);
    if (domain) return { allowed: true, via: `verified email domain ${domain}` };
  }
  return {
    allowed: false,
    reason: "not-allowed",
    detail: `${login} is not an active member of an allowed GitHub organisation or team, and has no verified email in an allowed domain`,
  };
}

/**
 * For `flightdeck doctor` and the start banner: OAuth sign-in configured in the environment that admits nobody,
 * by config path: `oauthSignInFindings(config, env)`.
 */
export function oauthSignInFindings(config: { auth: AuthConfig }, env: Env): Array<{ path: string; message: string }> {
  return oauthAllowFindings(config.auth, configuredOAuthProviders(env));
}

export function oauthAllowFindings(auth: AuthConfig, oauth: ReadonlyArray<{ id: string; name: string }>): Array<{ path: string; message: string }> {
  const findings: Array<{ path: string; message: string }> = [];
  if (oauth.length === 0) return findings;
  const names = oauth.map((p) => p.name).join(" and ");
  if (allowListEmpty(auth.allow)) {
    findings.push({
      path: "auth.allow",
      message: `${names} sign-in is configured but auth.allow names no GitHub organisation, team or email domain, so it refuses everyone; list who may sign in (e.g. githubOrgs: [acme])`,
    });
  } else if (oauth.some((p) => p.id === "oidc") && auth.allow.emailDomains.length === 0) {
    findings.push({
      path: "auth.allow.emailDomains",
      message: "single sign-on (OIDC) users are allowed only by email domain, and auth.allow.emailDomains is empty, so it refuses everyone",
    });
  }
  return findings;
}

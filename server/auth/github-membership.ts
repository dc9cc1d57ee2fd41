/**
 * What GitHub says about the person signing in, read with their own OAuth token: verified email addresses
 * (`user:email`), active organisation memberships and teams (`read:org`). Only what the allow list needs is
 * asked for. `apiUrl` is https://api.github.com unless a test points it at a local fake server.
 */
export const GITHUB_API_URL = "https://api.github.com";
const MAX_PAGES = 10;
const TIMEOUT_MS = 10_000;

export type GitHubFacts = { verifiedEmails: string[]; orgs: string[]; teams: string[] };

export class GitHubLookupError extends Error {}

type Fetch = typeof fetch;

/** Every page of a GitHub list (`Link: <...>; rel="next"`), followed only on the API's own origin. */
async function getList<T>(path: string, token: string, opts: { apiUrl: string; fetch: Fetch }): Promise<T[]> {
  const origin = new URL(opts.apiUrl).origin;
  let url: string | null = `${opts.apiUrl.replace(/\/+$/, "")}${path}`;
  const items: T[] = [];
  for (let page = 0; url && page < MAX_PAGES; page++) {
    let res: Response;
    try {
      res = await opts.fetch(url, {
        headers: { accept: "application/vnd.github+json", authorization: `Bearer ${token}`, "x-github-api-version": "2022-11-28", "user-agent": "flightdeck" },
        redirect: "error",
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw new GitHubLookupError(`GitHub could not be reached for ${path}: ${(err as Error).message}`);
    }
    if (!res.ok) {
      const hint = res.status === 403 || res.status === 401 ? " (the sign-in may lack the read:org scope, or the organisation restricts OAuth apps)" : "";
      throw new GitHubLookupError(`GitHub answered HTTP ${res.status} to ${path}${hint}`);
    }
    const body = (await res.json()) as unknown;
    if (!Array.isArray(body)) throw new GitHubLookupError(`GitHub answered ${path} with something other than a list`);
    items.push(...(body as T[]));
    const next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get("link") ?? "")?.[1] ?? null;
    url = next && new URL(next).origin === origin ? next : null;
  }
  return items;
}

/** The facts the allow list asks about; lists it does not need are not fetched (and come back empty). */
export async function readGitHubFacts(
  token: string,
  need: { emails: boolean; orgs: boolean; teams: boolean },
  opts: { apiUrl?: string; fetch?: Fetch } = {},
): Promise<GitHubFacts> {
  const o = { apiUrl: opts.apiUrl ?? GITHUB_API_URL, fetch: opts.fetch ?? fetch };
  const [emails, memberships, teams] = await Promise.all([
    need.emails ? getList<{ email?: string; verified?: boolean }>("/user/emails?per_page=100", token, o) : [],
    need.orgs ? getList<{ state?: string; organization?: { login?: string } }>("/user/memberships/orgs?state=active&per_page=100", token, o) : [],
    need.teams ? getList<{ slug?: string; organization?: { login?: string } }>("/user/teams?per_page=100", token, o) : [],
  ]);
  return {
    verifiedEmails: emails.filter((e) => e.verified === true && typeof e.email === "string").map((e) => e.email!.toLowerCase()),
    orgs: memberships.filter((m) => m.state === "active" && m.organization?.login).map((m) => m.organization!.login!.toLowerCase()),
    teams: teams.filter((t) => t.slug && t.organization?.login).map((t) => `${t.organization!.login!}/${t.slug!}`.toLowerCase()),
  };
}

/** The OAuth allow list, with GitHub played by a local server on 127.0.0.1. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeGitHub, type FakeGitHub } from "./github-fake.fixtures";
import { checkOAuthAllowed, oauthAllowFindings, oauthSignInFindings, type AllowList } from "./oauth-allow";

const allow = (over: Partial<AllowList>): AllowList => ({ githubOrgs: [], githubTeams: [], emailDomains: [], ...over });

let github: FakeGitHub;
beforeAll(async () => {
  github = await startFakeGitHub({
    "tok-member": { orgs: [{ login: "other" }, { login: "more" }, { login: "Acme" }], emails: [{ email: "m@gmail.com", verified: true }] },
    "tok-pending": { orgs: [{ login: "acme", state: "pending" }] },
    "tok-team": {
      teams: [
        { org: "acme", slug: "docs" },
        { org: "acme", slug: "x" },
        { org: "acme", slug: "platform" },
      ],
    },
    "tok-email": {
      emails: [
        { email: "p@gmail.com", verified: true },
        { email: "p@acme.com", verified: true },
      ],
    },
    "tok-unverified": { emails: [{ email: "u@acme.com", verified: false }] },
    "tok-stranger": { orgs: [{ login: "elsewhere" }], teams: [{ org: "elsewhere", slug: "platform" }], emails: [{ email: "s@gmail.com", verified: true }] },
  });
});
afterAll(() => github.close());

const viaGitHub = (token: string, list: AllowList) =>
  checkOAuthAllowed({ provider: "github", accessToken: token, profile: { login: token.slice(4) } }, list, { githubApiUrl: github.url });

describe("GitHub sign-in", () => {
  it("admits an active member of an allowed organisation (any case, on any page of the list)", async () => {
    await expect(viaGitHub("tok-member", allow({ githubOrgs: ["acme"] }))).resolves.toEqual({ allowed: true, via: "GitHub organisation acme" });
    expect(github.requests.filter((r) => r.authorization === "Bearer tok-member").map((r) => r.path)).toEqual([
      "/user/memberships/orgs?state=active&per_page=100",
      "/user/memberships/orgs?state=active&per_page=100&page=2",
    ]);
  });

  it("refuses a pending invitation, and a stranger, saying why", async () => {
    await expect(viaGitHub("tok-pending", allow({ githubOrgs: ["acme"] }))).resolves.toMatchObject({ allowed: false, reason: "not-allowed" });
    const stranger = await viaGitHub("tok-stranger", allow({ githubOrgs: ["acme"], githubTeams: ["acme/platform"], emailDomains: ["acme.com"] }));
    expect(stranger).toEqual({
      allowed: false,
      reason: "not-allowed",
      detail: "stranger is not an active member of an allowed GitHub organisation or team, and has no verified email in an allowed domain",
    });
  });

  it("admits a member of an allowed team, but not the same team name in another organisation", async () => {
    await expect(viaGitHub("tok-team", allow({ githubTeams: ["acme/platform"] }))).resolves.toEqual({ allowed: true, via: "GitHub team acme/platform" });
    await expect(viaGitHub("tok-stranger", allow({ githubTeams: ["acme/platform"] }))).resolves.toMatchObject({ allowed: false });
  });

  it("admits a verified email in an allowed domain, never an unverified one", async () => {
    await expect(viaGitHub("tok-email", allow({ emailDomains: ["acme.com"] }))).resolves.toEqual({ allowed: true, via: "verified email domain acme.com" });
    await expect(viaGitHub("tok-unverified", allow({ emailDomains: ["acme.com"] }))).resolves.toMatchObject({ allowed: false, reason: "not-allowed" });
  });

  it("asks GitHub only for what the list needs", async () => {
    const before = github.requests.length;
    await viaGitHub("tok-email", allow({ emailDomains: ["acme.com"] }));
    expect(github.requests.slice(before).map((r) => r.path.split("?")[0])).toEqual(["/user/emails"]);
  });

  it("fails closed when GitHub refuses or cannot be reached", async () => {
    const refusing = await startFakeGitHub({}, { status: 403 });
    try {
      const verdict = await checkOAuthAllowed({ provider: "github", accessToken: "t" }, allow({ githubOrgs: ["acme"] }), { githubApiUrl: refusing.url });
      expect(verdict).toMatchObject({ allowed: false, reason: "lookup-failed" });
      expect(verdict.allowed === false && verdict.detail).toContain(
        "HTTP 403 to /user/memberships/orgs?state=active&per_page=100 (the sign-in may lack the read:org scope",
      );
    } finally {
      await refusing.close();
    }
    const closed = await checkOAuthAllowed({ provider: "github", accessToken: "t" }, allow({ githubOrgs: ["acme"] }), { githubApiUrl: "http://127.0.0.1:9" });
    expect(closed).toMatchObject({ allowed: false, reason: "lookup-failed" });
    await expect(checkOAuthAllowed({ provider: "github", accessToken: null }, allow({ githubOrgs: ["acme"] }))).resolves.toMatchObject({
      reason: "lookup-failed",
    });
  });

  it("refuses everyone when no allow list is configured, without asking GitHub", async () => {
    const before = github.requests.length;
    await expect(viaGitHub("tok-member", allow({}))).resolves.toMatchObject({ allowed: false, reason: "no-allow-list" });
    expect(github.requests.length).toBe(before);
  });
});

describe("OIDC sign-in", () => {
  const oidc = (profile: Record<string, unknown>, list: AllowList) => checkOAuthAllowed({ provider: "oidc", profile }, list);

  it("admits a verified email in an allowed domain, exactly (no subdomains)", async () => {
    await expect(oidc({ email: "a@acme.com", email_verified: true }, allow({ emailDomains: ["ACME.com"] }))).resolves.toEqual({
      allowed: true,
      via: "email domain acme.com",
    });
    await expect(oidc({ email: "a@eu.acme.com", email_verified: true }, allow({ emailDomains: ["acme.com"] }))).resolves.toMatchObject({
      allowed: false,
      reason: "not-allowed",
    });
    await expect(oidc({ email: "a@acme.com.evil.io", email_verified: true }, allow({ emailDomains: ["acme.com"] }))).resolves.toMatchObject({ allowed: false });
  });

  it("refuses an unverified or missing email, and lists that only name GitHub organisations", async () => {
    await expect(oidc({ email: "a@acme.com" }, allow({ emailDomains: ["acme.com"] }))).resolves.toMatchObject({ allowed: false, reason: "email-unverified" });
    await expect(oidc({ email_verified: true }, allow({ emailDomains: ["acme.com"] }))).resolves.toMatchObject({ allowed: false, reason: "not-allowed" });
    await expect(oidc({ email: "a@acme.com", email_verified: true }, allow({ githubOrgs: ["acme"] }))).resolves.toMatchObject({
      allowed: false,
      reason: "not-allowed",
    });
  });
});

describe("oauthAllowFindings (doctor and start-up)", () => {
  const github = [{ id: "github", name: "GitHub" }];
  it("names OAuth configured with nobody allowed, and OIDC without email domains", () => {
    expect(oauthAllowFindings({ allow: allow({}) }, github)).toEqual([
      {
        path: "auth.allow",
        message: expect.stringContaining(
          "GitHub sign-in is configured but auth.allow names no GitHub organisation, team or email domain, so it refuses everyone",
        ),
      },
    ]);
    expect(oauthAllowFindings({ allow: allow({ githubOrgs: ["acme"] }) }, [...github, { id: "oidc", name: "Okta" }])).toEqual([
      { path: "auth.allow.emailDomains", message: expect.stringContaining("refuses everyone") },
    ]);
    expect(oauthAllowFindings({ allow: allow({ githubOrgs: ["acme"] }) }, github)).toEqual([]);
    expect(oauthAllowFindings({ allow: allow({}) }, [])).toEqual([]);
  });

  it("reads which providers are configured from the environment", () => {
    const env = { GITHUB_ID: "id", GITHUB_SECRET: "secret" } as unknown as NodeJS.ProcessEnv;
    expect(oauthSignInFindings({ auth: { allow: allow({}) } }, env).map((f) => f.path)).toEqual(["auth.allow"]);
    expect(oauthSignInFindings({ auth: { allow: allow({}) } }, {} as NodeJS.ProcessEnv)).toEqual([]);
  });
});

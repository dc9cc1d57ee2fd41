/**
 * Attacks on who may sign in and act, each written as the attack, through the real entry points: next-auth's
 * callbacks and providers (authOptions), the admin tRPC router, API token authentication, the `flightdeck
 * users` command. GitHub is a fake API on 127.0.0.1.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import type { Account, Profile, User } from "next-auth";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getDb, type SqliteStore } from "@/db/client";
import { accounts, events, users } from "@/db/schema";
import { createCaller } from "@/server/api/root";
import { createTRPCContext } from "@/server/api/trpc";
import { startFakeGitHub, type FakeGitHub } from "@/server/auth/github-fake.fixtures";
import { authOptions } from "@/server/auth/options";
import { withRequestAddress } from "@/server/auth/request-address";
import { resolveSessionUser, type SessionUser } from "@/server/auth/session-store";
import { describeSignInError } from "@/server/auth/sign-in-errors";
import { cliOperator } from "@/server/actor";
import { setConfig } from "@/server/config";
import { DEMO_CONFIG_PATH, parseConfig } from "@/server/config/load";
import type { AuthConfig, FleetConfig } from "@/server/config/schema";
import { authenticateToken, createToken } from "@/server/services/api-tokens";
import { ensureBootstrapAdmin, seedDemoUsers, setUserDisabled } from "@/server/services/users";
import { realClock } from "@/server/engine/clock";
import { systemCtxOf } from "@/server/services/users.fixtures";

const NO_ALLOW: AuthConfig = { allow: { githubOrgs: [], githubTeams: [], emailDomains: [] } };
let base: FleetConfig;
let github: FakeGitHub;
let root: SessionUser;

function useConfig(over: { demo: boolean; auth?: AuthConfig }) {
  setConfig({ config: { ...base, demo: over.demo, auth: over.auth ?? NO_ALLOW }, file: DEMO_CONFIG_PATH });
}

async function trpc(user: SessionUser) {
  return createCaller(await createTRPCContext({ headers: new Headers(), user }));
}

async function trpcErrorOf(promise: Promise<unknown>): Promise<TRPCError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(err)}`);
  return err;
}

type Authorize = (c: Record<string, string>) => Promise<User | null>;
function authorizeOf(id: string): Authorize {
  const provider = authOptions.providers
    .map((p) => ({ ...p, ...(p as { options?: object }).options }) as { id: string; authorize?: Authorize })
    .find((p) => p.id === id);
  if (!provider?.authorize) throw new Error(`no credentials provider ${id}`);
  return provider.authorize;
}

async function signInAs(provider: string, user: User): Promise<string> {
  const account: Account = { type: "credentials", provider, providerAccountId: user.id };
  const token = await authOptions.callbacks!.jwt!({ token: {}, user, account, trigger: "signIn" });
  return token.sid!;
}

function githubSignIn(login: string, id: string) {
  const user: User = { id, email: `${login}@users.example`, name: login };
  const account: Account = { type: "oauth", provider: "github", providerAccountId: id, access_token: `tok-${login}` };
  return authOptions.callbacks!.signIn!({ user, account, profile: { login } as Profile });
}

/** The test's drizzle handle on the process's store, for assertions. */
const raw = () => (getDb() as SqliteStore).raw;

const failedSignIns = () => raw().select().from(events).where(eq(events.type, "user.sign_in_failed")).all();

beforeAll(async () => {
  process.env.FLIGHTDECK_DB = path.join(mkdtempSync(path.join(tmpdir(), "fd-security-sign-in-")), "flightdeck.db");
  const { config } = parseConfig(readFileSync(DEMO_CONFIG_PATH, "utf8"), {} as NodeJS.ProcessEnv);
  if (!config) throw new Error("the demo config does not parse");
  base = config;
  github = await startFakeGitHub({ "tok-mallory": { orgs: [{ login: "evil-corp" }] }, "tok-grace": { orgs: [{ login: "acme" }] } });
  process.env.FLIGHTDECK_TEST_GITHUB_API_URL = github.url;
  const now = Date.now();
  await seedDemoUsers(systemCtxOf(getDb(), now));
  const made = await ensureBootstrapAdmin(systemCtxOf(getDb(), now), {
    FLIGHTDECK_ADMIN_EMAIL: "root@example.com",
    FLIGHTDECK_ADMIN_PASSWORD: "root's long password",
  } as unknown as NodeJS.ProcessEnv);
  if (made.status === "skipped") throw new Error("no bootstrap admin");
  root = { id: made.userId, email: "root@example.com", name: "root", roles: ["admin"] };
});
afterAll(async () => {
  delete process.env.FLIGHTDECK_TEST_GITHUB_API_URL;
  await github.close();
});
beforeEach(() => useConfig({ demo: false }));

describe("attack: any GitHub account signs in and becomes a viewer", () => {
  it("a GitHub account outside the allowed organisations is refused, gets no Flightdeck user, and the refusal is audited", async () => {
    useConfig({ demo: false, auth: { allow: { githubOrgs: ["acme"], githubTeams: [], emailDomains: [] } } });
    await expect(githubSignIn("mallory", "9001")).resolves.toBe("/signin/refused?reason=not-allowed&provider=github");
    expect(raw().select().from(accounts).where(eq(accounts.providerAccountId, "9001")).all()).toEqual([]);
    expect(failedSignIns().at(-1)).toMatchObject({ actor: "anonymous", data: { provider: "github", reason: "not-allowed", login: "mallory" } });
  });

  it("with GitHub configured and no allow list, nobody gets in that way (fail closed)", async () => {
    await expect(githubSignIn("grace", "9002")).resolves.toBe("/signin/refused?reason=no-allow-list&provider=github");
  });

  it("a member of an allowed organisation does get in, as a viewer", async () => {
    useConfig({ demo: false, auth: { allow: { githubOrgs: ["acme"], githubTeams: [], emailDomains: [] } } });
    await expect(githubSignIn("grace", "9003")).resolves.toBe(true);
    expect(raw().select().from(accounts).where(eq(accounts.providerAccountId, "9003")).get()).toBeDefined();
  });
});

describe("attack: a disabled user keeps acting", () => {
  it("an admin disables a user: their open session and the API token they minted stop at once", async () => {
    const admin = await trpc(root);
    const { userId } = await admin.admin.createUser({ email: "leaver@example.com", name: "Leaver", password: "leaver's long password", roles: ["admin"] });
    const leaver: SessionUser = { id: userId, email: "leaver@example.com", name: "Leaver", roles: ["admin"] };
    const sid = await signInAs("local", { id: userId, email: leaver.email, name: leaver.name });
    const { token } = await createToken({ db: getDb(), config: base, actor: { kind: "user", ...leaver }, clock: realClock }, { name: "ci", scope: "deploy" });
    expect((await resolveSessionUser(systemCtxOf(getDb(), Date.now()), sid))?.id).toBe(userId);

    await admin.admin.setDisabled({ userId, disabled: true });

    expect(await resolveSessionUser(systemCtxOf(getDb(), Date.now()), sid)).toBeNull();
    await expect(authenticateToken(systemCtxOf(getDb(), Date.now(), false), `Bearer ${token}`)).rejects.toThrow(
      /stopped working: its creator Leaver is disabled/,
    );
    await expect(authorizeOf("local")({ email: "leaver@example.com", password: "leaver's long password" })).resolves.toBeNull();
  });
});

describe("attack: the demo's one-click users outlive the demo", () => {
  it("once demo mode is off a demo admin cannot sign in, keep its session, or use the token it minted", async () => {
    useConfig({ demo: true });
    const ada = await authorizeOf("demo")({ userId: "demo-admin" });
    const sid = await signInAs("demo", ada!);
    const { token } = await createToken(
      { db: getDb(), config: base, actor: { kind: "user", id: "demo-admin", name: "Ada", roles: ["admin"] }, clock: realClock },
      { name: "demo token", scope: "deploy" },
    );
    expect((await resolveSessionUser(systemCtxOf(getDb(), Date.now()), sid))?.id).toBe("demo-admin");

    useConfig({ demo: false });
    await expect(authorizeOf("demo")({ userId: "demo-admin" })).rejects.toThrow("DemoModeOff");
    expect(await resolveSessionUser(systemCtxOf(getDb(), Date.now()), sid)).toBeNull();
    await expect(authenticateToken(systemCtxOf(getDb(), Date.now(), false), `Bearer ${token}`)).rejects.toThrow(
      /is a demo user and this Flightdeck is not in demo mode/,
    );
  });
});

describe("attack: guessing passwords", () => {
  it("after 5 wrong passwords for one account, even the right one is refused, with how long to wait", async () => {
    await (await trpc(root)).admin.createUser({ email: "victim@example.com", name: "Victim", password: "victim's long password" });
    await withRequestAddress("203.0.113.66", async () => {
      for (let i = 0; i < 5; i++) await expect(authorizeOf("local")({ email: "victim@example.com", password: `guess ${i}` })).resolves.toBeNull();
      const refused = await authorizeOf("local")({ email: "victim@example.com", password: "victim's long password" }).then(
        () => null,
        (e: Error) => e.message,
      );
      expect(refused).toMatch(/^Throttled:account:\d+$/);
      expect(describeSignInError(refused!)).toBe(
        "Too many failed sign-ins for this account. Wait 15 minutes and try again, or ask an admin to check the account.",
      );
    });
    const audited = failedSignIns().filter((e) => (e.data as { email?: string }).email === "victim@example.com");
    expect(audited).toHaveLength(5);
    expect(audited.at(-1)?.message).toContain("account locked for 15 minutes");
    expect(JSON.stringify(audited)).not.toContain("guess");
  });

  it("spraying many accounts from one address is throttled after 20 failures", async () => {
    await withRequestAddress("198.51.100.23", async () => {
      for (let i = 0; i < 20; i++) await authorizeOf("local")({ email: `spray${i}@example.com`, password: "Summer2026!" });
      await expect(authorizeOf("local")({ email: "spray99@example.com", password: "Summer2026!" })).rejects.toThrow(/^Throttled:address:\d+$/);
    });
  });
});

describe("attack: lock everyone out by removing the last admin", () => {
  it("the last active admin cannot be demoted, and a demo admin does not count as another while demo mode is off", async () => {
    const err = await trpcErrorOf((await trpc(root)).admin.setRoles({ userId: root.id, roles: ["viewer"] }));
    expect(err.code).toBe("PRECONDITION_FAILED");
    expect(err.message).toMatch(/^root is the last active admin/);
  });

  it("the last active admin cannot be disabled, from the dashboard (not even by themselves) or by an operator on the server", async () => {
    expect((await trpcErrorOf((await trpc(root)).admin.setDisabled({ userId: root.id, disabled: true }))).message).toBe(
      "You cannot disable your own account: ask another admin.",
    );
    // What `flightdeck users disable root@example.com` runs, with the fleet's demo mode (off).
    await expect(
      setUserDisabled({ db: getDb(), config: { ...base, demo: false }, actor: cliOperator("ops"), clock: realClock }, { userId: root.id, disabled: true }),
    ).rejects.toThrow("root is the last active admin: give another user the admin role before disabling this one.");
    expect(raw().select().from(users).where(eq(users.id, root.id)).get()?.disabledAt).toBeNull();
  });

  it("a viewer cannot manage users at all", async () => {
    const vera: SessionUser = { id: "demo-viewer", email: "viewer@demo.flightdeck", name: "Vera", roles: ["viewer"] };
    expect((await trpcErrorOf((await trpc(vera)).admin.setDisabled({ userId: root.id, disabled: true }))).code).toBe("FORBIDDEN");
    expect((await trpcErrorOf((await trpc(vera)).admin.createUser({ email: "x@example.com", name: "X", password: "a long enough password" }))).code).toBe(
      "FORBIDDEN",
    );
    expect(raw().select().from(users).where(eq(users.id, root.id)).get()?.disabledAt).toBeNull();
  });
});

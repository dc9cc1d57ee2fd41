/** The next-auth wiring, through the real authOptions on a fresh database (FLIGHTDECK_DB points at a temp file). */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Account, User } from "next-auth";
import { getDb, type SqliteStore } from "@/db/client";
import { eq } from "drizzle-orm";
import { events, sessions, users } from "@/db/schema";
import { setConfig } from "@/server/config";
import { DEMO_CONFIG_PATH, parseConfig } from "@/server/config/load";
import { authOptions } from "./options";
import { withRequestAddress } from "./request-address";
import { resolveSessionUser } from "./session-store";
import { systemCtxOf } from "@/server/services/users.fixtures";

function useDemoMode(demo: boolean) {
  const { config } = parseConfig(readFileSync(DEMO_CONFIG_PATH, "utf8"), {} as NodeJS.ProcessEnv);
  if (!config) throw new Error("the demo config does not parse");
  setConfig({ config: { ...config, demo }, file: DEMO_CONFIG_PATH });
}

type MergedProvider = { id: string; type: string; authorize?: (c: Record<string, string>) => Promise<unknown> };

/** next-auth merges a provider's `options` over its defaults (id, authorize); so do we, to see what it sees. */
function providers(): MergedProvider[] {
  return authOptions.providers.map((p) => ({ ...p, ...(p as { options?: object }).options }) as MergedProvider);
}

function authorizeOf(id: string) {
  const provider = providers().find((p) => p.id === id);
  if (!provider?.authorize) throw new Error(`no credentials provider ${id}`);
  return provider.authorize;
}

/** The test's drizzle handle on the process's store, for assertions. */
const raw = () => (getDb() as SqliteStore).raw;

beforeAll(() => {
  process.env.FLIGHTDECK_DB = path.join(mkdtempSync(path.join(tmpdir(), "fd-options-")), "flightdeck.db");
});

describe("the demo provider", () => {
  it("refuses when the loaded config has demo mode off", async () => {
    useDemoMode(false);
    await expect(authorizeOf("demo")({ userId: "demo-deployer" })).rejects.toThrow("DemoModeOff");
  });

  it("signs the demo user in when demo mode is on", async () => {
    useDemoMode(true);
    await expect(authorizeOf("demo")({ userId: "demo-deployer" })).resolves.toMatchObject({ id: "demo-deployer", name: "Dana" });
  });
});

describe("providers", () => {
  it("offer local and demo sign-in, and no OAuth provider without its environment variables", () => {
    expect(providers().map((p) => `${p.id}:${p.type}`)).toEqual(["local:credentials", "demo:credentials"]);
    expect(authOptions.pages?.signIn).toBe("/signin");
  });
});

describe("sessions", () => {
  it("creates a session row at sign-in, keeps only its id and the user id in the cookie, and revokes it at sign-out", async () => {
    useDemoMode(true);
    const user = (await authorizeOf("demo")({ userId: "demo-viewer" })) as User;
    const account: Account = { type: "credentials", provider: "demo", providerAccountId: user.id };
    const token = await authOptions.callbacks!.jwt!({
      token: { name: "Vera", email: "viewer@demo.flightdeck", sub: user.id },
      user,
      account,
      trigger: "signIn",
    });

    expect(Object.keys(token).sort()).toEqual(["sid", "uid"]);
    expect(token.uid).toBe("demo-viewer");
    expect(
      raw()
        .select()
        .from(sessions)
        .all()
        .map((s) => s.id),
    ).toContain(token.sid);
    expect((await resolveSessionUser(systemCtxOf(getDb(), Date.now()), token.sid!))?.roles).toEqual(["viewer"]);

    // A later request passes the token through unchanged: no new row per request.
    const rows = raw().select().from(sessions).all().length;
    expect(await authOptions.callbacks!.jwt!({ token, user: undefined as unknown as User, account: null })).toEqual(token);
    expect(raw().select().from(sessions).all()).toHaveLength(rows);

    await withRequestAddress("203.0.113.5", () => authOptions.events!.signOut!({ token, session: undefined as never }));
    expect(await resolveSessionUser(systemCtxOf(getDb(), Date.now()), token.sid!)).toBeNull();

    // Both ends are in the audit log, with the user and (for sign-out) the client address.
    const trail = raw().select().from(events).where(eq(events.actor, "user:demo-viewer")).all();
    expect(trail.filter((e) => e.type === "user.signed_in").at(-1)).toMatchObject({ message: "Vera signed in with demo sign-in" });
    expect(trail.filter((e) => e.type === "user.signed_out").at(-1)).toMatchObject({ data: { userId: "demo-viewer", address: "203.0.113.5" } });
    expect(raw().select().from(users).where(eq(users.id, "demo-viewer")).get()?.lastSignInAt).not.toBeNull();
  });
});

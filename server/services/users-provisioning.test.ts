import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase, type SqliteStore } from "@/db/client";
import { accounts, events, roleAssignments, roleChanges, users } from "@/db/schema";
import { verifyPassword } from "@/server/auth/password";
import type { Role } from "@/server/auth/roles";
import { ensureBootstrapAdmin, linkOAuthAccount, listDemoUsers, seedDemoUsers, setUserRoles } from "./users";
import { ctxOf } from "./users.fixtures";
import { systemCtxOf } from "./users.fixtures";

const NOW = 1_700_000_000_000;
const env = (vars: Record<string, string>) => vars as unknown as NodeJS.ProcessEnv;

function freshDb(): SqliteStore {
  const db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), "fd-provision-")), "test.db"));
  migrateDatabase(db);
  return db;
}
const rolesOf = (db: SqliteStore, userId: string): Role[] =>
  db.raw
    .select()
    .from(roleAssignments)
    .where(eq(roleAssignments.userId, userId))
    .all()
    .map((r) => r.role)
    .sort();

let db: SqliteStore;
beforeEach(() => {
  db = freshDb();
});

describe("seedDemoUsers", () => {
  it("creates one demo user per role with a human name and no password", async () => {
    expect((await seedDemoUsers(systemCtxOf(db, NOW))).created).toHaveLength(5);
    expect((await listDemoUsers(db)).map((u) => `${u.name} <${u.email}> ${u.seededRole}: ${u.roles.join(",")}`)).toEqual([
      "Vera <viewer@demo.flightdeck> viewer: viewer",
      "Dana <deployer@demo.flightdeck> deployer: deployer",
      "Rafael <reviewer@demo.flightdeck> reviewer: reviewer",
      "Sam <sre@demo.flightdeck> sre: sre",
      "Ada <admin@demo.flightdeck> admin: admin",
    ]);
    expect(
      db.raw
        .select()
        .from(users)
        .all()
        .every((u) => u.demo && u.passwordHash === null),
    ).toBe(true);
  });

  it("is idempotent and keeps roles an admin changed since", async () => {
    await seedDemoUsers(systemCtxOf(db, NOW));
    await setUserRoles(ctxOf(db, { kind: "user", id: "demo-admin", name: "Ada", roles: ["admin"] }, NOW + 1), { userId: "demo-viewer", roles: ["reviewer"] });
    const eventCount = db.raw.select().from(events).all().length;

    expect((await seedDemoUsers(systemCtxOf(db, NOW + 2))).created).toEqual([]);
    expect(db.raw.select().from(users).all()).toHaveLength(5);
    expect(rolesOf(db, "demo-viewer")).toEqual(["reviewer"]);
    expect(db.raw.select().from(events).all()).toHaveLength(eventCount);
  });

  it("leaves out a demo user who has been disabled", async () => {
    await seedDemoUsers(systemCtxOf(db, NOW));
    db.raw.update(users).set({ disabledAt: NOW }).where(eq(users.id, "demo-sre")).run();
    expect((await listDemoUsers(db)).map((u) => u.seededRole)).toEqual(["viewer", "deployer", "reviewer", "admin"]);
  });
});

describe("ensureBootstrapAdmin", () => {
  const vars = { FLIGHTDECK_ADMIN_EMAIL: "Root@Example.com", FLIGHTDECK_ADMIN_PASSWORD: "first admin password" };

  it("does nothing when neither variable is set", async () => {
    expect(await ensureBootstrapAdmin(systemCtxOf(db, NOW), env({}))).toEqual({ status: "skipped" });
    expect(db.raw.select().from(users).all()).toEqual([]);
  });

  it("names the missing variable when only one is set", async () => {
    await expect(ensureBootstrapAdmin(systemCtxOf(db, NOW), env({ FLIGHTDECK_ADMIN_EMAIL: "root@example.com" }))).rejects.toThrow(
      "FLIGHTDECK_ADMIN_PASSWORD is not set: set both FLIGHTDECK_ADMIN_EMAIL and FLIGHTDECK_ADMIN_PASSWORD, or neither",
    );
    await expect(
      ensureBootstrapAdmin(systemCtxOf(db, NOW), env({ FLIGHTDECK_ADMIN_EMAIL: "root@example.com", FLIGHTDECK_ADMIN_PASSWORD: "short" })),
    ).rejects.toThrow("FLIGHTDECK_ADMIN_PASSWORD: a password needs at least 12 characters");
  });

  it("creates a local admin who can sign in with the password, then leaves it unchanged on the next start", async () => {
    const created = await ensureBootstrapAdmin(systemCtxOf(db, NOW), env(vars));
    expect(created.status).toBe("created");
    const user = db.raw.select().from(users).where(eq(users.email, "root@example.com")).get()!;
    await expect(verifyPassword("first admin password", user.passwordHash)).resolves.toBe(true);
    expect(rolesOf(db, user.id)).toEqual(["admin"]);
    expect(db.raw.select().from(events).where(eq(events.type, "user.roles_changed")).all()).toMatchObject([
      { actor: "system", data: { userId: user.id, before: [], after: ["admin"] } },
    ]);

    expect(await ensureBootstrapAdmin(systemCtxOf(db, NOW + 1), env(vars))).toEqual({ status: "unchanged", userId: user.id });
  });

  it("repairs the admin on start: new password, enabled again, admin role back", async () => {
    const { userId } = (await ensureBootstrapAdmin(systemCtxOf(db, NOW), env(vars))) as { userId: string };
    db.raw.update(users).set({ disabledAt: NOW }).where(eq(users.id, userId)).run();
    db.raw.insert(roleChanges).values({ userId, role: "admin", change: "removed", changedBy: "user:someone", at: NOW }).run();

    const result = await ensureBootstrapAdmin(systemCtxOf(db, NOW + 1), env({ ...vars, FLIGHTDECK_ADMIN_PASSWORD: "second admin password" }));
    expect(result).toEqual({ status: "updated", userId });
    const user = db.raw.select().from(users).where(eq(users.id, userId)).get()!;
    expect(user.disabledAt).toBeNull();
    await expect(verifyPassword("second admin password", user.passwordHash)).resolves.toBe(true);
    await expect(verifyPassword("first admin password", user.passwordHash)).resolves.toBe(false);
    expect(rolesOf(db, userId)).toEqual(["admin"]);
  });
});

describe("linkOAuthAccount", () => {
  const github = { provider: "github", providerAccountId: "4242", email: "Lin@Example.com", name: "Lin" };

  it("creates a viewer on first sign-in and finds the same user afterwards", async () => {
    const first = await linkOAuthAccount(systemCtxOf(db, NOW), github);
    expect(first).toMatchObject({ created: true, disabled: false });
    expect(rolesOf(db, first.userId)).toEqual(["viewer"]);
    expect(db.raw.select().from(users).where(eq(users.id, first.userId)).get()).toMatchObject({ email: "lin@example.com", name: "Lin", passwordHash: null });

    const again = await linkOAuthAccount(systemCtxOf(db, NOW + 1), { ...github, email: "changed@example.com" });
    expect(again).toEqual({ userId: first.userId, created: false, disabled: false });
    expect(db.raw.select().from(accounts).all()).toHaveLength(1);
  });

  it("reports a disabled linked user so sign-in can refuse", async () => {
    const { userId } = await linkOAuthAccount(systemCtxOf(db, NOW), github);
    db.raw.update(users).set({ disabledAt: NOW }).where(eq(users.id, userId)).run();
    expect((await linkOAuthAccount(systemCtxOf(db, NOW + 1), github)).disabled).toBe(true);
  });

  it("does not take over an email that belongs to another user", async () => {
    await seedDemoUsers(systemCtxOf(db, NOW));
    await expect(linkOAuthAccount(systemCtxOf(db, NOW), { ...github, email: "admin@demo.flightdeck" })).rejects.toThrow(/already belongs to a Flightdeck user/);
    expect(db.raw.select().from(accounts).all()).toEqual([]);
  });

  it("gives a user whose provider hides the email a placeholder address", async () => {
    const { userId } = await linkOAuthAccount(systemCtxOf(db, NOW), { provider: "github", providerAccountId: "77", email: null, name: null });
    expect(db.raw.select().from(users).where(eq(users.id, userId)).get()).toMatchObject({ email: "77@github.invalid", name: "77" });
  });
});

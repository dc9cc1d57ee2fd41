import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase, type Db } from "@/db/client";
import { accounts, events, roleAssignments, roleChanges, users } from "@/db/schema";
import { verifyPassword } from "@/server/auth/password";
import type { Role } from "@/server/auth/roles";
import { ensureBootstrapAdmin, linkOAuthAccount, listDemoUsers, seedDemoUsers, setUserRoles } from "./users";
import { ctxOf } from "./users.fixtures";

const NOW = 1_700_000_000_000;
const env = (vars: Record<string, string>) => vars as unknown as NodeJS.ProcessEnv;

function freshDb(): Db {
  const db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), "fd-provision-")), "test.db"));
  migrateDatabase(db);
  return db;
}
const rolesOf = (db: Db, userId: string): Role[] =>
  db
    .select()
    .from(roleAssignments)
    .where(eq(roleAssignments.userId, userId))
    .all()
    .map((r) => r.role)
    .sort();

let db: Db;
beforeEach(() => {
  db = freshDb();
});

describe("seedDemoUsers", () => {
  it("creates one demo user per role with a human name and no password", () => {
    expect(seedDemoUsers(db, NOW).created).toHaveLength(5);
    expect(listDemoUsers(db).map((u) => `${u.name} <${u.email}> ${u.seededRole}: ${u.roles.join(",")}`)).toEqual([
      "Vera <viewer@demo.flightdeck> viewer: viewer",
      "Dana <deployer@demo.flightdeck> deployer: deployer",
      "Rafael <reviewer@demo.flightdeck> reviewer: reviewer",
      "Sam <sre@demo.flightdeck> sre: sre",
      "Ada <admin@demo.flightdeck> admin: admin",
    ]);
    expect(
      db
        .select()
        .from(users)
        .all()
        .every((u) => u.demo && u.passwordHash === null),
    ).toBe(true);
  });

  it("is idempotent and keeps roles an admin changed since", () => {
    seedDemoUsers(db, NOW);
    setUserRoles(ctxOf(db, { kind: "user", id: "demo-admin", name: "Ada", roles: ["admin"] }, NOW + 1), { userId: "demo-viewer", roles: ["reviewer"] });
    const eventCount = db.select().from(events).all().length;

    expect(seedDemoUsers(db, NOW + 2).created).toEqual([]);
    expect(db.select().from(users).all()).toHaveLength(5);
    expect(rolesOf(db, "demo-viewer")).toEqual(["reviewer"]);
    expect(db.select().from(events).all()).toHaveLength(eventCount);
  });

  it("leaves out a demo user who has been disabled", () => {
    seedDemoUsers(db, NOW);
    db.update(users).set({ disabledAt: NOW }).where(eq(users.id, "demo-sre")).run();
    expect(listDemoUsers(db).map((u) => u.seededRole)).toEqual(["viewer", "deployer", "reviewer", "admin"]);
  });
});

describe("ensureBootstrapAdmin", () => {
  const vars = { FLIGHTDECK_ADMIN_EMAIL: "Root@Example.com", FLIGHTDECK_ADMIN_PASSWORD: "first admin password" };

  it("does nothing when neither variable is set", () => {
    expect(ensureBootstrapAdmin(db, env({}), NOW)).toEqual({ status: "skipped" });
    expect(db.select().from(users).all()).toEqual([]);
  });

  it("names the missing variable when only one is set", () => {
    expect(() => ensureBootstrapAdmin(db, env({ FLIGHTDECK_ADMIN_EMAIL: "root@example.com" }), NOW)).toThrow(
      "FLIGHTDECK_ADMIN_PASSWORD is not set: set both FLIGHTDECK_ADMIN_EMAIL and FLIGHTDECK_ADMIN_PASSWORD, or neither",
    );
    expect(() => ensureBootstrapAdmin(db, env({ FLIGHTDECK_ADMIN_EMAIL: "root@example.com", FLIGHTDECK_ADMIN_PASSWORD: "short" }), NOW)).toThrow(
      "FLIGHTDECK_ADMIN_PASSWORD: a password needs at least 12 characters",
    );
  });

  it("creates a local admin who can sign in with the password, then leaves it unchanged on the next start", async () => {
    const created = ensureBootstrapAdmin(db, env(vars), NOW);
    expect(created.status).toBe("created");
    const user = db.select().from(users).where(eq(users.email, "root@example.com")).get()!;
    await expect(verifyPassword("first admin password", user.passwordHash)).resolves.toBe(true);
    expect(rolesOf(db, user.id)).toEqual(["admin"]);
    expect(db.select().from(events).where(eq(events.type, "user.roles_changed")).all()).toMatchObject([
      { actor: "system", data: { userId: user.id, before: [], after: ["admin"] } },
    ]);

    expect(ensureBootstrapAdmin(db, env(vars), NOW + 1)).toEqual({ status: "unchanged", userId: user.id });
  });

  it("repairs the admin on start: new password, enabled again, admin role back", async () => {
    const { userId } = ensureBootstrapAdmin(db, env(vars), NOW) as { userId: string };
    db.update(users).set({ disabledAt: NOW }).where(eq(users.id, userId)).run();
    db.insert(roleChanges).values({ userId, role: "admin", change: "removed", changedBy: "user:someone", at: NOW }).run();

    const result = ensureBootstrapAdmin(db, env({ ...vars, FLIGHTDECK_ADMIN_PASSWORD: "second admin password" }), NOW + 1);
    expect(result).toEqual({ status: "updated", userId });
    const user = db.select().from(users).where(eq(users.id, userId)).get()!;
    expect(user.disabledAt).toBeNull();
    await expect(verifyPassword("second admin password", user.passwordHash)).resolves.toBe(true);
    await expect(verifyPassword("first admin password", user.passwordHash)).resolves.toBe(false);
    expect(rolesOf(db, userId)).toEqual(["admin"]);
  });
});

describe("linkOAuthAccount", () => {
  const github = { provider: "github", providerAccountId: "4242", email: "Lin@Example.com", name: "Lin" };

  it("creates a viewer on first sign-in and finds the same user afterwards", () => {
    const first = linkOAuthAccount(db, github, NOW);
    expect(first).toMatchObject({ created: true, disabled: false });
    expect(rolesOf(db, first.userId)).toEqual(["viewer"]);
    expect(db.select().from(users).where(eq(users.id, first.userId)).get()).toMatchObject({ email: "lin@example.com", name: "Lin", passwordHash: null });

    const again = linkOAuthAccount(db, { ...github, email: "changed@example.com" }, NOW + 1);
    expect(again).toEqual({ userId: first.userId, created: false, disabled: false });
    expect(db.select().from(accounts).all()).toHaveLength(1);
  });

  it("reports a disabled linked user so sign-in can refuse", () => {
    const { userId } = linkOAuthAccount(db, github, NOW);
    db.update(users).set({ disabledAt: NOW }).where(eq(users.id, userId)).run();
    expect(linkOAuthAccount(db, github, NOW + 1).disabled).toBe(true);
  });

  it("does not take over an email that belongs to another user", () => {
    seedDemoUsers(db, NOW);
    expect(() => linkOAuthAccount(db, { ...github, email: "admin@demo.flightdeck" }, NOW)).toThrow(/already belongs to a Flightdeck user/);
    expect(db.select().from(accounts).all()).toEqual([]);
  });

  it("gives a user whose provider hides the email a placeholder address", () => {
    const { userId } = linkOAuthAccount(db, { provider: "github", providerAccountId: "77", email: null, name: null }, NOW);
    expect(db.select().from(users).where(eq(users.id, userId)).get()).toMatchObject({ email: "77@github.invalid", name: "77" });
  });
});

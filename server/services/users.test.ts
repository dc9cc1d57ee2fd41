import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase, type SqliteStore } from "@/db/client";
import { events, roleAssignments, users } from "@/db/schema";
import type { Actor } from "@/server/actor";
import type { Role } from "@/server/auth/roles";
import { ServiceError } from "./errors";
import { createLocalUser, linkOAuthAccount, listUsers, seedDemoUsers, setUserRoles } from "./users";
import { ctxOf } from "./users.fixtures";
import { recordSignIn } from "./users-sign-in";
import { systemCtxOf } from "./users.fixtures";

const NOW = 1_700_000_000_000;

function freshDb(): SqliteStore {
  const db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), "fd-users-")), "test.db"));
  migrateDatabase(db);
  return db;
}

const asActor = (id: string, roles: Role[]): Actor => ({ kind: "user", id, name: id, roles });
const ADA = asActor("demo-admin", ["admin"]);

function rolesOf(db: SqliteStore, userId: string): Role[] {
  return db.raw
    .select()
    .from(roleAssignments)
    .where(eq(roleAssignments.userId, userId))
    .all()
    .map((r) => r.role)
    .sort();
}
const roleEvents = (db: SqliteStore) => db.raw.select().from(events).where(eq(events.type, "user.roles_changed")).all();

/** Runs fn and returns the ServiceError it throws (fails the test when it does not throw one). */
async function serviceErrorOf(fn: () => unknown): Promise<ServiceError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ServiceError) return err;
    throw err;
  }
  throw new Error("expected a ServiceError, nothing was thrown");
}

let db: SqliteStore;
beforeEach(async () => {
  db = freshDb();
  await seedDemoUsers(systemCtxOf(db, NOW));
});

describe("setUserRoles", () => {
  it("writes the new roles and exactly one audit event naming the admin who changed them", async () => {
    const eventsBefore = roleEvents(db).length;
    const result = await setUserRoles(ctxOf(db, ADA, NOW + 1), { userId: "demo-viewer", roles: ["sre", "deployer"] });

    expect(result).toEqual({ userId: "demo-viewer", roles: ["deployer", "sre"], changed: true });
    expect(rolesOf(db, "demo-viewer")).toEqual(["deployer", "sre"]);
    const added = roleEvents(db).slice(eventsBefore);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({
      at: NOW + 1,
      type: "user.roles_changed",
      actor: "user:demo-admin",
      data: { userId: "demo-viewer", before: ["viewer"], after: ["deployer", "sre"] },
    });
    expect(added[0].message).toBe("Roles of Vera (viewer@demo.flightdeck) changed from viewer to deployer, sre");
  });

  it("writes nothing at all when the audit event cannot be written (one transaction)", async () => {
    db.$client.exec(`CREATE TRIGGER fail_role_events BEFORE INSERT ON events WHEN NEW.type = 'user.roles_changed'
      BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END`);
    await expect(setUserRoles(ctxOf(db, ADA, NOW + 1), { userId: "demo-viewer", roles: ["admin"] })).rejects.toThrow(/audit log unavailable/);
    expect(rolesOf(db, "demo-viewer")).toEqual(["viewer"]);
  });

  it("refuses an unknown role with a 400 naming the role and where it is, and writes nothing", async () => {
    const eventsBefore = roleEvents(db).length;
    const err = await serviceErrorOf(() => setUserRoles(ctxOf(db, ADA, NOW), { userId: "demo-viewer", roles: ["deployer", "superuser"] }));
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toBe('roles[1]: unknown role "superuser": a role is one of viewer, deployer, reviewer, sre, admin');
    expect(rolesOf(db, "demo-viewer")).toEqual(["viewer"]);
    expect(roleEvents(db)).toHaveLength(eventsBefore);
  });

  it("refuses an empty role list and a malformed request with a message per field", async () => {
    expect((await serviceErrorOf(() => setUserRoles(ctxOf(db, ADA, NOW), { userId: "demo-viewer", roles: [] }))).message).toBe(
      "roles: choose at least one role (viewer only reads)",
    );
    const malformed = await serviceErrorOf(() => setUserRoles(ctxOf(db, ADA, NOW), { userId: 42, roles: "admin" }));
    expect(malformed.code).toBe("BAD_REQUEST");
    expect(malformed.message).toBe("userId: expected a user id; roles: expected a list of roles");
  });

  it("answers 404 for a user that does not exist", async () => {
    const err = await serviceErrorOf(() => setUserRoles(ctxOf(db, ADA, NOW), { userId: "nobody", roles: ["viewer"] }));
    expect(err.code).toBe("NOT_FOUND");
    expect(err.message).toContain('"nobody"');
  });

  it("refuses anyone without users.manage, whatever else they may do", async () => {
    const err = await serviceErrorOf(() => setUserRoles(ctxOf(db, asActor("demo-sre", ["sre", "deployer"]), NOW), { userId: "demo-viewer", roles: ["admin"] }));
    expect(err.code).toBe("FORBIDDEN");
    expect(err.message).toBe("Your role (sre, deployer) does not allow users.manage.");
    expect(rolesOf(db, "demo-viewer")).toEqual(["viewer"]);
  });

  it("refuses to remove the admin role from the last active admin, and allows it once there is another", async () => {
    const err = await serviceErrorOf(() => setUserRoles(ctxOf(db, ADA, NOW), { userId: "demo-admin", roles: ["viewer"] }));
    expect(err.code).toBe("PRECONDITION_FAILED");
    expect(err.message).toMatch(/^Ada is the last active admin/);
    expect(rolesOf(db, "demo-admin")).toEqual(["admin"]);

    await setUserRoles(ctxOf(db, ADA, NOW + 1), { userId: "demo-sre", roles: ["sre", "admin"] });
    expect((await setUserRoles(ctxOf(db, ADA, NOW + 2), { userId: "demo-admin", roles: ["viewer"] })).changed).toBe(true);
    expect(rolesOf(db, "demo-admin")).toEqual(["viewer"]);
  });

  it("does not count a disabled admin as the other admin", async () => {
    await setUserRoles(ctxOf(db, ADA, NOW + 1), { userId: "demo-sre", roles: ["admin"] });
    db.raw
      .update(users)
      .set({ disabledAt: NOW + 2 })
      .where(eq(users.id, "demo-sre"))
      .run();
    expect((await serviceErrorOf(() => setUserRoles(ctxOf(db, ADA, NOW + 3), { userId: "demo-admin", roles: ["viewer"] }))).code).toBe("PRECONDITION_FAILED");
  });

  it("records nothing when the roles do not change", async () => {
    const eventsBefore = roleEvents(db).length;
    expect((await setUserRoles(ctxOf(db, ADA, NOW + 1), { userId: "demo-deployer", roles: ["deployer", "deployer"] })).changed).toBe(false);
    expect(roleEvents(db)).toHaveLength(eventsBefore);
  });
});

describe("listUsers", () => {
  it("lists every user with roles in the canonical order and how they sign in, never a password hash", async () => {
    await createLocalUser(ctxOf(db, ADA, NOW), { email: "Ops@Example.com", name: "Olu", password: "a long enough password", roles: ["admin", "reviewer"] });
    const list = await listUsers(ctxOf(db, ADA, NOW));
    expect(list.map((u) => [u.name, u.roles.join(",")])).toEqual([
      ["Ada", "admin"],
      ["Dana", "deployer"],
      ["Olu", "reviewer,admin"],
      ["Rafael", "reviewer"],
      ["Sam", "sre"],
      ["Vera", "viewer"],
    ]);
    expect(list.find((u) => u.name === "Olu")).toMatchObject({ email: "ops@example.com", demo: false, local: true, disabled: false });
    expect(list.find((u) => u.name === "Vera")).toMatchObject({ demo: true, local: false });
    expect(JSON.stringify(list)).not.toContain("scrypt$");
  });

  it("shows when each user last signed in (never, until they do) and the providers they sign in with", async () => {
    await linkOAuthAccount(systemCtxOf(db, NOW), { provider: "github", providerAccountId: "42", email: "gh@example.com", name: "Gus" });
    const gus = (await listUsers(ctxOf(db, ADA, NOW))).find((u) => u.name === "Gus")!;
    expect(gus).toMatchObject({ providers: ["github"], local: false, createdAt: NOW, lastSignInAt: null });
    await recordSignIn(systemCtxOf(db, NOW + 60_000), { userId: gus.id, provider: "github", address: "203.0.113.1" });
    expect((await listUsers(ctxOf(db, ADA, NOW))).find((u) => u.name === "Gus")?.lastSignInAt).toBe(NOW + 60_000);
  });
});

describe("createLocalUser", () => {
  it("refuses a short password, a bad email and a taken email, each with the field's name", async () => {
    await expect(createLocalUser(ctxOf(db, ADA, NOW), { email: "a@example.com", name: "A", password: "short" })).rejects.toThrow(
      "password: a password needs at least 12 characters",
    );
    await expect(createLocalUser(ctxOf(db, ADA, NOW), { email: "not-an-email", name: "A", password: "a long enough password" })).rejects.toThrow(
      'email: expected an email address, got "not-an-email"',
    );
    await expect(createLocalUser(ctxOf(db, ADA, NOW), { email: "ADMIN@demo.flightdeck", name: "A", password: "a long enough password" })).rejects.toThrow(
      "email: a user with the email admin@demo.flightdeck already exists",
    );
  });

  it("creates a viewer by default and records the grant", async () => {
    const { userId } = await createLocalUser(ctxOf(db, ADA, NOW), { email: "new@example.com", name: "New", password: "a long enough password" });
    expect(rolesOf(db, userId)).toEqual(["viewer"]);
    expect(roleEvents(db).at(-1)).toMatchObject({ actor: "user:demo-admin", data: { userId, before: [], after: ["viewer"] } });
  });
});

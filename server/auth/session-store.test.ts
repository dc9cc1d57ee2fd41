import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase, type SqliteStore } from "@/db/client";
import { roleChanges, sessions, users } from "@/db/schema";
import { createSession, resolveSessionUser, revokeSession, SESSION_LIFETIME_MS } from "./session-store";
import { systemCtxOf } from "@/server/services/users.fixtures";

const NOW = 1_700_000_000_000;

function freshDb(): SqliteStore {
  const db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), "fd-session-")), "test.db"));
  migrateDatabase(db);
  return db;
}

let db: SqliteStore;
beforeEach(() => {
  db = freshDb();
  db.raw.insert(users).values({ id: "u_dana", email: "dana@example.com", name: "Dana", createdAt: NOW }).run();
  db.raw.insert(roleChanges).values({ userId: "u_dana", role: "deployer", change: "granted", changedBy: "system", at: NOW }).run();
});

describe("resolveSessionUser", () => {
  it("returns the user of a live session with the roles held now", async () => {
    const { id, expiresAt } = await createSession(systemCtxOf(db, NOW), "u_dana");
    expect(expiresAt).toBe(NOW + 12 * 60 * 60 * 1000);
    expect(await resolveSessionUser(systemCtxOf(db, NOW + 1000), id)).toEqual({ id: "u_dana", email: "dana@example.com", name: "Dana", roles: ["deployer"] });

    // A role change applies to the next request of the same session.
    db.raw
      .insert(roleChanges)
      .values({ userId: "u_dana", role: "admin", change: "granted", changedBy: "user:ada", at: NOW + 2000 })
      .run();
    expect((await resolveSessionUser(systemCtxOf(db, NOW + 3000), id))?.roles).toEqual(["deployer", "admin"]);
  });

  it("treats a user without role rows as a viewer", async () => {
    db.raw.insert(roleChanges).values({ userId: "u_dana", role: "deployer", change: "removed", changedBy: "user:ada", at: NOW }).run();
    const { id } = await createSession(systemCtxOf(db, NOW), "u_dana");
    expect((await resolveSessionUser(systemCtxOf(db, NOW), id))?.roles).toEqual(["viewer"]);
  });

  it("returns null once the session has expired", async () => {
    const { id } = await createSession(systemCtxOf(db, NOW), "u_dana");
    expect(await resolveSessionUser(systemCtxOf(db, NOW + SESSION_LIFETIME_MS - 1), id)).not.toBeNull();
    expect(await resolveSessionUser(systemCtxOf(db, NOW + SESSION_LIFETIME_MS), id)).toBeNull();
  });

  it("returns null after sign-out revoked the session, and a second revoke keeps the first time", async () => {
    const { id } = await createSession(systemCtxOf(db, NOW), "u_dana");
    await revokeSession(systemCtxOf(db, NOW + 10), id);
    await revokeSession(systemCtxOf(db, NOW + 20), id);
    expect(await resolveSessionUser(systemCtxOf(db, NOW + 30), id)).toBeNull();
    expect(db.raw.select().from(sessions).where(eq(sessions.id, id)).get()?.revokedAt).toBe(NOW + 10);
  });

  it("returns null for an unknown session id and for a disabled user", async () => {
    expect(await resolveSessionUser(systemCtxOf(db, NOW), "no-such-session")).toBeNull();
    const { id } = await createSession(systemCtxOf(db, NOW), "u_dana");
    db.raw
      .update(users)
      .set({ disabledAt: NOW + 1 })
      .where(eq(users.id, "u_dana"))
      .run();
    expect(await resolveSessionUser(systemCtxOf(db, NOW + 2), id)).toBeNull();
  });

  it("gives every session its own unguessable id", async () => {
    const a = (await createSession(systemCtxOf(db, NOW), "u_dana")).id;
    const b = (await createSession(systemCtxOf(db, NOW), "u_dana")).id;
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});

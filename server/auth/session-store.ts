/**
 * Server-side session rows. The cookie (a next-auth JWT) carries only the row id, so a session can expire or be
 * revoked here, and roles are read fresh on every request: a role change applies at once.
 */
import { randomBytes } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { roleAssignments, sessions, users } from "@/db/schema";
import { demoModeOn, userMayAct } from "@/server/auth/active-user";
import { ROLES, type Role } from "@/server/auth/roles";

/** How long a sign-in lasts. The cookie may live longer: then the user is told the session expired. */
export const SESSION_LIFETIME_MS = 12 * 60 * 60 * 1000;

export type SessionUser = { id: string; email: string; name: string; roles: Role[] };

export function createSession(db: Db | Tx, userId: string, now: number): { id: string; expiresAt: number } {
  const id = randomBytes(24).toString("base64url");
  const expiresAt = now + SESSION_LIFETIME_MS;
  db.insert(sessions).values({ id, userId, createdAt: now, expiresAt }).run();
  return { id, expiresAt };
}

/** Sign-out. Revoking twice keeps the first time. */
export function revokeSession(db: Db | Tx, sid: string, now: number): void {
  db.update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.id, sid), isNull(sessions.revokedAt)))
    .run();
}

/** A user's roles in the canonical order; a user with no row is a viewer. */
export function userRoles(db: Db | Tx, userId: string): Role[] {
  const held = new Set(
    db
      .select({ role: roleAssignments.role })
      .from(roleAssignments)
      .where(eq(roleAssignments.userId, userId))
      .all()
      .map((r) => r.role),
  );
  const roles = ROLES.filter((r) => held.has(r));
  return roles.length > 0 ? roles : ["viewer"];
}

/**
 * The user behind a session id, or null when the session is unknown, expired or revoked, or the user may not act
 * (disabled, or a demo user while demo mode is off: see active-user.ts).
 */
export function resolveSessionUser(db: Db | Tx, sid: string, now: number, demoMode: boolean = demoModeOn()): SessionUser | null {
  const row = db
    .select({
      expiresAt: sessions.expiresAt,
      revokedAt: sessions.revokedAt,
      id: users.id,
      email: users.email,
      name: users.name,
      disabledAt: users.disabledAt,
      demo: users.demo,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, sid))
    .get();
  if (!row || row.revokedAt !== null || row.expiresAt <= now || !userMayAct(row, demoMode)) return null;
  return { id: row.id, email: row.email, name: row.name, roles: userRoles(db, row.id) };
}

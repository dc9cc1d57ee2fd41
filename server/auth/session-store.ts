/**
 * Server-side session rows. The cookie (a next-auth JWT) carries only the row id, so a session can expire or be
 * revoked here, and roles are read fresh on every request: a role change applies at once.
 */
import { randomBytes } from "node:crypto";
import type { Store } from "@/db/client";
import { userMayAct } from "@/server/auth/active-user";
import { ROLES, type Role } from "@/server/auth/roles";
import type { ServiceContext } from "@/server/services/context";

/** How long a sign-in lasts. The cookie may live longer: then the user is told the session expired. */
export const SESSION_LIFETIME_MS = 12 * 60 * 60 * 1000;

export type SessionUser = { id: string; email: string; name: string; roles: Role[] };

/** A new session row for a user, lasting SESSION_LIFETIME_MS from the context's time (recordSignIn runs it in its transaction). */
export async function createSession(ctx: ServiceContext, userId: string): Promise<{ id: string; expiresAt: number }> {
  const now = ctx.clock.now();
  const id = randomBytes(24).toString("base64url");
  const expiresAt = now + SESSION_LIFETIME_MS;
  await ctx.db.sessions.insert({ id, userId, createdAt: now, expiresAt });
  return { id, expiresAt };
}

/** Sign-out. Revoking twice keeps the first time. */
export async function revokeSession(ctx: ServiceContext, sid: string): Promise<void> {
  const now = ctx.clock.now();
  await ctx.db.sessions.revoke(sid, now);
}

/** A user's roles in the canonical order; a user with no row is a viewer. */
export async function userRoles(db: Store, userId: string): Promise<Role[]> {
  const held = new Set(await db.users.roles(userId));
  const roles = ROLES.filter((r) => held.has(r));
  return roles.length > 0 ? roles : ["viewer"];
}

/**
 * The user behind a session id, or null when the session is unknown, expired or revoked, or the user may not act
 * (disabled, or a demo user while the context's config has demo mode off: see active-user.ts).
 */
export async function resolveSessionUser(ctx: ServiceContext, sid: string): Promise<SessionUser | null> {
  const now = ctx.clock.now();
  const row = await ctx.db.sessions.withUser(sid);
  if (!row || row.revokedAt !== null || row.expiresAt <= now || !userMayAct(row, ctx.config.demo)) return null;
  return { id: row.id, email: row.email, name: row.name, roles: await userRoles(ctx.db, row.id) };
}

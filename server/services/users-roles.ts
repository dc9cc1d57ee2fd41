/**
 * Writing a user's roles and the audit event that goes with every change. Callers run these inside their own
 * transaction, so the roles and the event are written together or not at all.
 */
import { and, eq, ne } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { events, roleAssignments, roleChanges, users } from "@/db/schema";
import { activeUserCondition } from "@/server/auth/active-user";
import { ROLES, type Role } from "@/server/auth/roles";
import { eventValues } from "@/server/engine/machine/events";

/** Unique roles in the canonical order viewer, deployer, reviewer, sre, admin. */
export function canonicalRoles(roles: Iterable<Role>): Role[] {
  const set = new Set(roles);
  return ROLES.filter((r) => set.has(r));
}

/** The role rows a user holds (possibly none: then the user counts as a viewer). */
export function storedRoles(db: Db | Tx, userId: string): Role[] {
  return canonicalRoles(
    db
      .select({ role: roleAssignments.role })
      .from(roleAssignments)
      .where(eq(roleAssignments.userId, userId))
      .all()
      .map((r) => r.role),
  );
}

/**
 * Makes the user's roles exactly `roles` by appending to their history: a removal is a row of its own, nothing
 * is updated or deleted; roles kept keep their original grant.
 */
export function replaceRoles(tx: Db | Tx, userId: string, roles: readonly Role[], changedBy: string, now: number): void {
  const held = storedRoles(tx, userId);
  const wanted = canonicalRoles(roles);
  const changes = [
    ...held.filter((r) => !wanted.includes(r)).map((role) => ({ userId, role, change: "removed" as const, changedBy, at: now })),
    ...wanted.filter((r) => !held.includes(r)).map((role) => ({ userId, role, change: "granted" as const, changedBy, at: now })),
  ];
  if (changes.length > 0) tx.insert(roleChanges).values(changes).run();
}

/** Admins who may act (not disabled; demo users only in demo mode), other than `exceptUserId`. */
export function countOtherActiveAdmins(db: Db | Tx, exceptUserId: string, demoMode: boolean): number {
  return db
    .selectDistinct({ id: roleAssignments.userId })
    .from(roleAssignments)
    .innerJoin(users, eq(users.id, roleAssignments.userId))
    .where(and(eq(roleAssignments.role, "admin"), activeUserCondition(demoMode), ne(roleAssignments.userId, exceptUserId)))
    .all().length;
}

const listOrNone = (roles: readonly Role[]) => (roles.length > 0 ? roles.join(", ") : "no role");

/** The audit event of a role change: type `user.roles_changed`, actor `user:<id>` (or `system` at start-up). */
export function recordRolesChanged(
  tx: Db | Tx,
  change: { actor: string; user: { id: string; name: string; email: string }; before: readonly Role[]; after: readonly Role[] },
  now: number,
): void {
  tx.insert(events)
    .values(
      eventValues({
        at: now,
        type: "user.roles_changed",
        actor: change.actor,
        message: `Roles of ${change.user.name} (${change.user.email}) changed from ${listOrNone(change.before)} to ${listOrNone(change.after)}`,
        data: { userId: change.user.id, before: change.before, after: change.after },
      }),
    )
    .run();
}

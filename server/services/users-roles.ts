/**
 * Writing a user's roles and the audit event that goes with every change. Callers run these inside their own
 * transaction, so the roles and the event are written together or not at all.
 */
import type { Store } from "@/db/client";
import { ROLES, type Role } from "@/server/auth/roles";
import { eventValues } from "@/server/engine/machine/events";
import type { ServiceContext } from "./context";

/** Unique roles in the canonical order viewer, deployer, reviewer, sre, admin. */
export function canonicalRoles(roles: Iterable<Role>): Role[] {
  const set = new Set(roles);
  return ROLES.filter((r) => set.has(r));
}

/** The role rows a user holds (possibly none: then the user counts as a viewer). */
export async function storedRoles(db: Store, userId: string): Promise<Role[]> {
  return canonicalRoles(await db.users.roles(userId));
}

/**
 * Makes the user's roles exactly `roles` by appending to their history: a removal is a row of its own, nothing
 * is updated or deleted; roles kept keep their original grant. Callers run it inside their transaction, passing
 * `withinTransaction(ctx, tx, now)`; `changedBy` is the actor reference their audit event names too.
 */
export async function replaceRoles(ctx: ServiceContext, input: { userId: string; roles: readonly Role[]; changedBy: string }): Promise<void> {
  const now = ctx.clock.now();
  const { userId, changedBy } = input;
  const held = await storedRoles(ctx.db, userId);
  const wanted = canonicalRoles(input.roles);
  const changes = [
    ...held.filter((r) => !wanted.includes(r)).map((role) => ({ userId, role, change: "removed" as const, changedBy, at: now })),
    ...wanted.filter((r) => !held.includes(r)).map((role) => ({ userId, role, change: "granted" as const, changedBy, at: now })),
  ];
  await ctx.db.users.appendRoleChanges(changes);
}

/** Admins who may act (not disabled; demo users only in demo mode), other than `exceptUserId`. */
export async function countOtherActiveAdmins(db: Store, exceptUserId: string, demoMode: boolean): Promise<number> {
  return db.users.countOtherActiveAdmins(exceptUserId, demoMode);
}

const listOrNone = (roles: readonly Role[]) => (roles.length > 0 ? roles.join(", ") : "no role");

/** The audit event of a role change: type `user.roles_changed`, actor `user:<id>` (or `system` at start-up). */
export async function recordRolesChanged(
  tx: Store,
  change: { actor: string; user: { id: string; name: string; email: string }; before: readonly Role[]; after: readonly Role[] },
  now: number,
): Promise<void> {
  await tx.events.insertOne(
    eventValues({
      at: now,
      type: "user.roles_changed",
      actor: change.actor,
      message: `Roles of ${change.user.name} (${change.user.email}) changed from ${listOrNone(change.before)} to ${listOrNone(change.after)}`,
      data: { userId: change.user.id, before: change.before, after: change.after },
    }),
  );
}

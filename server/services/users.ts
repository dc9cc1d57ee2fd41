/**
 * Users and their roles: the admin page's list, role changes (one transaction with their audit event), and
 * local accounts for self-hosting. Demo users, the bootstrap admin and OAuth linking live in the files beside.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { actorRef } from "@/server/actor";
import { userMayAct } from "@/server/auth/active-user";
import { hashPassword, MIN_PASSWORD_LENGTH } from "@/server/auth/password";
import { ROLES, type Role } from "@/server/auth/roles";
import { parseInput, withinTransaction, type ServiceContext } from "./context";
import { conflict, notFound, preconditionFailed } from "./errors";
import { authoriseAdmin } from "./users-admin";
import { canonicalRoles, countOtherActiveAdmins, recordRolesChanged, replaceRoles, storedRoles } from "./users-roles";
import { eventValues } from "@/server/engine/machine/events";

export { seedDemoUsers, listDemoUsers, DEMO_USERS } from "./users-demo";
export { ensureBootstrapAdmin } from "./users-bootstrap";
export { linkOAuthAccount } from "./users-oauth";
export { setUserDisabled } from "./users-status";

export const RoleName = z.enum(ROLES, {
  error: (iss) => `unknown role ${JSON.stringify(iss.input)}: a role is one of ${ROLES.join(", ")}`,
});

export const SetUserRolesInput = z.strictObject({
  userId: z.string({ error: "expected a user id" }).min(1, { error: "expected a user id" }),
  roles: z.array(RoleName, { error: "expected a list of roles" }).min(1, { error: "choose at least one role (viewer only reads)" }),
});
export type SetUserRolesInput = z.infer<typeof SetUserRolesInput>;

export const CreateLocalUserInput = z.strictObject({
  email: z.email({ error: (iss) => `expected an email address, got ${JSON.stringify(iss.input)}` }).transform((e) => e.toLowerCase()),
  name: z.string({ error: "expected a name" }).trim().min(1, { error: "expected a name" }),
  password: z.string({ error: "expected a password" }).min(MIN_PASSWORD_LENGTH, { error: `a password needs at least ${MIN_PASSWORD_LENGTH} characters` }),
  roles: z.array(RoleName).min(1, { error: "choose at least one role (viewer only reads)" }).default(["viewer"]),
});
export type CreateLocalUserInput = z.input<typeof CreateLocalUserInput>;

export type UserSummary = {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  demo: boolean;
  disabled: boolean;
  /** Has a password, so can sign in with email and password. */
  local: boolean;
  /** Signs in with these providers (github, oidc), besides a password when `local`. */
  providers: string[];
  createdAt: number;
  /** Null until the first sign-in. */
  lastSignInAt: number | null;
};

/** The admin page's and `flightdeck users list`'s list; the actor needs users.manage. */
export async function listUsers(ctx: ServiceContext): Promise<UserSummary[]> {
  authoriseAdmin(ctx.actor);
  const { db } = ctx;
  const held = new Map<string, Role[]>();
  for (const row of await db.users.allRoles()) {
    held.set(row.userId, [...(held.get(row.userId) ?? []), row.role]);
  }
  const linked = new Map<string, string[]>();
  for (const row of await db.users.accountLinks()) {
    linked.set(row.userId, [...(linked.get(row.userId) ?? []), row.provider]);
  }
  return (await db.users.listByName()).map((u) => {
    const roles = canonicalRoles(held.get(u.id) ?? []);
    return {
      id: u.id,
      email: u.email,
      name: u.name,
      roles: roles.length > 0 ? roles : ["viewer"],
      demo: u.demo,
      disabled: u.disabledAt !== null,
      local: u.passwordHash !== null,
      providers: [...new Set(linked.get(u.id) ?? [])].sort(),
      createdAt: u.createdAt,
      lastSignInAt: u.lastSignInAt,
    };
  });
}

/**
 * Gives a user exactly these roles. The role rows and the `user.roles_changed` event are written in one
 * transaction; nothing is written when the roles do not change. The last active admin cannot lose the role
 * (demo users count as active only when the context's config says `demo: true`).
 */
export async function setUserRoles(
  ctx: ServiceContext,
  input: { userId: unknown; roles: unknown },
): Promise<{ userId: string; roles: Role[]; changed: boolean }> {
  const now = ctx.clock.now();
  authoriseAdmin(ctx.actor);
  const { userId, roles } = parseInput(SetUserRolesInput, { userId: input.userId, roles: input.roles });
  const after = canonicalRoles(roles);
  const demoMode = ctx.config.demo;
  return ctx.db.transaction(async (tx) => {
    // Two admins removing each other's admin role at once must not both see the other as the remaining admin.
    await tx.exclusive("admins");
    const user = await tx.users.byId(userId);
    if (!user) throw notFound(`userId: no user with id ${JSON.stringify(userId)}`);
    const before = await storedRoles(tx, userId);
    const effectiveBefore: Role[] = before.length > 0 ? before : ["viewer"];
    if (before.length === after.length && before.every((r, i) => r === after[i])) return { userId, roles: after, changed: false };
    const demotesActiveAdmin = effectiveBefore.includes("admin") && !after.includes("admin") && userMayAct(user, demoMode);
    if (demotesActiveAdmin && (await countOtherActiveAdmins(tx, userId, demoMode)) === 0) {
      throw preconditionFailed(`${user.name} is the last active admin: give another user the admin role before removing it here.`);
    }
    const actor = actorRef(ctx.actor);
    await replaceRoles(withinTransaction(ctx, tx, now), { userId, roles: after, changedBy: actor });
    await recordRolesChanged(tx, { actor, user: { id: user.id, name: user.name, email: user.email }, before: effectiveBefore, after }, now);
    return { userId, roles: after, changed: true };
  });
}

/** A user who signs in with email and password (self-hosting). The actor needs users.manage. */
export async function createLocalUser(
  ctx: ServiceContext,
  input: { email: unknown; name: unknown; password: unknown; roles?: unknown },
): Promise<{ userId: string }> {
  const now = ctx.clock.now();
  authoriseAdmin(ctx.actor);
  const { email, name, password, roles } = parseInput(CreateLocalUserInput, {
    email: input.email,
    name: input.name,
    password: input.password,
    roles: input.roles,
  });
  const passwordHash = await hashPassword(password);
  const actor = actorRef(ctx.actor);
  return ctx.db.transaction(async (tx) => {
    if (await tx.users.byEmail(email)) {
      throw conflict(`email: a user with the email ${email} already exists`);
    }
    const user = { id: randomUUID(), email, name };
    await tx.users.insert({ ...user, passwordHash, createdAt: now });
    await tx.events.insertOne(
      eventValues({ at: now, type: "user.created", actor, message: `Local user ${name} (${email}) created`, data: { userId: user.id } }),
    );
    await replaceRoles(withinTransaction(ctx, tx, now), { userId: user.id, roles: canonicalRoles(roles), changedBy: actor });
    await recordRolesChanged(tx, { actor, user, before: [], after: canonicalRoles(roles) }, now);
    return { userId: user.id };
  });
}

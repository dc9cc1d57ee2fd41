/**
 * Users, their OAuth accounts and role changes. Roles are an append-only history (`role_changes`); the
 * `role_assignments` view reads which roles a user holds now.
 */
import { and, eq, inArray, isNull, ne, or, sql, type SQL } from "drizzle-orm";
import type { roleChanges, users, Role } from "../../schema";
import type { Query, Tables } from "../query";

export type UserRow = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
export type RoleChange = typeof roleChanges.$inferInsert;

/**
 * The one rule of who may act (server/auth/active-user.ts `userMayAct`) as a WHERE condition on `users`: not
 * disabled, and not a demo user unless demo mode is on. Keep the two in step.
 */
export function activeUserCondition(users: Tables["users"], demoMode: boolean): SQL {
  return demoMode ? and(isNull(users.disabledAt))! : and(isNull(users.disabledAt), eq(users.demo, false))!;
}

export function userRepository(q: Query, t: Tables) {
  const { accounts, roleAssignments, roleChanges, users } = t;
  return {
    // --- users, accounts, roles (users area) ---
    async byId(id: string): Promise<UserRow | undefined> {
      const [row] = await q.select().from(users).where(eq(users.id, id)).limit(1);
      return row;
    },

    async byEmail(email: string): Promise<UserRow | undefined> {
      const [row] = await q.select().from(users).where(eq(users.email, email)).limit(1);
      return row;
    },

    /** The user whose id is `idOrEmail`, or whose email is it lower-cased (`flightdeck users disable <email|id>`). */
    async byIdOrEmail(idOrEmail: string): Promise<UserRow | undefined> {
      const [row] = await q
        .select()
        .from(users)
        .where(or(eq(users.id, idOrEmail), eq(users.email, idOrEmail.toLowerCase())))
        .limit(1);
      return row;
    },

    /** Every user, by name then email (the admin page's order). */
    async listByName(): Promise<UserRow[]> {
      return q.select().from(users).orderBy(users.name, users.email);
    },

    async listDemo(): Promise<UserRow[]> {
      return q.select().from(users).where(eq(users.demo, true));
    },

    /** Which of these ids are users already. */
    async existingIds(ids: readonly string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const rows = await q
        .select({ id: users.id })
        .from(users)
        .where(inArray(users.id, [...ids]));
      return new Set(rows.map((r) => r.id));
    },

    async insert(row: NewUser): Promise<void> {
      await q.insert(users).values(row);
    },

    /** Inserts the user unless its id or email is taken; false when nothing was inserted. */
    async insertIfAbsent(row: NewUser): Promise<boolean> {
      const inserted = await q.insert(users).values(row).onConflictDoNothing().returning({ id: users.id });
      return inserted.length > 0;
    },

    async update(id: string, patch: Partial<Pick<UserRow, "passwordHash" | "disabledAt" | "lastSignInAt" | "name">>): Promise<void> {
      await q.update(users).set(patch).where(eq(users.id, id));
    },

    /** The roles a user holds now (unordered; possibly none). */
    async roles(userId: string): Promise<Role[]> {
      const rows = await q.select({ role: roleAssignments.role }).from(roleAssignments).where(eq(roleAssignments.userId, userId));
      return rows.map((r) => r.role);
    },

    /** Every role every user holds now. */
    async allRoles(): Promise<Array<{ userId: string; role: Role }>> {
      return q.select({ userId: roleAssignments.userId, role: roleAssignments.role }).from(roleAssignments);
    },

    /** Appends grants and removals to the role history (never updates or deletes a row). */
    async appendRoleChanges(changes: RoleChange[]): Promise<void> {
      if (changes.length > 0) await q.insert(roleChanges).values(changes);
    },

    /** Admins who may act (not disabled; demo users only in demo mode), other than `exceptUserId`. */
    async countOtherActiveAdmins(exceptUserId: string, demoMode: boolean): Promise<number> {
      const rows = await q
        .selectDistinct({ id: roleAssignments.userId })
        .from(roleAssignments)
        .innerJoin(users, eq(users.id, roleAssignments.userId))
        .where(and(eq(roleAssignments.role, "admin"), activeUserCondition(users, demoMode), ne(roleAssignments.userId, exceptUserId)));
      return rows.length;
    },

    /** Every (user, provider) link to an identity provider. */
    async accountLinks(): Promise<Array<{ userId: string; provider: string }>> {
      return q.select({ userId: accounts.userId, provider: accounts.provider }).from(accounts);
    },

    /** The user linked to this provider account, if any. */
    async byAccount(provider: string, providerAccountId: string): Promise<{ userId: string; disabledAt: number | null } | undefined> {
      const [row] = await q
        .select({ userId: users.id, disabledAt: users.disabledAt })
        .from(accounts)
        .innerJoin(users, eq(users.id, accounts.userId))
        .where(and(eq(accounts.provider, provider), eq(accounts.providerAccountId, providerAccountId)))
        .limit(1);
      return row;
    },

    async insertAccount(row: typeof accounts.$inferInsert): Promise<void> {
      await q.insert(accounts).values(row);
    },

    // --- the person a CI webhook names (services: approvals-initiator) ---
    /**
     * Up to `limit` ids of users a CI `actor` (trimmed, lower-cased) names: by email when it holds "@", else by
     * display name or the part of the email before "@" (a LIKE prefix, its wildcards escaped), case-insensitive.
     */
    async matchingCiActor(wanted: string, limit: number): Promise<string[]> {
      const email = sql`lower(${users.email})`;
      const condition = wanted.includes("@")
        ? sql`${email} = ${wanted}`
        : sql`lower(trim(${users.name})) = ${wanted} or ${email} like ${`${wanted.replace(/[\\%_]/g, (c) => `\\${c}`)}@%`} escape '\\'`;
      const rows = await q.select({ id: users.id }).from(users).where(condition).limit(limit);
      return rows.map((r) => r.id);
    },
  };
}

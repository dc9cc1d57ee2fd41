import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, sqliteView, text } from "drizzle-orm/sqlite-core";
import { users } from "./users";

export const ROLES = ["viewer", "deployer", "reviewer", "sre", "admin"] as const;
export type Role = (typeof ROLES)[number];

/**
 * Every grant and removal of a role, in order: the history of who held which role when. Rows are only ever
 * appended (triggers in the migration refuse UPDATE, DELETE and a reused id).
 */
export const roleChanges = sqliteTable(
  "role_changes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    role: text("role").$type<Role>().notNull(),
    change: text("change").$type<"granted" | "removed">().notNull(),
    /** Who made the change: `user:<id>`, `system`, `oauth`, ... */
    changedBy: text("changed_by").notNull(),
    at: integer("at").notNull(),
  },
  (t) => [index("role_changes_user_role").on(t.userId, t.role, t.id)],
);

/**
 * Which roles a user holds now, derived from the history: for each user and role, its latest change when that
 * is a grant (by whom, when). A user with no row is a viewer. A view: writers append to `roleChanges`
 * (`replaceRoles` in server/services/users-roles.ts); its INSTEAD OF triggers turn a raw INSERT into a grant and
 * a raw DELETE into a removal, so even a script that edits it by hand leaves the history whole.
 */
export const roleAssignments = sqliteView("role_assignments", {
  userId: text("user_id").notNull(),
  role: text("role").$type<Role>().notNull(),
  grantedBy: text("granted_by").notNull(),
  grantedAt: integer("granted_at").notNull(),
}).as(
  sql`select c.user_id, c.role, c.changed_by as granted_by, c.at as granted_at from role_changes c where c.change = 'granted' and c.id = (select max(l.id) from role_changes l where l.user_id = c.user_id and l.role = c.role)`,
);

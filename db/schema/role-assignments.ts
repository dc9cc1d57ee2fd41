import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { users } from "./users";

export const ROLES = ["viewer", "deployer", "reviewer", "sre", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** Which roles a user holds. A user with no row is a viewer. */
export const roleAssignments = sqliteTable(
  "role_assignments",
  {
    userId: text("user_id").notNull().references(() => users.id),
    role: text("role").$type<Role>().notNull(),
    grantedBy: text("granted_by").notNull(),
    grantedAt: integer("granted_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.role] })],
);

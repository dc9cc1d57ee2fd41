import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  /** scrypt hash for local accounts (`scrypt$<salt>$<hash>`); null for OAuth-only users. */
  passwordHash: text("password_hash"),
  /** Demo users exist only for demo mode and can sign in only while it is on. */
  demo: integer("demo", { mode: "boolean" }).notNull().default(false),
  createdAt: integer("created_at").notNull(),
  disabledAt: integer("disabled_at"),
  /** When the user last signed in (any provider); null until the first sign-in. Shown to admins. */
  lastSignInAt: integer("last_sign_in_at"),
});

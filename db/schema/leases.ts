import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * One runner owns a rollout at a time: taken and renewed with conditional updates on this row. `token` is the fencing
 * token: every take-over increments it, renewal keeps it, and a pass's writes check (owner, token) first.
 */
export const leases = sqliteTable("leases", {
  name: text("name").primaryKey(),
  owner: text("owner").notNull(),
  expiresAt: integer("expires_at").notNull(),
  token: integer("token").notNull().default(0),
});

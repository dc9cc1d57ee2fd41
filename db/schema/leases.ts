import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** One runner owns a rollout at a time: taken and renewed with conditional updates on this row. */
export const leases = sqliteTable("leases", {
  name: text("name").primaryKey(),
  owner: text("owner").notNull(),
  expiresAt: integer("expires_at").notNull(),
});

import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { createdAt } from "./_columns";

/** A region, mirrored from the fleet config at start (the config is the source of truth). */
export const regions = sqliteTable("regions", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  environment: text("environment").notNull(),
  order: integer("sort_order").notNull(),
  createdAt: createdAt(),
});

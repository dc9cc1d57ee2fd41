import { sqliteTable, text } from "drizzle-orm/sqlite-core";
import { createdAt } from "./_columns";

/** A deployable application, mirrored from the fleet config at start. */
export const services = sqliteTable("services", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  repository: text("repository"),
  createdAt: createdAt(),
});

import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Engine runners and their heartbeat, reported by /api/health. */
export const runners = sqliteTable("runners", {
  id: text("id").primaryKey(),
  pid: integer("pid").notNull(),
  host: text("host").notNull(),
  startedAt: integer("started_at").notNull(),
  heartbeatAt: integer("heartbeat_at").notNull(),
});

import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Idempotent effects: every side effect of the engine runs under a stable key such as
 * `rr_123/a1/stage-2/weight-50`. A re-run after a crash finds the stored result instead of acting twice.
 */
export const steps = sqliteTable("steps", {
  key: text("key").primaryKey(),
  regionRolloutId: text("region_rollout_id").notNull(),
  status: text("status").$type<"started" | "done" | "failed">().notNull(),
  result: text("result", { mode: "json" }),
  error: text("error"),
  startedAt: integer("started_at").notNull(),
  finishedAt: integer("finished_at"),
});

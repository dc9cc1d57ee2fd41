import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** One try of a step: when it started and ended, and how ("started", "interrupted", "done", "found done after restart", "failed: …"). */
export type StepAttempt = { startedAt: number; endedAt: number | null; outcome: string };

/**
 * Idempotent effects: every side effect of the engine runs under a stable key such as
 * `rr_123/a1/stage-2/weight-50`. A re-run after a crash finds the stored result instead of acting twice.
 * `effect` is what the step does (the machine's effect); `attempts` every try of it, the current one last
 * (null on rows written before attempts were kept).
 */
export const steps = sqliteTable(
  "steps",
  {
    key: text("key").primaryKey(),
    regionRolloutId: text("region_rollout_id").notNull(),
    status: text("status").$type<"started" | "done" | "failed">().notNull(),
    result: text("result", { mode: "json" }),
    error: text("error"),
    startedAt: integer("started_at").notNull(),
    finishedAt: integer("finished_at"),
    effect: text("effect", { mode: "json" }),
    attempts: text("attempts", { mode: "json" }).$type<StepAttempt[]>(),
  },
  (t) => [index("steps_region_rollout").on(t.regionRolloutId)],
);

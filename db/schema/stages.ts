import { integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { timestamp } from "./_columns";
import { regionRollouts } from "./region-rollouts";

export type StageStatus = "pending" | "running" | "passed" | "failed" | "skipped";

/** The canary stages of a region rollout, copied from the config when the rollout is planned. */
export const stages = sqliteTable(
  "stages",
  {
    id: text("id").primaryKey(),
    regionRolloutId: text("region_rollout_id")
      .notNull()
      .references(() => regionRollouts.id),
    index: integer("stage_index").notNull(),
    percent: integer("percent").notNull(),
    maxErrorRatePct: real("max_error_rate_pct").notNull(),
    maxLatencyP95Ms: real("max_latency_p95_ms").notNull(),
    durationMs: integer("duration_ms").notNull(),
    maxCpuPct: real("max_cpu_pct"),
    maxMemoryPct: real("max_memory_pct"),
    healthStatus: integer("health_status"),
    status: text("status").$type<StageStatus>().notNull().default("pending"),
    startedAt: timestamp("started_at"),
    finishedAt: timestamp("finished_at"),
  },
  (t) => [uniqueIndex("stages_region_rollout_index").on(t.regionRolloutId, t.index)],
);

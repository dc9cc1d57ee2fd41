import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Faults injected into the demo fleet's simulated metrics from the dashboard, for rollback drills: the new colour
 * of every release in the region shows these values at that canary stage until someone clears them. Clearing
 * deletes the rows; who injected and cleared what is in the event log.
 */
export const demoFaults = sqliteTable(
  "demo_faults",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    regionId: text("region_id").notNull(),
    stagePercent: integer("stage_percent").notNull(),
    errorRatePct: real("error_rate_pct"),
    latencyP95Ms: real("latency_p95_ms"),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("demo_faults_region").on(t.regionId)],
);

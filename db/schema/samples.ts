import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { regionRollouts } from "./region-rollouts";

export type Verdict = "pass" | "breach" | "inconclusive";

/** One observation of the new colour (role canary) or the old one (role baseline), with its verdict. */
export const samples = sqliteTable(
  "samples",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    regionRolloutId: text("region_rollout_id").notNull().references(() => regionRollouts.id),
    stageIndex: integer("stage_index").notNull(),
    role: text("role").$type<"canary" | "baseline">().notNull(),
    takenAt: integer("taken_at").notNull(),
    requests: integer("requests"),
    errorRatePct: real("error_rate_pct"),
    latencyP95Ms: real("latency_p95_ms"),
    cpuPct: real("cpu_pct"),
    memoryPct: real("memory_pct"),
    healthStatus: integer("health_status"),
    /** Canary samples only; baseline samples are kept to compare against. */
    verdict: text("verdict").$type<Verdict>(),
    reasons: text("reasons", { mode: "json" }),
  },
  (t) => [index("samples_region_rollout").on(t.regionRolloutId, t.takenAt)],
);

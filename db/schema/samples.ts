import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { regionRollouts } from "./region-rollouts";

export type Verdict = "pass" | "breach" | "inconclusive";

/** One observation of the new colour (role canary) or the old one (role baseline), with its verdict. */
export const samples = sqliteTable(
  "samples",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    regionRolloutId: text("region_rollout_id")
      .notNull()
      .references(() => regionRollouts.id),
    stageIndex: integer("stage_index").notNull(),
    role: text("role").$type<"canary" | "baseline">().notNull(),
    takenAt: integer("taken_at").notNull(),
    requests: integer("requests"),
    /** Failed requests in the window: counted by the provider, or round(requests × error rate). */
    errors: integer("errors"),
    errorRatePct: real("error_rate_pct"),
    latencyP95Ms: real("latency_p95_ms"),
    cpuPct: real("cpu_pct"),
    memoryPct: real("memory_pct"),
    healthStatus: integer("health_status"),
    /** Canary samples only; baseline samples are kept to compare against. */
    verdict: text("verdict").$type<Verdict>(),
    reasons: text("reasons", { mode: "json" }),
    /**
     * Canary samples: the figures behind the verdict, so it can be re-derived (engine/machine/types.ts Judgement):
     * confidence, error-rate bounds of the window and the stage so far, the baseline tests' p-values and effect
     * sizes, the gap kinds of an inconclusive sample, and whether it was an environment problem.
     */
    judgement: text("judgement", { mode: "json" }),
  },
  (t) => [index("samples_region_rollout").on(t.regionRolloutId, t.takenAt)],
);

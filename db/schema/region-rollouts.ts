import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { timestamp } from "./_columns";
import { artifacts } from "./artifacts";
import { regions } from "./regions";
import type { Colour } from "./region-states";
import { rollouts } from "./rollouts";

export type RegionPhase =
  | "pending" // waiting for its turn (upstream region, observation delay)
  | "awaiting_approval"
  | "deploying"
  | "canary"
  | "succeeded"
  | "rolled_back"
  | "blocked" // an upstream region failed: never started
  | "aborted"; // rejected at its gate, or aborted before it deployed

/** One region's part of a rollout: a reconciled state machine whose deadlines are stored, never in memory. */
export const regionRollouts = sqliteTable(
  "region_rollouts",
  {
    id: text("id").primaryKey(),
    rolloutId: text("rollout_id")
      .notNull()
      .references(() => rollouts.id),
    regionId: text("region_id")
      .notNull()
      .references(() => regions.id),
    /** Place in the plan (0 = first). */
    position: integer("position").notNull(),
    phase: text("phase").$type<RegionPhase>().notNull().default("pending"),
    paused: integer("paused", { mode: "boolean" }).notNull().default(false),
    pauseReason: text("pause_reason"),
    stageIndex: integer("stage_index").notNull().default(-1),
    stageStartedAt: timestamp("stage_started_at"),
    /** When the current wait ends (stage end, observation delay); on pause the remainder is kept in pausedRemainingMs. */
    deadlineAt: timestamp("deadline_at"),
    pausedRemainingMs: integer("paused_remaining_ms"),
    /** Next time the runner must look at this region rollout. */
    nextTickAt: integer("next_tick_at").notNull().default(0),
    fromColour: text("from_colour").$type<Colour>().notNull(),
    toColour: text("to_colour").$type<Colour>().notNull(),
    previousArtifactId: text("previous_artifact_id").references(() => artifacts.id),
    /** Percent of traffic on the new colour, as last verified by the traffic provider. */
    canaryPct: integer("canary_pct").notNull().default(0),
    breaches: integer("breaches").notNull().default(0),
    inconclusive: integer("inconclusive").notNull().default(0),
    lastSampleAt: timestamp("last_sample_at"),
    lastVerdict: text("last_verdict").$type<"pass" | "breach" | "inconclusive">(),
    /** A manual action waiting for the runner to carry it out: abort, rollback (emergency), retry. */
    requestedAction: text("requested_action").$type<"abort" | "rollback">(),
    requestedBy: text("requested_by"),
    /** JSON cause of a rollback: [{ metric, observed, threshold, unit, baseline, baselineAlsoBreaches }]. */
    cause: text("cause", { mode: "json" }),
    outcomeReason: text("outcome_reason"),
    attempt: integer("attempt").notNull().default(1),
    /** Failed tries so far of the move of all traffic back to the old colour (0 = none failed); retried until verified. */
    rollbackAttempts: integer("rollback_attempts").notNull().default(0),
    /** When the next try of that move is due (capped exponential backoff with jitter). */
    rollbackNextAt: timestamp("rollback_next_at"),
    rollbackLastError: text("rollback_last_error"),
    rollbackFirstFailedAt: timestamp("rollback_first_failed_at"),
    /** When the last alert about the failing move went out (one on the first failure, then one every 5 minutes). */
    rollbackLastAlertAt: timestamp("rollback_last_alert_at"),
    /** A region that succeeded under the delayed strategy is still sampled until then (its observation period). */
    observeUntil: timestamp("observe_until"),
    /** How far the current stage ran past its duration for want of judged samples (ms); reset by a new stage and a resume. */
    extendedMs: integer("extended_ms").notNull().default(0),
    /** When a person promoted the current stage (it then completes on its last passing sample, however much was judged). */
    promotedAt: timestamp("promoted_at"),
    /** Since when the region holds for a freeze before its next step (null: not holding); the hold's end is an event. */
    freezeHeldAt: timestamp("freeze_held_at"),
    startedAt: timestamp("started_at"),
    finishedAt: timestamp("finished_at"),
    updatedAt: integer("updated_at").notNull(),
    /** Optimistic concurrency: every write is `WHERE version = expected`. */
    version: integer("version").notNull().default(0),
  },
  (t) => [
    uniqueIndex("region_rollouts_rollout_region").on(t.rolloutId, t.regionId),
    index("region_rollouts_due").on(t.phase, t.nextTickAt),
    // The runner's two scans (due now; the next due) read this index alone, in due order, many times a second.
    index("region_rollouts_schedule").on(t.nextTickAt, t.phase, t.requestedAction, t.rollbackNextAt, t.observeUntil, t.rolloutId, t.position, t.id),
  ],
);

import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { createdAt, timestamp } from "./_columns";
import { artifacts } from "./artifacts";
import { services } from "./services";

export type Strategy = "sequential" | "delayed" | "parallel";
/** A rollout's status, defined once: the REST API, the history filter and the dashboard read this list. */
export const ROLLOUT_STATUSES = ["running", "succeeded", "failed", "aborted"] as const;
export type RolloutStatus = (typeof ROLLOUT_STATUSES)[number];

/** One release of an artifact across regions. Per-region progress lives in region_rollouts. */
export const rollouts = sqliteTable(
  "rollouts",
  {
    id: text("id").primaryKey(),
    serviceId: text("service_id")
      .notNull()
      .references(() => services.id),
    artifactId: text("artifact_id")
      .notNull()
      .references(() => artifacts.id),
    strategy: text("strategy").$type<Strategy>().notNull(),
    /** Observation period between regions (delayed only), 30 to 240. */
    delayMinutes: integer("delay_minutes"),
    status: text("status").$type<RolloutStatus>().notNull().default("running"),
    /** Actor string: `user:<id>`, `token:<id>`, `webhook:<delivery>` or `system`. */
    initiator: text("initiator").notNull(),
    /** The person behind the start: the user, the creator of the token, or the user the webhook's `actor` names. */
    initiatorUserId: text("initiator_user_id"),
    /** The webhook body's `actor` as CI sent it (e.g. github.actor), kept even when no user matches it. */
    ciActor: text("ci_actor"),
    correlationId: text("correlation_id").notNull(),
    /** Set when an SRE started this rollout during a freeze (break-glass): why; it does not hold for that freeze. */
    breakGlassReason: text("break_glass_reason"),
    /** Set when an admin started a strategy the migration path does not open yet (docs/policies.md#migration-path): why. */
    strategyOverrideReason: text("strategy_override_reason"),
    /** Set when an admin started a contract migration the live release does not declare readyFor (docs/policies.md#schema-compatibility): why. */
    schemaOverrideReason: text("schema_override_reason"),
    createdAt: createdAt(),
    finishedAt: timestamp("finished_at"),
  },
  (t) => [index("rollouts_status").on(t.status), index("rollouts_service").on(t.serviceId)],
);

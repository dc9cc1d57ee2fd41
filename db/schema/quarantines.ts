import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Releases quarantined for their service: a region rolled back for a breach (the engine's rollback, not a
 * person's) puts the artifact's digest here, written in the same transaction as that rollback's save, and no
 * rollout of that digest of that service starts anywhere until an sre or admin lifts it with a reason. A row
 * without `liftedAt` is in force; kept after the lift, for the audit and the artifact list.
 */
export const quarantines = sqliteTable(
  "quarantines",
  {
    id: text("id").primaryKey(),
    serviceId: text("service_id").notNull(),
    digest: text("digest").notNull(),
    /** The artifact rolled back (its version is what people read; the digest is what is refused). */
    artifactId: text("artifact_id").notNull(),
    version: text("version").notNull(),
    /** The breach in words, as the rollback's event says it. */
    cause: text("cause").notNull(),
    /** Where and by which rollout it was rolled back. */
    regionId: text("region_id").notNull(),
    rolloutId: text("rollout_id").notNull(),
    regionRolloutId: text("region_rollout_id").notNull(),
    at: integer("at").notNull(),
    /** Actor string of who lifted it (`user:<id>`, `token:<id>`), why, and when. */
    liftedBy: text("lifted_by"),
    liftReason: text("lift_reason"),
    liftedAt: integer("lifted_at"),
  },
  (t) => [index("quarantines_service_digest").on(t.serviceId, t.digest, t.liftedAt)],
);

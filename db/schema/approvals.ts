import { integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { regionRollouts } from "./region-rollouts";
import { users } from "./users";

/** A reviewer's decision on a region's gate. One decision per reviewer and gate. */
export const approvals = sqliteTable(
  "approvals",
  {
    id: text("id").primaryKey(),
    regionRolloutId: text("region_rollout_id")
      .notNull()
      .references(() => regionRollouts.id),
    environment: text("environment").notNull(),
    reviewerId: text("reviewer_id")
      .notNull()
      .references(() => users.id),
    /** The capacity the reviewer approved in. */
    kind: text("kind").$type<"functional" | "sre">().notNull(),
    decision: text("decision").$type<"approved" | "rejected">().notNull(),
    comment: text("comment"),
    at: integer("at").notNull(),
  },
  (t) => [uniqueIndex("approvals_gate_reviewer").on(t.regionRolloutId, t.reviewerId)],
);

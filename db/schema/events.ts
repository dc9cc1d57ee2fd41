import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The append-only log of everything that happened. Triggers in the migration refuse UPDATE and DELETE.
 * The id increases monotonically: live views resume from the last id they saw.
 */
export const events = sqliteTable(
  "events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at").notNull(),
    type: text("type").notNull(),
    /** `user:<id>`, `token:<id>`, `webhook:<delivery>`, `engine` or `system`. */
    actor: text("actor").notNull(),
    message: text("message").notNull(),
    serviceId: text("service_id"),
    rolloutId: text("rollout_id"),
    regionId: text("region_id"),
    correlationId: text("correlation_id"),
    data: text("data", { mode: "json" }),
  },
  (t) => [index("events_rollout").on(t.rolloutId, t.id), index("events_type").on(t.type), index("events_region").on(t.regionId, t.serviceId, t.id)],
);

import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** CI webhook deliveries by id: a replay answers with the stored outcome and starts nothing. */
export const webhookDeliveries = sqliteTable("webhook_deliveries", {
  deliveryId: text("delivery_id").primaryKey(),
  receivedAt: integer("received_at").notNull(),
  bodySha256: text("body_sha256").notNull(),
  rolloutId: text("rollout_id"),
  status: integer("status").notNull(),
  response: text("response", { mode: "json" }).notNull(),
});

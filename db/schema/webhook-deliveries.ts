import { integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** CI webhook deliveries by id: a replay answers with the stored outcome and starts nothing. */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    deliveryId: text("delivery_id").primaryKey(),
    receivedAt: integer("received_at").notNull(),
    bodySha256: text("body_sha256").notNull(),
    /** sha256 of the accepted X-Flightdeck-Signature: the same signature under another delivery id is a replay. */
    signatureSha256: text("signature_sha256"),
    rolloutId: text("rollout_id"),
    status: integer("status").notNull(),
    response: text("response", { mode: "json" }).notNull(),
  },
  (t) => [uniqueIndex("webhook_deliveries_signature").on(t.signatureSha256)],
);

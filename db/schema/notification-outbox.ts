import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { events } from "./events";

/** Cards to send, written in the same transaction as the event that causes them. One per event and channel. */
export const notificationOutbox = sqliteTable(
  "notification_outbox",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    eventId: integer("event_id")
      .notNull()
      .references(() => events.id),
    channelId: text("channel_id").notNull(),
    kind: text("kind").notNull(),
    payload: text("payload", { mode: "json" }).notNull(),
    /** Repeats of the same alert share a key and are grouped. */
    groupKey: text("group_key"),
    status: text("status").$type<"pending" | "sending" | "sent" | "failed" | "grouped">().notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at").notNull(),
    lastError: text("last_error"),
    /**
     * When a POST of this card started whose arrival is not ruled out (set before the request leaves; put back
     * when the receiver's answer proves it did not arrive). Set: the next POST is marked as a possible repeat.
     */
    postStartedAt: integer("post_started_at"),
    sentAt: integer("sent_at"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("outbox_event_channel").on(t.eventId, t.channelId), index("outbox_due").on(t.status, t.nextAttemptAt)],
);

import { integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./users";

/**
 * A Slack member id linked to a Flightdeck user, set by that user on their settings page: who pressed a button
 * on a Slack card (POST /api/integrations/slack/actions) acts as this user, with this user's roles. One Slack
 * member per user and one user per Slack member.
 */
export const slackLinks = sqliteTable(
  "slack_links",
  {
    slackUserId: text("slack_user_id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    linkedAt: integer("linked_at").notNull(),
  },
  (t) => [uniqueIndex("slack_links_user").on(t.userId)],
);

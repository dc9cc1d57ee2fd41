/**
 * Slack member id ↔ Flightdeck user. Linking replaces the user's previous link in one write pair; a member id
 * already linked to someone else is refused by the primary key, and the caller says so.
 */
import { eq } from "drizzle-orm";
import type { slackLinks } from "../../schema";
import type { Query, Tables } from "../query";

export type SlackLinkRow = typeof slackLinks.$inferSelect;

export function slackLinkRepository(q: Query, t: Tables) {
  const { slackLinks } = t;
  return {
    async bySlackUser(slackUserId: string): Promise<SlackLinkRow | null> {
      const [row] = await q.select().from(slackLinks).where(eq(slackLinks.slackUserId, slackUserId)).limit(1);
      return row ?? null;
    },

    async ofUser(userId: string): Promise<SlackLinkRow | null> {
      const [row] = await q.select().from(slackLinks).where(eq(slackLinks.userId, userId)).limit(1);
      return row ?? null;
    },

    /** Drop the user's link (if any) and write the new one; call inside a transaction. */
    async replaceForUser(row: SlackLinkRow): Promise<void> {
      await q.delete(slackLinks).where(eq(slackLinks.userId, row.userId));
      await q.insert(slackLinks).values(row);
    },

    async removeForUser(userId: string): Promise<number> {
      return (await q.delete(slackLinks).where(eq(slackLinks.userId, userId)).returning({ id: slackLinks.slackUserId })).length;
    },
  };
}

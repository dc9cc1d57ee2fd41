/**
 * A person links their own Slack member id on the settings page, once: the buttons on Slack cards then act as
 * them (server/services/slack-actions.ts). Only the signed-in user links themselves; a member id already linked to
 * someone else is refused (that person unlinks first), so one press is never two people's. A link is audited
 * (`user.slack_linked`): from then on a press in Slack is this person's decision; so is its removal
 * (`user.slack_unlinked`): from then on it is nobody's.
 */
import { z } from "zod";
import { actorRef } from "@/server/actor";
import { eventValues } from "@/server/engine/machine/events";
import { parseInput, type ServiceContext } from "./context";
import { conflict, forbidden } from "./errors";

export const LinkSlackMemberInput = z.strictObject({
  // Slack member ids: U… (W… on Enterprise Grid), upper-case letters and digits (Profile → ⋮ → Copy member ID).
  slackUserId: z
    .string()
    .trim()
    .regex(/^[UW][A-Z0-9]{2,30}$/, { error: "expected a Slack member id such as U04ABC123 (Slack: your profile → ⋮ → Copy member ID)" }),
});
export type LinkSlackMemberInput = z.input<typeof LinkSlackMemberInput>;

export type SlackLinkView = { slackUserId: string | null };

function signedInUser(ctx: ServiceContext): string {
  if (ctx.actor.kind !== "user") throw forbidden("Only a signed-in person links their own Slack account.");
  return ctx.actor.id;
}

export async function slackLinkOf(ctx: ServiceContext): Promise<SlackLinkView> {
  const link = await ctx.db.slackLinks.ofUser(signedInUser(ctx));
  return { slackUserId: link?.slackUserId ?? null };
}

export async function linkSlackMember(ctx: ServiceContext, raw: LinkSlackMemberInput): Promise<SlackLinkView> {
  const userId = signedInUser(ctx);
  const { slackUserId } = parseInput(LinkSlackMemberInput, raw);
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const taken = await tx.slackLinks.bySlackUser(slackUserId);
    if (taken && taken.userId !== userId) {
      throw conflict(`Slack member ${slackUserId} is linked to another Flightdeck user: they unlink it first (Settings → Slack).`);
    }
    const previous = (await tx.slackLinks.ofUser(userId))?.slackUserId ?? null;
    await tx.slackLinks.replaceForUser({ slackUserId, userId, linkedAt: now });
    if (previous !== slackUserId) {
      const by = actorRef(ctx.actor);
      const instead = previous ? ` (instead of ${previous})` : "";
      await tx.events.insertOne(
        eventValues({
          at: now,
          type: "user.slack_linked",
          actor: by,
          message: `Slack member ${slackUserId} linked to Flightdeck user ${by}${instead}: the buttons on Slack cards act as them.`,
          data: { userId, slackUserId, previousSlackUserId: previous },
        }),
      );
    }
    return { slackUserId };
  });
}

/** Removes the signed-in user's link, audited with the member id it had; nothing linked writes nothing. */
export async function unlinkSlackMember(ctx: ServiceContext): Promise<SlackLinkView> {
  const userId = signedInUser(ctx);
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const link = await tx.slackLinks.ofUser(userId);
    // The delete's count settles two unlinks at once: only the one that removed the row records it.
    if (link && (await tx.slackLinks.removeForUser(userId)) > 0) {
      const by = actorRef(ctx.actor);
      await tx.events.insertOne(
        eventValues({
          at: now,
          type: "user.slack_unlinked",
          actor: by,
          message: `Slack member ${link.slackUserId} unlinked from Flightdeck user ${by}: the buttons on Slack cards no longer act as them.`,
          data: { userId, slackUserId: link.slackUserId },
        }),
      );
    }
    return { slackUserId: null };
  });
}

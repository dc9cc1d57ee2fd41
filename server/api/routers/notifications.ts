/** The notifications a rollout caused: its cards with their delivery state, and failed observability pushes. */
import { createTRPCRouter, permittedProcedure } from "@/server/api/trpc";
import { getConfig } from "@/server/config";
import { getRolloutNotifications, RolloutNotificationsInput } from "@/server/services/rollout-notifications";

export const notificationsRouter = createTRPCRouter({
  forRollout: permittedProcedure("read")
    .input(RolloutNotificationsInput)
    .query(({ ctx, input }) => getRolloutNotifications({ db: ctx.db, config: getConfig().config, actor: ctx.actor, now: Date.now() }, input)),
});

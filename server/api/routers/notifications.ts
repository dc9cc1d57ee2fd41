/** The notifications a rollout caused: its cards with their delivery state, and failed observability pushes. */
import { createTRPCRouter, permittedProcedure } from "@/server/api/trpc";
import { serviceContextOf } from "@/server/api/service-context";
import { getRolloutNotifications, RolloutNotificationsInput } from "@/server/services/rollout-notifications";

export const notificationsRouter = createTRPCRouter({
  forRollout: permittedProcedure("read")
    .input(RolloutNotificationsInput)
    .query(({ ctx, input }) => getRolloutNotifications(serviceContextOf(ctx), input)),
});

/** Actions on a whole service: the emergency rollback of every region (the overview's typed confirmation). */
import { createTRPCRouter, permittedProcedure } from "@/server/api/trpc";
import { serviceContextOf } from "@/server/api/service-context";
import { rollbackService, RollbackServiceInput } from "@/server/services/service-rollback";

export const servicesRouter = createTRPCRouter({
  rollback: permittedProcedure("region.rollback")
    .input(RollbackServiceInput)
    .mutation(({ ctx, input }) => rollbackService(serviceContextOf(ctx), input)),
});

/** Freezes: what is frozen now and until when (the overview's banner), and the stop-all an SRE declares and lifts. */
import { createTRPCRouter, permittedProcedure } from "@/server/api/trpc";
import { serviceContextOf } from "@/server/api/service-context";
import { declareFreeze, DeclareFreezeInput, freezeStatus, liftFreeze } from "@/server/services/freezes";

export const freezeRouter = createTRPCRouter({
  status: permittedProcedure("read").query(({ ctx }) => freezeStatus(serviceContextOf(ctx))),
  declare: permittedProcedure("freeze.manage")
    .input(DeclareFreezeInput)
    .mutation(({ ctx, input }) => declareFreeze(serviceContextOf(ctx), input)),
  lift: permittedProcedure("freeze.manage").mutation(({ ctx }) => liftFreeze(serviceContextOf(ctx))),
});

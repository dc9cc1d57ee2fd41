/** Quarantined releases: which and why (the artifact list), and the lift an sre or admin gives with a reason. */
import { createTRPCRouter, permittedProcedure } from "@/server/api/trpc";
import { serviceContextOf } from "@/server/api/service-context";
import { LiftQuarantineInput, liftQuarantine, ListQuarantinesInput, listQuarantines } from "@/server/services/quarantines";

export const quarantineRouter = createTRPCRouter({
  list: permittedProcedure("read")
    .input(ListQuarantinesInput)
    .query(({ ctx, input }) => listQuarantines(serviceContextOf(ctx), input)),
  lift: permittedProcedure("quarantine.lift")
    .input(LiftQuarantineInput)
    .mutation(({ ctx, input }) => liftQuarantine(serviceContextOf(ctx), input)),
});

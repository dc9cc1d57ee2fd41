/** The demo fleet's fault drill: read the faults injected in a region, inject one, clear them. */
import { createTRPCRouter, permittedProcedure } from "@/server/api/trpc";
import { serviceContextOf } from "@/server/api/service-context";
import { clearDemoFaults, ClearDemoFaultsInput, DemoFaultsInput, injectDemoFault, InjectDemoFaultInput, listDemoFaults } from "@/server/services/demo-faults";

const serviceContext = serviceContextOf;

export const demoRouter = createTRPCRouter({
  faults: permittedProcedure("read")
    .input(DemoFaultsInput)
    .query(({ ctx, input }) => listDemoFaults(serviceContext(ctx), input)),
  injectFault: permittedProcedure("demo.faults")
    .input(InjectDemoFaultInput)
    .mutation(({ ctx, input }) => injectDemoFault(serviceContext(ctx), input)),
  clearFaults: permittedProcedure("demo.faults")
    .input(ClearDemoFaultsInput)
    .mutation(({ ctx, input }) => clearDemoFaults(serviceContext(ctx), input)),
});

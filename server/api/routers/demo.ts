/** The demo fleet's fault drill: read the faults injected in a region, inject one, clear them. */
import { createTRPCRouter, permittedProcedure } from "@/server/api/trpc";
import { getConfig } from "@/server/config";
import type { ServiceContext } from "@/server/services/context";
import { clearDemoFaults, ClearDemoFaultsInput, DemoFaultsInput, injectDemoFault, InjectDemoFaultInput, listDemoFaults } from "@/server/services/demo-faults";
import type { Actor } from "@/server/actor";
import type { Db } from "@/db/client";

const serviceContext = (ctx: { db: Db; actor: Actor }): ServiceContext => ({ db: ctx.db, config: getConfig().config, actor: ctx.actor, now: Date.now() });

export const demoRouter = createTRPCRouter({
  faults: permittedProcedure("read").input(DemoFaultsInput).query(({ ctx, input }) => listDemoFaults(serviceContext(ctx), input)),
  injectFault: permittedProcedure("demo.faults").input(InjectDemoFaultInput).mutation(({ ctx, input }) => injectDemoFault(serviceContext(ctx), input)),
  clearFaults: permittedProcedure("demo.faults").input(ClearDemoFaultsInput).mutation(({ ctx, input }) => clearDemoFaults(serviceContext(ctx), input)),
});

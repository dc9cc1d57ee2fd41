/** The rollout page and history: reads, the per-region controls and starting a rollout. Services check permissions too. */
import { z } from "zod";
import { createTRPCRouter, permittedProcedure } from "@/server/api/trpc";
import { serviceContextOf } from "@/server/api/service-context";
import {
  abortRegion,
  pauseRegion,
  promoteRegion,
  resumeRegion,
  retryRegion,
  rollbackRegion,
  PauseRegionInput,
  PromoteRegionInput,
  RegionRolloutRef,
  RollbackRegionInput,
} from "@/server/services/region-commands";
import { previewPlan, PreviewPlanInput, startOptions } from "@/server/services/rollout-plan-preview";
import { getRolloutEvents, getRolloutSamples, getRolloutView, listRolloutHistory, RolloutHistoryInput } from "@/server/services/rollout-view";
import { startRollout, StartRolloutInput } from "@/server/services/rollouts";
import { strategyVerdictsOf, StrategyVerdictsInput } from "@/server/services/strategy-policy";

const RolloutIdInput = z.strictObject({ id: z.string().min(1) });

const serviceContext = serviceContextOf;

/** What a control returns: enough for the client to know it worked; the page refetches the rest. */
const done = (row: { rolloutId: string; regionId: string; phase: string }) => ({ rolloutId: row.rolloutId, regionId: row.regionId, phase: row.phase });

export const rolloutsRouter = createTRPCRouter({
  list: permittedProcedure("read")
    .input(RolloutHistoryInput)
    .query(({ ctx, input }) => listRolloutHistory(serviceContext(ctx), input)),
  get: permittedProcedure("read")
    .input(RolloutIdInput)
    .query(({ ctx, input }) => getRolloutView(serviceContext(ctx), input.id)),
  samples: permittedProcedure("read")
    .input(RolloutIdInput)
    .query(({ ctx, input }) => getRolloutSamples(serviceContext(ctx), input.id)),
  events: permittedProcedure("read")
    .input(RolloutIdInput)
    .query(({ ctx, input }) => getRolloutEvents(serviceContext(ctx), input.id)),

  /** The "Start a rollout" form: its choices, and the plan (or the problems) of what is filled in. */
  startOptions: permittedProcedure("rollout.start").query(({ ctx }) => startOptions(serviceContext(ctx))),
  /** Which strategies the service may start now and why (the migration path, docs/policies.md#migration-path). */
  strategyVerdicts: permittedProcedure("read")
    .input(StrategyVerdictsInput)
    .query(({ ctx, input }) => strategyVerdictsOf(serviceContext(ctx), input)),
  previewPlan: permittedProcedure("rollout.start")
    .input(PreviewPlanInput)
    .query(({ ctx, input }) => previewPlan(serviceContext(ctx), input)),
  start: permittedProcedure("rollout.start")
    .input(StartRolloutInput)
    .mutation(async ({ ctx, input }) => {
      const started = await startRollout(serviceContext(ctx), input);
      return { rolloutId: started.rolloutId, correlationId: started.correlationId };
    }),

  pause: permittedProcedure("rollout.control")
    .input(PauseRegionInput)
    .mutation(async ({ ctx, input }) => done(await pauseRegion(serviceContext(ctx), input))),
  resume: permittedProcedure("rollout.control")
    .input(RegionRolloutRef)
    .mutation(async ({ ctx, input }) => done(await resumeRegion(serviceContext(ctx), input))),
  promote: permittedProcedure("rollout.control")
    .input(PromoteRegionInput)
    .mutation(async ({ ctx, input }) => done(await promoteRegion(serviceContext(ctx), input))),
  abort: permittedProcedure("rollout.control")
    .input(RegionRolloutRef)
    .mutation(async ({ ctx, input }) => done(await abortRegion(serviceContext(ctx), input))),
  retry: permittedProcedure("rollout.control")
    .input(RegionRolloutRef)
    .mutation(async ({ ctx, input }) => done(await retryRegion(serviceContext(ctx), input))),
  rollback: permittedProcedure("region.rollback")
    .input(RollbackRegionInput)
    .mutation(async ({ ctx, input }) => done(await rollbackRegion(serviceContext(ctx), input))),
});

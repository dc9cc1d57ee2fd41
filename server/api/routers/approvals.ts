/**
 * Approval gates: the pending list, approve / reject one gate with a comment, and approve every gate of one
 * rollout the reviewer may approve in one action. The rules live in the approvals service; here only the
 * reviewer's capacity is checked up front (functional or SRE), the service checks the rest.
 */
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { serviceContextOf } from "@/server/api/service-context";
import { can } from "@/server/auth/roles";
import { approveGate, ApproveGateInput, rejectGate } from "@/server/services/approvals";
import { countGatesWaitingFor, gatesOf, listPendingGates } from "@/server/services/approvals-pending";
import { ServiceError } from "@/server/services/errors";
import { createTRPCRouter, permittedProcedure, protectedProcedure } from "../trpc";

export const ApproveAllInput = z.strictObject({ rolloutId: z.string().min(1), comment: z.string().trim().max(1000).optional() });
export type ApproveAllInput = z.infer<typeof ApproveAllInput>;

export type GateOutcome = { regionId: string; ok: boolean; message: string };

/** Either reviewer capacity: the service decides which one applies. */
const reviewerProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (!can(ctx.user.roles, "approval.functional") && !can(ctx.user.roles, "approval.sre")) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: `Your role (${ctx.user.roles.join(", ") || "none"}) cannot approve or reject: that needs reviewer, sre or admin.`,
    });
  }
  return next();
});

const serviceCtx = serviceContextOf;

export const approvalsRouter = createTRPCRouter({
  pending: permittedProcedure("read").query(({ ctx }) => listPendingGates(serviceCtx(ctx))),

  /** The gates waiting for the signed-in person's decision, for the count in the navigation. */
  waitingForMe: permittedProcedure("read").query(async ({ ctx }) => ({ count: await countGatesWaitingFor(serviceCtx(ctx)) })),

  approve: reviewerProcedure.input(ApproveGateInput).mutation(({ ctx, input }) => approveGate(serviceCtx(ctx), input)),

  reject: reviewerProcedure.input(ApproveGateInput).mutation(({ ctx, input }) => rejectGate(serviceCtx(ctx), input)),

  /** One decision per gate; a refusal of one gate does not stop the others, and each is reported in words. */
  approveAll: reviewerProcedure.input(ApproveAllInput).mutation(async ({ ctx, input }): Promise<GateOutcome[]> => {
    const regionIds = await gatesOf(ctx.db, serviceCtx(ctx).config, input.rolloutId);
    if (regionIds.length === 0) throw new TRPCError({ code: "PRECONDITION_FAILED", message: `Rollout ${input.rolloutId} has no region waiting for approval.` });
    // One gate after another: each decision reads the state the previous one left.
    const outcomes: GateOutcome[] = [];
    for (const regionId of regionIds) {
      try {
        const decided = await approveGate(serviceCtx(ctx), { rolloutId: input.rolloutId, regionId, comment: input.comment });
        outcomes.push({ regionId, ok: true, message: decided.message });
      } catch (err) {
        if (err instanceof ServiceError) outcomes.push({ regionId, ok: false, message: err.message });
        else throw err;
      }
    }
    return outcomes;
  }),
});

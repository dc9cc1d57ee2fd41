/**
 * The approval gate before a protected environment (the spec: 1 functional + 1 SRE reviewer). The rules are
 * enforced here, in one transaction: only a signed-in person decides; the capacity must match their roles;
 * the person behind the rollout (its starter, its token's creator, the author CI named) cannot decide on it; one decision per person per gate (also a unique index), so
 * 1 functional + 1 SRE means two different people; only while the region waits at its gate, or, where the
 * environment's policy allows pre-approval, an approval (never a rejection) while the region has not started:
 * it is recorded on that gate and counts when the region reaches it. A rejection aborts the region and the
 * engine blocks the regions after it.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Store } from "@/db/client";
import { actorRef } from "@/server/actor";
import { can } from "@/server/auth/roles";
import { environmentPolicy } from "@/server/config/policies";
import { PHASE_WORDS } from "@/server/engine/machine/messages";
import { requiredReviewers } from "@/server/engine/store/load";
import { insertEvents } from "@/server/engine/store/persist";
import { behindRollout, reviewerOf } from "./approvals-initiator";
import { CAPACITY_WORDS, stillNeededWords } from "./approvals-pending";
import { eventConsumersOf, parseInput, type ServiceContext } from "./context";
import { conflict, forbidden, notFound, preconditionFailed } from "./errors";

type Capacity = "functional" | "sre";

export const ApproveGateInput = z.strictObject({
  rolloutId: z.string().min(1),
  regionId: z.string().min(1),
  /** The capacity the reviewer decides in; by default the one their roles allow that is still needed. */
  as: z.enum(["functional", "sre"]).optional(),
  comment: z.string().trim().max(1000).optional(),
});
export type ApproveGateInput = z.input<typeof ApproveGateInput>;
export const RejectGateInput = ApproveGateInput;
export type RejectGateInput = ApproveGateInput;

export type GateDecision = {
  approvalId: string;
  regionRolloutId: string;
  kind: Capacity;
  decision: "approved" | "rejected";
  /** Given before the region reached its gate (pre-approval). */
  ahead: boolean;
  /** What happened and what is still needed, in words, for the person who decided. */
  message: string;
};

export async function approveGate(ctx: ServiceContext, raw: ApproveGateInput): Promise<GateDecision> {
  const now = ctx.clock.now();
  return decideGate(ctx, now, parseInput(ApproveGateInput, raw), "approved");
}

export async function rejectGate(ctx: ServiceContext, raw: RejectGateInput): Promise<GateDecision> {
  const now = ctx.clock.now();
  return decideGate(ctx, now, parseInput(RejectGateInput, raw), "rejected");
}

async function decideGate(ctx: ServiceContext, now: number, input: z.infer<typeof ApproveGateInput>, decision: "approved" | "rejected"): Promise<GateDecision> {
  const { actor } = ctx;
  if (actor.kind !== "user") throw forbidden("Only a signed-in person can approve or reject a gate; API tokens and webhooks cannot.");
  const allowed = (["functional", "sre"] as const).filter((c) => can(actor.roles, c === "functional" ? "approval.functional" : "approval.sre"));
  if (allowed.length === 0) throw forbidden("Deciding on a gate needs the reviewer role (functional) or the sre role (SRE).");
  if (input.as && !allowed.includes(input.as)) {
    throw forbidden(
      `Deciding as ${CAPACITY_WORDS[input.as]} needs the ${input.as === "sre" ? "sre" : "reviewer"} or admin role; you hold ${actor.roles.join(", ") || "no role"}.`,
    );
  }

  return ctx.db.transaction(async (tx) => {
    const row = await tx.regionRollouts.ofRolloutInRegion(input.rolloutId, input.regionId);
    const rollout = await tx.rollouts.byId(input.rolloutId);
    const region = ctx.config.regions.find((r) => r.id === input.regionId);
    if (!row || !rollout || !region) throw notFound(`Rollout ${input.rolloutId} has no region ${input.regionId}.`);
    const ahead = row.phase === "pending" && decision === "approved" && environmentPolicy(ctx.config, region.environment).preApproval;
    if (row.phase !== "awaiting_approval" && !ahead) {
      const early = row.phase === "pending" && decision === "approved";
      throw preconditionFailed(
        early
          ? `${row.regionId} is not waiting for approval yet: it has not reached its gate, and ${region.environment} does not allow approving ahead of it (policies.environments[].preApproval).`
          : `${row.regionId} is not waiting for approval: it is ${PHASE_WORDS[row.phase]}.`,
      );
    }
    const required = requiredReviewers(ctx.config, region.environment);
    if (!required) throw preconditionFailed(`${region.environment} requires no reviewers, so there is no gate to decide on.`);
    const reviewer = (await reviewerOf(tx, actor.id)) ?? { id: actor.id, name: actor.name, email: "" };
    const behind = await behindRollout(tx, rollout, reviewer);
    if (behind) throw forbidden(`${behind}, so someone else must ${decision === "approved" ? "approve" : "reject"} it.`);

    const decided = await tx.approvals.listForRegionRollout(row.id);
    const mine = decided.find((a) => a.reviewerId === actor.id);
    if (mine) {
      throw conflict(
        `You already ${mine.decision} this gate as ${CAPACITY_WORDS[mine.kind]}; each person decides once, so the other approval must come from someone else.`,
      );
    }
    const approvedAs = (c: Capacity) => decided.filter((a) => a.decision === "approved" && a.kind === c);
    const stillNeeded = (c: Capacity) => approvedAs(c).length < required[c];
    const kind = input.as ?? allowed.find(stillNeeded) ?? allowed[0];
    if (decision === "approved" && !stillNeeded(kind)) {
      const names: string[] = [];
      for (const a of approvedAs(kind)) names.push(await nameOf(tx, a.reviewerId));
      const by = names.join(", ");
      throw conflict(
        `The ${CAPACITY_WORDS[kind]} approval${by ? ` is already given by ${by}` : " is not required here"}; still needed: ${stillNeededWords(required, decided) || "nothing"}.`,
      );
    }

    const approvalId = randomUUID();
    await tx.approvals.insert({
      id: approvalId,
      regionRolloutId: row.id,
      environment: region.environment,
      reviewerId: actor.id,
      kind,
      decision,
      comment: input.comment || null,
      at: now,
    });
    const count = (c: Capacity) => approvedAs(c).length + (decision === "approved" && kind === c ? 1 : 0);
    const progress = (["functional", "sre"] as const)
      .filter((c) => required[c] > 0)
      .map((c) => `${count(c)} of ${required[c]} ${CAPACITY_WORDS[c]}`)
      .join(", ");
    const missing = (["functional", "sre"] as const).filter((c) => count(c) < required[c]).map((c) => `${required[c] - count(c)} ${CAPACITY_WORDS[c]}`);
    const because = input.comment ? `: "${input.comment}"` : "";
    const when = ahead ? " ahead of its gate (it counts when the region gets there)" : "";
    const approved = `approved ${row.regionId}${when} as ${CAPACITY_WORDS[kind]} (${progress})`;
    await insertEvents(tx, { row, rollout, now, actor: actorRef(actor), consumers: eventConsumersOf(ctx) }, [
      {
        type: decision === "approved" ? "approval.granted" : "approval.rejected",
        message:
          decision === "approved"
            ? `${actor.name} ${approved}${because}.`
            : `${actor.name} rejected ${row.regionId} as ${CAPACITY_WORDS[kind]}${because}; the region will be aborted.`,
        data: { kind, decision, comment: input.comment || null, environment: region.environment, ...(ahead ? { ahead } : {}) },
      },
    ]);
    await tx.regionRollouts.wake(row.id, now);
    const message =
      decision === "rejected"
        ? `You rejected ${row.regionId}: it will be aborted and the regions after it blocked.`
        : `You ${approved}. ${missing.length ? `Still needed: ${missing.join(" and ")}.` : ahead ? "Nothing more is needed." : "The gate is open: the region goes on."}`;
    return { approvalId, regionRolloutId: row.id, kind, decision, ahead, message };
  });
}

async function nameOf(tx: Store, userId: string): Promise<string> {
  return (await tx.users.byId(userId))?.name ?? userId;
}

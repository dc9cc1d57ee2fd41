/**
 * What a reviewer sees on /approvals: every region waiting at its gate, with the artifact, the source commit,
 * the rollout's plan (what already passed upstream) and the decisions so far, plus whether this reviewer may
 * still decide (and why not) and who is still needed. Where an environment allows pre-approval, the gates its
 * regions have not reached yet are listed too (`ahead`), so one visit can approve every gate of a rollout.
 * The rules themselves are enforced in approvals.ts; this only explains them.
 */
import { actorName, namesFor } from "@/server/actor-names";
import type { Store } from "@/db/client";
import type { ApprovalRow } from "@/db/store/repositories/approvals";
import type { RegionPhase } from "@/db/schema/region-rollouts";
import type { Actor } from "@/server/actor";
import { can } from "@/server/auth/roles";
import { environmentPolicy } from "@/server/config/policies";
import type { FleetConfig } from "@/server/config/schema";
import { requiredReviewers } from "@/server/engine/store/load";
import { behindRollout, reviewerOf, type RolloutBehind } from "./approvals-initiator";
import type { ServiceContext } from "./context";
import { requireRead } from "./rollout-status";
import { schemaCheckOf, type SchemaCheckView } from "./schema-compat";

export type PendingGate = {
  regionId: string;
  regionName: string;
  environment: string;
  required: { functional: number; sre: number };
  decisions: { reviewer: string; kind: "functional" | "sre"; decision: "approved" | "rejected"; comment: string | null; at: number }[];
  /** null when this reviewer may decide; otherwise why not, in words. */
  cannotDecide: string | null;
  /** The approvals still missing, in words ("1 SRE"); empty when none is. */
  stillNeeded: string;
  /** Not reached yet: only an approval ahead of the gate (pre-approval) may be given. */
  ahead: boolean;
};

export type PendingRollout = {
  rolloutId: string;
  serviceId: string;
  serviceName: string;
  initiator: string;
  /** Who started it, by name ("Sam", "token ci-lab (created by Ada)", "CI (octocat)"). */
  initiatorName: string;
  /** The person CI named as the author (webhook `actor`), if it did. */
  ciActor: string | null;
  startedAt: number;
  strategy: string;
  artifact: { version: string; digest: string; commitSha: string | null; commitUrl: string | null; sourceRef: string | null; provenance: "webhook" | "manual" };
  plan: { regionId: string; position: number; phase: RegionPhase }[];
  /** The release's migrations and the schema-compatibility verdict (docs/policies.md#schema-compatibility). */
  schemaCheck: SchemaCheckView | null;
  gates: PendingGate[];
};

/** The gates waiting for a decision, each saying whether `ctx.actor` may decide it (anyone who may read). */
export async function listPendingGates(ctx: Pick<ServiceContext, "db" | "config" | "actor">): Promise<PendingRollout[]> {
  requireRead(ctx);
  const { db, config, actor } = ctx;
  const waiting = await gateRows(db, config);
  if (waiting.length === 0) return [];
  const rolloutIds = [...new Set(waiting.map((w) => w.rolloutId))];
  const rows = await db.rollouts.listWithArtifactAndService(rolloutIds);
  const plans = await db.regionRollouts.listForRollouts(rolloutIds);
  const decisions = await db.approvals.listWithReviewerForRegionRollouts(waiting.map((w) => w.id));

  const pending: PendingRollout[] = [];
  for (const { rollout, artifact, service } of rows.sort((a, b) => a.rollout.createdAt - b.rollout.createdAt)) {
    const repository = config.services.find((s) => s.id === service.id)?.repository ?? service.repository;
    const gates: PendingGate[] = [];
    for (const w of waiting.filter((w) => w.rolloutId === rollout.id).sort((a, b) => a.position - b.position)) {
      const region = config.regions.find((r) => r.id === w.regionId);
      const environment = region?.environment ?? "unknown";
      const required = requiredReviewers(config, environment) ?? { functional: 0, sre: 0 };
      const mine = decisions.filter((d) => d.approval.regionRolloutId === w.id);
      const stillNeeded = stillNeededWords(
        required,
        mine.map((d) => d.approval),
      );
      gates.push({
        regionId: w.regionId,
        regionName: region?.name ?? w.regionId,
        environment,
        required,
        decisions: mine.map((d) => ({
          reviewer: d.reviewerName,
          kind: d.approval.kind,
          decision: d.approval.decision,
          comment: d.approval.comment,
          at: d.approval.at,
        })),
        cannotDecide: await whyNot(
          db,
          actor,
          rollout,
          mine.map((d) => d.approval),
        ),
        stillNeeded,
        ahead: w.phase === "pending",
      });
    }
    pending.push({
      rolloutId: rollout.id,
      serviceId: service.id,
      serviceName: service.name,
      initiator: rollout.initiator,
      initiatorName: actorName(rollout.initiator, await namesFor(db, [rollout.initiator])),
      ciActor: rollout.ciActor,
      startedAt: rollout.createdAt,
      strategy: rollout.strategy,
      artifact: {
        version: artifact.version,
        digest: artifact.digest,
        commitSha: artifact.commitSha,
        commitUrl: repository && artifact.commitSha ? `${repository.replace(/\/+$/, "")}/commit/${artifact.commitSha}` : null,
        sourceRef: artifact.sourceRef,
        provenance: artifact.provenance,
      },
      plan: plans
        .filter((p) => p.rolloutId === rollout.id)
        .sort((a, b) => a.position - b.position)
        .map((p) => ({ regionId: p.regionId, position: p.position, phase: p.phase })),
      schemaCheck: await schemaCheckOf(
        db,
        rollout,
        plans.filter((p) => p.rolloutId === rollout.id),
      ),
      gates,
    });
  }
  return pending;
}

/** A gate's capacities as people say them. */
export const CAPACITY_WORDS = { functional: "reviewer", sre: "SRE" } as const;

/** The approvals a gate still lacks, in words ("1 reviewer and 1 SRE"); empty when none. */
export function stillNeededWords(required: { functional: number; sre: number }, decisions: Array<Pick<ApprovalRow, "decision" | "kind">>): string {
  const approved = (c: "functional" | "sre") => decisions.filter((d) => d.decision === "approved" && d.kind === c).length;
  return (["functional", "sre"] as const)
    .filter((c) => approved(c) < required[c])
    .map((c) => `${required[c] - approved(c)} ${CAPACITY_WORDS[c]}`)
    .join(" and ");
}

/**
 * How many gates wait for this person now: reached, theirs to decide, and still needing a capacity their roles
 * give (the count beside Approvals in the navigation).
 */
export async function countGatesWaitingFor(ctx: Pick<ServiceContext, "db" | "config" | "actor">): Promise<number> {
  const { actor } = ctx;
  if (actor.kind !== "user") return 0;
  const capacities = (["functional", "sre"] as const).filter((c) => can(actor.roles, c === "functional" ? "approval.functional" : "approval.sre"));
  if (capacities.length === 0) return 0;
  const gates = (await listPendingGates(ctx)).flatMap((r) => r.gates);
  const approved = (gate: PendingGate, c: "functional" | "sre") => gate.decisions.filter((d) => d.decision === "approved" && d.kind === c).length;
  return gates.filter((g) => !g.ahead && g.cannotDecide === null && capacities.some((c) => approved(g, c) < g.required[c])).length;
}

/** Mirrors the service's refusals so the page can say why before anyone presses a button. */
async function whyNot(db: Store, actor: Actor, rollout: RolloutBehind, decided: ApprovalRow[]): Promise<string | null> {
  if (actor.kind !== "user") return "Only a signed-in person can decide on a gate.";
  if (!can(actor.roles, "approval.functional") && !can(actor.roles, "approval.sre")) return "Deciding needs the reviewer or sre role.";
  const behind = await behindRollout(db, rollout, (await reviewerOf(db, actor.id)) ?? { id: actor.id, name: actor.name, email: "" });
  if (behind) return `${behind}, so someone else must approve it.`;
  const mine = decided.find((a) => a.reviewerId === actor.id);
  if (mine) return `You already ${mine.decision} this gate as ${mine.kind === "sre" ? "SRE" : "reviewer"}.`;
  return null;
}

/** A region not started yet whose environment has a gate that may be approved ahead of time. */
function approvableAhead(config: FleetConfig, row: { phase: RegionPhase; regionId: string }): boolean {
  if (row.phase !== "pending") return false;
  const environment = config.regions.find((r) => r.id === row.regionId)?.environment;
  return environment !== undefined && requiredReviewers(config, environment) !== null && environmentPolicy(config, environment).preApproval;
}

/** The regions waiting at their gate, and those not started yet whose gate may be approved ahead; a rollout's only if one waits or may be. */
async function gateRows(db: Store, config: FleetConfig) {
  const waiting = await db.regionRollouts.listInPhase("awaiting_approval");
  const ahead = (await db.regionRollouts.listInPhase("pending")).filter((r) => approvableAhead(config, r));
  return [...waiting, ...ahead];
}

/**
 * The regions of one rollout waiting at their gate, then those whose gate may be approved ahead, in plan order
 * (the service decides who may approve each).
 */
export async function gatesOf(db: Store, config: FleetConfig, rolloutId: string): Promise<string[]> {
  const rows = (await db.regionRollouts.listForRollout(rolloutId)).sort((a, b) => a.position - b.position);
  return [...rows.filter((r) => r.phase === "awaiting_approval"), ...rows.filter((r) => approvableAhead(config, r))].map((r) => r.regionId);
}

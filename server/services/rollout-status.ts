/**
 * The status read model of a rollout, the one both readers use: the REST API and the CLI (`GET /api/v1/rollouts[/:id]`,
 * `flightdeck rollout status|wait`) take it as it is; the dashboard's rollout page (rollout-view.ts) builds on
 * rolloutStatusOf and regionStatusOf and adds its details. A rollout's status and, per region, its phase, current
 * stage percent, verified traffic, pause and cause. The REST JSON shape is a contract: keep its fields and order
 * (a new field goes last). `actorNames` names the people and tokens its references (`user:<id>`, `token:<id>`…)
 * stand for, in the initiator and the reasons, so a reader such as the CLI can say "Sam" while the ids stay.
 */
import { z } from "zod";
import type { RegionRolloutRow } from "@/db/store/repositories/region-rollouts";
import type { RolloutRow } from "@/db/store/repositories/rollouts";
import type { RegionPhase } from "@/db/schema/region-rollouts";
import { ROLLOUT_STATUSES, type RolloutStatus, type Strategy } from "@/db/store/vocabulary";
import { namesFor } from "@/server/actor-names";
import { can } from "@/server/auth/roles";
import { parseInput, type ServiceContext } from "./context";
import { forbidden, notFound } from "./errors";

export type RegionStatus = {
  regionId: string;
  position: number;
  phase: RegionPhase;
  stagePercent: number | null;
  canaryPct: number;
  paused: boolean;
  pauseReason: string | null;
  cause: unknown;
  outcomeReason: string | null;
  attempt: number;
};

export type RolloutStatusView = {
  id: string;
  serviceId: string;
  version: string;
  digest: string;
  strategy: Strategy;
  delayMinutes: number | null;
  status: RolloutStatus;
  initiator: string;
  correlationId: string;
  createdAt: number;
  finishedAt: number | null;
  regions: RegionStatus[];
  /** Each actor reference in `initiator` and the regions' reasons, with the name it stands for now. */
  actorNames: Record<string, string>;
};

export const ListRolloutsInput = z.strictObject({
  serviceId: z.string().min(1).optional(),
  status: z.enum(ROLLOUT_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type ListRolloutsInput = z.input<typeof ListRolloutsInput>;

export { ROLLOUT_STATUSES };

/** Every read of a rollout (status, page, samples, events, history) authorises itself here. */
export function requireRead(ctx: Pick<ServiceContext, "actor">) {
  if (!can(ctx.actor.roles, "read")) throw forbidden("Reading rollouts needs a role (viewer or above).");
}

/** A rollout's own status fields, as every reader shows them. */
export function rolloutStatusOf(rollout: RolloutRow) {
  return {
    id: rollout.id,
    serviceId: rollout.serviceId,
    strategy: rollout.strategy,
    delayMinutes: rollout.delayMinutes,
    status: rollout.status,
    initiator: rollout.initiator,
    correlationId: rollout.correlationId,
    createdAt: rollout.createdAt,
    finishedAt: rollout.finishedAt,
  };
}

/** A region's status within a rollout, as every reader shows it; `stagePercent` is its current stage's, if any. */
export function regionStatusOf(row: RegionRolloutRow, stagePercent: number | null): RegionStatus {
  return {
    regionId: row.regionId,
    position: row.position,
    phase: row.phase,
    stagePercent: row.stageIndex >= 0 ? stagePercent : null,
    canaryPct: row.canaryPct,
    paused: row.paused,
    pauseReason: row.pauseReason,
    cause: row.cause ?? null,
    outcomeReason: row.outcomeReason,
    attempt: row.attempt,
  };
}

export async function getRolloutStatus(ctx: ServiceContext, rolloutId: string): Promise<RolloutStatusView> {
  requireRead(ctx);
  const [view] = await buildViews(ctx, { id: rolloutId }, 1);
  if (!view) throw notFound(`There is no rollout ${rolloutId}. List recent ones with GET /api/v1/rollouts or \`flightdeck rollout status\`.`);
  return view;
}

export async function listRollouts(ctx: ServiceContext, raw: ListRolloutsInput = {}): Promise<RolloutStatusView[]> {
  requireRead(ctx);
  const input = parseInput(ListRolloutsInput, raw);
  return buildViews(ctx, { serviceId: input.serviceId, status: input.status }, input.limit);
}

async function buildViews(
  ctx: ServiceContext,
  filter: { id?: string; serviceId?: string; status?: RolloutStatus },
  limit: number,
): Promise<RolloutStatusView[]> {
  const rows = await ctx.db.rollouts.pageWithArtifact(filter, limit);
  if (rows.length === 0) return [];
  const regionRows = await ctx.db.regionRollouts.listForRollouts(rows.map((r) => r.rollout.id));
  const stageRows = await ctx.db.stages.listForRegionRollouts(regionRows.map((r) => r.id));
  const percentOf = (regionRolloutId: string, index: number) =>
    stageRows.find((s) => s.regionRolloutId === regionRolloutId && s.index === index)?.percent ?? null;
  const names = await namesFor(
    ctx.db,
    rows.map((r) => r.rollout.initiator),
    regionRows.flatMap((r) => [r.pauseReason, r.outcomeReason]),
  );

  return rows.map(({ rollout, version, digest }) => {
    const { id, serviceId, ...status } = rolloutStatusOf(rollout);
    const regions = regionRows.filter((r) => r.rolloutId === rollout.id).map((r) => regionStatusOf(r, percentOf(r.id, r.stageIndex)));
    const mentioned = new Set([rollout.initiator, ...regions.flatMap((r) => [r.pauseReason, r.outcomeReason])]);
    return {
      id,
      serviceId,
      version,
      digest,
      ...status,
      regions,
      actorNames: Object.fromEntries([...names].filter(([ref]) => [...mentioned].some((text) => text?.includes(ref)))),
    };
  });
}

/** What a region command answers: where the region is now and what the runner will do next. */
export function regionCommandResult(row: RegionRolloutRow) {
  return { rolloutId: row.rolloutId, regionId: row.regionId, phase: row.phase, paused: row.paused, requestedAction: row.requestedAction, attempt: row.attempt };
}

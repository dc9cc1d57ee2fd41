/**
 * One region's page (the spec's regional view): what it serves per service, its current and past region
 * rollouts with outcomes and durations, recent canary samples for a chart, and its environment's reviewer rule.
 */
import { z } from "zod";
import type { RegionPhase } from "@/db/schema/region-rollouts";
import type { Colour } from "@/db/schema/region-states";
import { fillLink } from "@/server/config/links";
import { environmentPolicy } from "@/server/config/load";
import { parseInput, type ServiceContext } from "./context";
import { notFound } from "./errors";
import { shortDigest } from "./overview";
import { rollbackOptionOf, type RollbackOption } from "./rollback-options";
import { requireRead } from "./rollout-status";

const HISTORY_LIMIT = 50;
const SAMPLE_LIMIT = 120;

export type RegionPage = {
  regionId: string;
  name: string;
  environment: string;
  links: { dashboard: string | null; logs: string | null };
  reviewerRule: { match: string; functional: number; sre: number; protected: boolean } | null;
  live: {
    serviceId: string;
    serviceName: string;
    liveColour: Colour;
    greenPct: number;
    bluePct: number;
    artifact: { version: string; shortDigest: string; digest: string } | null;
    updatedAt: number;
    /** The rollout of this service running in the region now, if any. */
    runningRolloutId: string | null;
    /** What "Roll back" would do for this service here, or why it cannot. */
    rollback: RollbackOption;
  }[];
  rollouts: {
    rolloutId: string;
    serviceId: string;
    version: string;
    phase: RegionPhase;
    active: boolean;
    stageIndex: number;
    canaryPct: number;
    outcomeReason: string | null;
    startedAt: number | null;
    finishedAt: number | null;
    durationMs: number | null;
  }[];
  samples: { takenAt: number; errorRatePct: number | null; latencyP95Ms: number | null; verdict: string | null; rolloutId: string }[];
};

const FINAL: RegionPhase[] = ["succeeded", "rolled_back", "blocked", "aborted"];

export const RegionPageInput = z.strictObject({ regionId: z.string().min(1).max(100) });
export type RegionPageInput = z.infer<typeof RegionPageInput>;

/** One region's page (anyone who may read). */
export async function getRegionPage(ctx: ServiceContext, raw: RegionPageInput): Promise<RegionPage> {
  const now = ctx.clock.now();
  requireRead(ctx);
  const { db, config } = ctx;
  const { regionId } = parseInput(RegionPageInput, raw);
  const region = config.regions.find((r) => r.id === regionId);
  if (!region) throw notFound(`There is no region ${regionId} in the fleet config.`);
  const rule = environmentPolicy(config, region.environment);

  const history = await db.regionRollouts.historyInRegion(regionId, HISTORY_LIMIT);
  const live = [];
  for (const { state, service, artifact } of await db.regions.liveInRegion(regionId)) {
    live.push({
      serviceId: service.id,
      serviceName: service.name,
      liveColour: state.liveColour,
      greenPct: state.greenPct,
      bluePct: 100 - state.greenPct,
      artifact: artifact ? { version: artifact.version, digest: artifact.digest, shortDigest: shortDigest(artifact.digest) } : null,
      updatedAt: state.updatedAt,
      runningRolloutId: history.find((h) => h.rr.id === state.activeRegionRolloutId)?.rollout.id ?? null,
      rollback: await rollbackOptionOf(db, config, service.id, regionId),
    });
  }

  const recent = (
    await db.samples.recentCanary(
      history.map((h) => h.rr.id),
      SAMPLE_LIMIT,
    )
  ).reverse();
  const rolloutOf = new Map(history.map((h) => [h.rr.id, h.rr.rolloutId]));

  return {
    regionId,
    name: region.name,
    environment: region.environment,
    links: { dashboard: fill(region.links.dashboard, regionId), logs: fill(region.links.logs, regionId) },
    reviewerRule: rule ? { match: rule.match, ...rule.requiredReviewers, protected: rule.protected } : null,
    live,
    rollouts: history.map(({ rr, rollout, version }) => {
      const active = !FINAL.includes(rr.phase);
      const end = rr.finishedAt ?? (active ? now : null);
      return {
        rolloutId: rollout.id,
        serviceId: rollout.serviceId,
        version,
        phase: rr.phase,
        active,
        stageIndex: rr.stageIndex,
        canaryPct: rr.canaryPct,
        outcomeReason: rr.outcomeReason,
        startedAt: rr.startedAt,
        finishedAt: rr.finishedAt,
        durationMs: rr.startedAt !== null && end !== null ? Math.max(0, end - rr.startedAt) : null,
      };
    }),
    samples: recent.map((s) => ({
      takenAt: s.takenAt,
      errorRatePct: s.errorRatePct,
      latencyP95Ms: s.latencyP95Ms,
      verdict: s.verdict,
      rolloutId: rolloutOf.get(s.regionRolloutId) ?? "",
    })),
  };
}

/** Region links are templates; only the placeholders known without a rollout are filled here. */
function fill(template: string | undefined, regionId: string): string | null {
  return template ? fillLink(template, { region: regionId }) : null;
}

/**
 * The regions overview: per service, every region in config order with what it serves right now (live colour,
 * artifact, traffic split), the region rollout in progress if any, its recent canary samples against their
 * thresholds (overview-samples.ts), and the region's last event.
 * Four statements in all, whatever the fleet size: one join over the current state, one over the samples,
 * one over the events, and one over each region's latest rollout (what its "Roll back" button would do).
 */
import { namesFor, withActorNames } from "@/server/actor-names";
import type { Store } from "@/db/client";
import type { Colour, RegionPhase } from "@/db/schema";
import type { Actor } from "@/server/actor";
import { regionsInOrder } from "@/server/config/load";
import type { FleetConfig } from "@/server/config/schema";
import { readRegionSamples, type RegionSamples } from "./overview-samples";
import { rollbackOptionsOf, type RollbackOption } from "./rollback-options";
import { requireRead } from "./rollout-status";

export type { OverviewSample, RegionSamples } from "./overview-samples";
export type { RollbackOption } from "./rollback-options";

export type LiveArtifact = { id: string; version: string; digest: string; shortDigest: string };

export type ActiveRegionRollout = {
  regionRolloutId: string;
  rolloutId: string;
  phase: RegionPhase;
  /** 0-based; -1 before the first stage starts. */
  stageIndex: number;
  stageCount: number;
  /** The current stage's target percent on the new colour, null before the first stage. */
  stagePercent: number | null;
  /** Percent on the new colour as last verified by the traffic provider. */
  canaryPct: number;
  paused: boolean;
  pauseReason: string | null;
  toColour: Colour;
  artifactVersion: string;
};

export type RegionEventSummary = { id: number; at: number; type: string; message: string };

export type RegionOverview = {
  regionId: string;
  name: string;
  environment: string;
  liveColour: Colour;
  liveArtifact: LiveArtifact | null;
  greenPct: number;
  bluePct: number;
  activeRollout: ActiveRegionRollout | null;
  /** Recent canary samples for the sparklines; null when no region rollout runs here and none ever took any. */
  samples: RegionSamples | null;
  lastEvent: RegionEventSummary | null;
  /** No artifact recorded, nothing running, nothing ever logged: the fleet as synced at start-up. */
  neverRolledOut: boolean;
  /** What "Roll back" would do here ("100 % of us-east back to blue, release 1.4.1"), or why it cannot. */
  rollback: RollbackOption;
};

export type ServiceOverview = { serviceId: string; name: string; regions: RegionOverview[] };

export type RegionsOverview = {
  services: ServiceOverview[];
  /** The highest event id at the time of reading: a live view subscribes after it and misses nothing. */
  cursor: number;
};

/** `sha256:<hex>` to its first 12 hex digits, as registries and `docker images` show it. */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, "").slice(0, 12);
}

/** Every service's regions at a glance (anyone who may read). */
export async function getRegionsOverview(ctx: { db: Store; config: FleetConfig; actor: Actor }): Promise<RegionsOverview> {
  requireRead(ctx);
  const { db, config } = ctx;
  const serviceIds = config.services.map((s) => s.id);
  const states = await db.regions.overviewStates(serviceIds);
  const samplesByKey = await readRegionSamples(db, serviceIds);
  const latest = await readLatestEvents(db);

  const stateByKey = new Map(states.map((s) => [`${s.serviceId}/${s.regionId}`, s]));
  const regionOrder = regionsInOrder(config);

  const rollbackOptions = await rollbackOptionsOf(db, config, serviceIds);
  // People by name in the last events and pause reasons ("paused by Sam"), resolved as read.
  const names = await namesFor(db, [], [...[...latest.byKey.values()].map((e) => e.message), ...states.map((s) => s.pauseReason)]);

  const services = config.services.map((service) => ({
    serviceId: service.id,
    name: service.name,
    regions: regionOrder.map((region): RegionOverview => {
      const state = stateByKey.get(`${service.id}/${region.id}`);
      // A region event without a service (a region-wide notice) counts for every service.
      const newestEvent = newest(latest.byKey.get(`${service.id}/${region.id}`), latest.byKey.get(`/${region.id}`));
      const lastEvent = newestEvent && { ...newestEvent, message: withActorNames(newestEvent.message, names) };
      const greenPct = state?.greenPct ?? 0;
      const liveArtifact = state?.artifactId
        ? { id: state.artifactId, version: state.artifactVersion!, digest: state.artifactDigest!, shortDigest: shortDigest(state.artifactDigest!) }
        : null;
      const activeRollout = state?.rrId ? { ...toActiveRollout(state), pauseReason: withActorNames(state.pauseReason ?? null, names) } : null;
      return {
        regionId: region.id,
        name: region.name,
        environment: region.environment,
        liveColour: state?.liveColour ?? "blue",
        liveArtifact,
        greenPct,
        bluePct: 100 - greenPct,
        activeRollout,
        samples: samplesByKey.get(`${service.id}/${region.id}`) ?? null,
        lastEvent,
        neverRolledOut: !liveArtifact && !activeRollout && !lastEvent,
        rollback: rollbackOptions.get(`${service.id}/${region.id}`)!,
      };
    }),
  }));

  return { services, cursor: latest.maxId };
}

type OverviewStateRow = Awaited<ReturnType<Store["regions"]["overviewStates"]>>[number];

function toActiveRollout(row: OverviewStateRow): ActiveRegionRollout {
  return {
    regionRolloutId: row.rrId!,
    rolloutId: row.rolloutId!,
    phase: row.phase!,
    stageIndex: row.stageIndex!,
    stageCount: Number(row.stageCount ?? 0),
    stagePercent: row.stagePercent ?? null,
    canaryPct: row.canaryPct ?? 0,
    paused: row.paused ?? false,
    pauseReason: row.pauseReason ?? null,
    toColour: row.toColour!,
    artifactVersion: row.rolloutVersion ?? "unknown",
  };
}

/**
 * The newest event of every (service, region) pair, and the highest id overall (the group of events with
 * neither holds the rest, so the largest group maximum is the table's maximum).
 */
async function readLatestEvents(db: Store) {
  const rows = await db.events.newestPerServiceRegion();

  const byKey = new Map<string, RegionEventSummary>();
  let maxId = 0;
  for (const row of rows) {
    maxId = Math.max(maxId, row.id);
    if (row.regionId) byKey.set(`${row.serviceId ?? ""}/${row.regionId}`, { id: row.id, at: row.at, type: row.type, message: row.message });
  }
  return { byKey, maxId };
}

function newest(a: RegionEventSummary | undefined, b: RegionEventSummary | undefined): RegionEventSummary | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return a.id > b.id ? a : b;
}

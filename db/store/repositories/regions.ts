/** Regions and what each serves now (`region_states`). */
import { aliasedTable, and, eq, inArray, isNotNull, isNull, or, sql } from "drizzle-orm";
import type { regionStates } from "../../schema";
import type { Query, Tables } from "../query";

export type RegionStateRow = typeof regionStates.$inferSelect;

export function regionRepository(q: Query, t: Tables) {
  const { artifacts, regionRollouts, regions, regionStates, rollouts, services, stages } = t;
  return {
    // --- engine: what a region serves follows its rollout (store, traffic check) ---
    /** What the region serves for the service: the verified split, the live colour and artifacts. */
    async setServing(
      serviceId: string,
      regionId: string,
      set: Partial<Pick<typeof regionStates.$inferSelect, "greenPct" | "liveColour" | "liveArtifactId" | "previousArtifactId">>,
      now: number,
    ): Promise<void> {
      await q
        .update(regionStates)
        .set({ ...set, updatedAt: now })
        .where(and(eq(regionStates.serviceId, serviceId), eq(regionStates.regionId, regionId)));
    },

    /** The region is free again for the service, if this region rollout still holds it. */
    async release(serviceId: string, regionId: string, regionRolloutId: string, now: number): Promise<void> {
      await q
        .update(regionStates)
        .set({ activeRegionRolloutId: null, updatedAt: now })
        .where(and(eq(regionStates.serviceId, serviceId), eq(regionStates.regionId, regionId), eq(regionStates.activeRegionRolloutId, regionRolloutId)));
    },

    // --- read models: overview, region page, start options (dashboard) ---
    /**
     * Each region state of these services with its live artifact and, when one runs, the region rollout, its
     * current stage, its number of stages and the version it deploys: the overview's one join over the present.
     */
    async overviewStates(serviceIds: readonly string[]) {
      if (serviceIds.length === 0) return [];
      const rolloutArtifacts = aliasedTable(artifacts, "rollout_artifacts");
      return q
        .select({
          serviceId: regionStates.serviceId,
          regionId: regionStates.regionId,
          liveColour: regionStates.liveColour,
          greenPct: regionStates.greenPct,
          artifactId: artifacts.id,
          artifactVersion: artifacts.version,
          artifactDigest: artifacts.digest,
          rrId: regionRollouts.id,
          rolloutId: regionRollouts.rolloutId,
          phase: regionRollouts.phase,
          stageIndex: regionRollouts.stageIndex,
          canaryPct: regionRollouts.canaryPct,
          paused: regionRollouts.paused,
          pauseReason: regionRollouts.pauseReason,
          toColour: regionRollouts.toColour,
          stagePercent: stages.percent,
          stageCount: sql<number>`(select count(*) from ${stages} s where s.region_rollout_id = ${regionRollouts.id})`.mapWith(Number),
          rolloutVersion: rolloutArtifacts.version,
        })
        .from(regionStates)
        .leftJoin(artifacts, eq(artifacts.id, regionStates.liveArtifactId))
        .leftJoin(regionRollouts, eq(regionRollouts.id, regionStates.activeRegionRolloutId))
        .leftJoin(stages, and(eq(stages.regionRolloutId, regionRollouts.id), eq(stages.index, regionRollouts.stageIndex)))
        .leftJoin(rollouts, eq(rollouts.id, regionRollouts.rolloutId))
        .leftJoin(rolloutArtifacts, eq(rolloutArtifacts.id, rollouts.artifactId))
        .where(inArray(regionStates.serviceId, [...serviceIds]));
    },

    /** What one region serves per service: its state, the service and the live artifact (none before a first deploy). */
    async liveInRegion(regionId: string) {
      return q
        .select({ state: regionStates, service: services, artifact: artifacts })
        .from(regionStates)
        .innerJoin(services, eq(services.id, regionStates.serviceId))
        .leftJoin(artifacts, eq(artifacts.id, regionStates.liveArtifactId))
        .where(eq(regionStates.regionId, regionId));
    },

    /** Every region state with its live version and the rollout that holds it now, if any. */
    async listWithLiveVersion() {
      return q
        .select({ state: regionStates, liveVersion: artifacts.version, activeRolloutId: regionRollouts.rolloutId })
        .from(regionStates)
        .leftJoin(artifacts, eq(artifacts.id, regionStates.liveArtifactId))
        .leftJoin(regionRollouts, eq(regionRollouts.id, regionStates.activeRegionRolloutId));
    },

    /** Which of these regions a rollout of the service holds now (the column a start claims). */
    async busyRegionIds(serviceId: string, regionIds: readonly string[]): Promise<string[]> {
      if (regionIds.length === 0) return [];
      const rows = await q
        .select({ regionId: regionStates.regionId })
        .from(regionStates)
        .where(and(eq(regionStates.serviceId, serviceId), inArray(regionStates.regionId, [...regionIds]), isNotNull(regionStates.activeRegionRolloutId)));
      return rows.map((r) => r.regionId);
    },

    // --- the fleet config, region claims and the demo seed (services: fleet, rollouts, region-commands) ---
    /** Inserts the region, or updates its name, environment and order (its creation time stays). */
    async upsert(row: typeof regions.$inferInsert): Promise<void> {
      await q
        .insert(regions)
        .values(row)
        .onConflictDoUpdate({ target: regions.id, set: { name: row.name, environment: row.environment, order: row.order } });
    },

    async list(): Promise<Array<typeof regions.$inferSelect>> {
      return q.select().from(regions);
    },

    /** The region state of a service, created (blue live, all traffic on blue) if it is missing; an existing one is untouched. */
    async ensureState(serviceId: string, regionId: string, now: number): Promise<void> {
      await q
        .insert(regionStates)
        .values({ serviceId, regionId, liveColour: "blue", greenPct: 0, updatedAt: now })
        .onConflictDoNothing({ target: [regionStates.serviceId, regionStates.regionId] });
    },

    /**
     * Claim the region for a region rollout with one conditional update: only while no rollout holds it (or, with
     * `orAlreadyMine`, while this one does). The claimed state, or undefined when another rollout holds it.
     */
    async claimState(
      serviceId: string,
      regionId: string,
      regionRolloutId: string,
      now: number,
      options: { orAlreadyMine?: boolean } = {},
    ): Promise<RegionStateRow | undefined> {
      const free = isNull(regionStates.activeRegionRolloutId);
      const [claimed] = await q
        .update(regionStates)
        .set({ activeRegionRolloutId: regionRolloutId, updatedAt: now })
        .where(
          and(
            eq(regionStates.serviceId, serviceId),
            eq(regionStates.regionId, regionId),
            options.orAlreadyMine ? or(free, eq(regionStates.activeRegionRolloutId, regionRolloutId)) : free,
          ),
        )
        .returning();
      return claimed;
    },

    /** The rollout holding the region for the service now: its id, the region's phase and who started it. */
    async activeHolder(serviceId: string, regionId: string) {
      const [holder] = await q
        .select({ rolloutId: regionRollouts.rolloutId, phase: regionRollouts.phase, initiator: rollouts.initiator })
        .from(regionStates)
        .innerJoin(regionRollouts, eq(regionRollouts.id, regionStates.activeRegionRolloutId))
        .innerJoin(rollouts, eq(rollouts.id, regionRollouts.rolloutId))
        .where(and(eq(regionStates.serviceId, serviceId), eq(regionStates.regionId, regionId)))
        .limit(1);
      return holder;
    },

    /** The service's regions that serve nothing yet now serve this artifact (the demo seed). */
    async setLiveArtifactWhereNone(serviceId: string, artifactId: string, now: number): Promise<void> {
      await q
        .update(regionStates)
        .set({ liveArtifactId: artifactId, updatedAt: now })
        .where(and(eq(regionStates.serviceId, serviceId), isNull(regionStates.liveArtifactId)));
    },
  };
}

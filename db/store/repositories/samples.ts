/** Samples: observations of the new colour and its baseline, with their verdicts. */
import { aliasedTable, and, asc, count, desc, eq, exists, gt, inArray, max, sql } from "drizzle-orm";
import { boundColumns, perHandle, prepare } from "../prepared";
import type { Query, Tables } from "../query";

// --- engine: samples written and read by every pass, prepared (runner, store) ---
const engineStatements = perHandle((q, { samples }) => {
  const measured = boundColumns(samples, ["id"]);
  const baseline = boundColumns(samples, ["id"], "baseline_");
  return {
    encode: measured.encode,
    encodeBaseline: baseline.encode,
    insert: prepare(q.insert(samples).values(measured.placeholders), "samples.insert"),
    insertWithBaseline: prepare(q.insert(samples).values([measured.placeholders, baseline.placeholders]), "samples.insertWithBaseline"),
    stageSamples: prepare(
      q
        .select({
          role: samples.role,
          takenAt: samples.takenAt,
          requests: samples.requests,
          errors: samples.errors,
          latencyP95Ms: samples.latencyP95Ms,
          verdict: samples.verdict,
          judgement: samples.judgement,
        })
        .from(samples)
        .where(
          and(
            eq(samples.regionRolloutId, sql.placeholder("regionRolloutId")),
            eq(samples.stageIndex, sql.placeholder("stageIndex")),
            gt(samples.takenAt, sql.placeholder("after")),
          ),
        )
        .orderBy(asc(samples.takenAt), asc(samples.id)),
      "samples.stageSamples",
    ),
  };
});

export function sampleRepository(q: Query, t: Tables) {
  const { artifacts, regionRollouts, regionStates, rollouts, samples, stages } = t;
  return {
    // --- the rollback benchmark (scripts/bench) ---
    /** The first sample of a region rollout with this verdict (the breach that rolled it back). */
    async firstWithVerdict(regionRolloutId: string, verdict: "pass" | "breach" | "inconclusive"): Promise<typeof samples.$inferSelect | undefined> {
      const [row] = await q
        .select()
        .from(samples)
        .where(and(eq(samples.regionRolloutId, regionRolloutId), eq(samples.verdict, verdict)))
        .orderBy(asc(samples.id))
        .limit(1);
      return row;
    },

    // --- engine (runner, store, outbox) ---
    /** A sample as measured, and the baseline it was compared with when given, in one statement (prepared: the engine's hot path). */
    async insert(row: typeof samples.$inferInsert, baseline?: typeof samples.$inferInsert): Promise<void> {
      const { insert, insertWithBaseline, encode, encodeBaseline } = engineStatements(q, t);
      await (baseline ? insertWithBaseline.execute(encodeBaseline(baseline, encode(row))) : insert.execute(encode(row)));
    },

    /** The samples of one stage of a region rollout taken after `after` (its stage's start), oldest first. */
    async stageSamples(regionRolloutId: string, stageIndex: number, after: number) {
      return engineStatements(q, t).stageSamples.execute({ regionRolloutId, stageIndex, after });
    },

    /** The latest canary sample of a region rollout, of one stage when given (a card's and a push's numbers). */
    async latestCanary(regionRolloutId: string, stageIndex?: number): Promise<typeof samples.$inferSelect | undefined> {
      const [row] = await q
        .select()
        .from(samples)
        .where(
          and(
            eq(samples.regionRolloutId, regionRolloutId),
            eq(samples.role, "canary"),
            stageIndex === undefined ? undefined : eq(samples.stageIndex, stageIndex),
          ),
        )
        .orderBy(desc(samples.takenAt), desc(samples.id))
        .limit(1);
      return row;
    },

    // --- read models: overview sparklines, rollout page, region page, live feed (dashboard) ---
    /**
     * The overview's sparklines in one statement: per region state of these services, the region rollout in
     * progress or else the newest one with canary samples, and its newest `limit` canary samples with the
     * thresholds of the stage each was judged at. One row per sample (oldest first per region), or one row with
     * null sample columns for a region rollout that has none yet; a region with neither has no row.
     */
    async overviewSeries(serviceIds: readonly string[], limit: number) {
      if (serviceIds.length === 0) return [];
      const currentStage = aliasedTable(stages, "current_stage");
      const sampleStage = aliasedTable(stages, "sample_stage");
      const sampled = aliasedTable(samples, "sampled");
      const latest = aliasedTable(regionRollouts, "latest");
      const latestRollout = aliasedTable(rollouts, "latest_rollout");

      // The newest region rollout of this state's service and region that has canary samples (correlated).
      const lastSampledId = q
        .select({ id: latest.id })
        .from(latest)
        .innerJoin(latestRollout, eq(latestRollout.id, latest.rolloutId))
        .where(
          and(
            eq(latestRollout.serviceId, regionStates.serviceId),
            eq(latest.regionId, regionStates.regionId),
            exists(
              q
                .select({ one: sql`1` })
                .from(sampled)
                .where(and(eq(sampled.regionRolloutId, latest.id), eq(sampled.role, "canary"))),
            ),
          ),
        )
        .orderBy(desc(latestRollout.createdAt), desc(latest.id))
        .limit(1);

      const chosen = q.$with("chosen").as(
        q
          .select({
            serviceId: regionStates.serviceId,
            regionId: regionStates.regionId,
            chosenId: sql<string | null>`coalesce(${regionStates.activeRegionRolloutId}, (${lastSampledId}))`.as("chosen_id"),
            past: sql<number>`case when ${regionStates.activeRegionRolloutId} is null then 1 else 0 end`.as("past"),
          })
          .from(regionStates)
          .where(inArray(regionStates.serviceId, [...serviceIds])),
      );

      const ranked = q.$with("ranked").as(
        q
          .select({
            sampleId: sql<number>`${samples.id}`.mapWith(samples.id).as("sample_id"),
            ofRegionRollout: sql<string>`${samples.regionRolloutId}`.as("of_region_rollout"),
            sampleStageIndex: sql<number>`${samples.stageIndex}`.mapWith(samples.stageIndex).as("sample_stage_index"),
            takenAt: samples.takenAt,
            verdict: samples.verdict,
            errorRatePct: samples.errorRatePct,
            latencyP95Ms: samples.latencyP95Ms,
            rank: sql<number>`row_number() over (partition by ${samples.regionRolloutId} order by ${samples.takenAt} desc, ${samples.id} desc)`.as("rank"),
          })
          .from(samples)
          .where(and(eq(samples.role, "canary"), inArray(samples.regionRolloutId, q.select({ id: chosen.chosenId }).from(chosen)))),
      );

      return q
        .with(chosen, ranked)
        .select({
          serviceId: chosen.serviceId,
          regionId: chosen.regionId,
          past: chosen.past,
          regionRolloutId: regionRollouts.id,
          rolloutId: regionRollouts.rolloutId,
          version: artifacts.version,
          currentMaxErrorRatePct: currentStage.maxErrorRatePct,
          currentMaxLatencyP95Ms: currentStage.maxLatencyP95Ms,
          sampleId: ranked.sampleId,
          stageIndex: ranked.sampleStageIndex,
          takenAt: ranked.takenAt,
          verdict: ranked.verdict,
          errorRatePct: ranked.errorRatePct,
          latencyP95Ms: ranked.latencyP95Ms,
          maxErrorRatePct: sampleStage.maxErrorRatePct,
          maxLatencyP95Ms: sampleStage.maxLatencyP95Ms,
        })
        .from(chosen)
        .innerJoin(regionRollouts, eq(regionRollouts.id, chosen.chosenId))
        .innerJoin(rollouts, eq(rollouts.id, regionRollouts.rolloutId))
        .innerJoin(artifacts, eq(artifacts.id, rollouts.artifactId))
        .leftJoin(currentStage, and(eq(currentStage.regionRolloutId, regionRollouts.id), eq(currentStage.index, regionRollouts.stageIndex)))
        .leftJoin(ranked, and(eq(ranked.ofRegionRollout, regionRollouts.id), sql`${ranked.rank} <= ${limit}`))
        .leftJoin(sampleStage, and(eq(sampleStage.regionRolloutId, regionRollouts.id), eq(sampleStage.index, ranked.sampleStageIndex)))
        .orderBy(chosen.serviceId, chosen.regionId, ranked.takenAt, sql`${ranked.sampleId}`);
    },

    /** Canary samples of these region rollouts counted per (region rollout, stage, verdict): one grouped query. */
    async canaryVerdictCounts(regionRolloutIds: readonly string[]) {
      if (regionRolloutIds.length === 0) return [];
      return q
        .select({ id: samples.regionRolloutId, stageIndex: samples.stageIndex, verdict: samples.verdict, n: count() })
        .from(samples)
        .where(and(inArray(samples.regionRolloutId, [...regionRolloutIds]), eq(samples.role, "canary")))
        .groupBy(samples.regionRolloutId, samples.stageIndex, samples.verdict);
    },

    /** Every sample (canary and baseline) of these region rollouts, oldest first. */
    async listForRegionRollouts(regionRolloutIds: readonly string[]) {
      if (regionRolloutIds.length === 0) return [];
      return q
        .select()
        .from(samples)
        .where(inArray(samples.regionRolloutId, [...regionRolloutIds]))
        .orderBy(asc(samples.takenAt), asc(samples.id));
    },

    /** The newest `limit` canary samples across these region rollouts, newest first. */
    async recentCanary(regionRolloutIds: readonly string[], limit: number) {
      if (regionRolloutIds.length === 0) return [];
      return q
        .select()
        .from(samples)
        .where(and(inArray(samples.regionRolloutId, [...regionRolloutIds]), eq(samples.role, "canary")))
        .orderBy(desc(samples.takenAt))
        .limit(limit);
    },

    /** The highest sample id (0 when there is none): where a live feed starts announcing new samples. */
    async latestId(): Promise<number> {
      const [row] = await q.select({ id: samples.id }).from(samples).orderBy(desc(samples.id)).limit(1);
      return row?.id ?? 0;
    },

    /** Canary samples with an id above `afterId`, one row per region rollout: how many, the last id and time, and whose. */
    async canaryArrivalsAfter(afterId: number) {
      return q
        .select({
          lastId: max(samples.id),
          at: max(samples.takenAt),
          count: count(),
          rolloutId: regionRollouts.rolloutId,
          regionId: regionRollouts.regionId,
          serviceId: rollouts.serviceId,
          correlationId: rollouts.correlationId,
        })
        .from(samples)
        .innerJoin(regionRollouts, eq(regionRollouts.id, samples.regionRolloutId))
        .innerJoin(rollouts, eq(rollouts.id, regionRollouts.rolloutId))
        .where(and(gt(samples.id, afterId), eq(samples.role, "canary")))
        .groupBy(samples.regionRolloutId, regionRollouts.rolloutId, regionRollouts.regionId, rollouts.serviceId, rollouts.correlationId);
    },
  };
}

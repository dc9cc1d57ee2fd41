/** Region rollouts: the engine's state per region, saved version-checked. */
import { and, asc, count, desc, eq, gt, inArray, isNotNull, lte, ne, notInArray, or, sql } from "drizzle-orm";
import type { regionRollouts } from "../../schema";
import type { RegionPhase } from "../../schema/region-rollouts";
import { boundColumns, perHandle, prepare } from "../prepared";
import type { Query, Tables } from "../query";

export type RegionRolloutRow = typeof regionRollouts.$inferSelect;

/** What a decision never writes: the region rollout's identity and plan (never moved once planned). */
export const DECIDED_OMIT = ["id", "rolloutId", "regionId", "position", "previousArtifactId"] as const;

// --- engine: hot statements (runner, store) ---
const p = sql.placeholder;
const engineStatements = perHandle((q, { regionRollouts }) => {
  /** What a decision writes: every column but the region rollout's identity and plan. */
  const decided = boundColumns(regionRollouts, DECIDED_OMIT);
  return {
    encodeDecided: decided.encode,
    byId: prepare(
      q
        .select()
        .from(regionRollouts)
        .where(eq(regionRollouts.id, p("id"))),
      "region-rollouts.byId",
    ),
    upstream: prepare(
      q
        .select({
          regionId: regionRollouts.regionId,
          phase: regionRollouts.phase,
          finishedAt: regionRollouts.finishedAt,
          observeUntil: regionRollouts.observeUntil,
        })
        .from(regionRollouts)
        .where(and(eq(regionRollouts.rolloutId, p("rolloutId")), eq(regionRollouts.position, p("position")))),
      "region-rollouts.upstream",
    ),
    saveVersioned: prepare(
      q
        .update(regionRollouts)
        .set(decided.placeholders)
        .where(and(eq(regionRollouts.id, p("id")), eq(regionRollouts.version, p("expectedVersion"))))
        .returning(),
      "region-rollouts.saveVersioned",
    ),
    saveNextTick: prepare(
      q
        .update(regionRollouts)
        .set({ nextTickAt: sql`${p("nextTickAt")}` })
        .where(and(eq(regionRollouts.id, p("id")), eq(regionRollouts.version, p("version"))))
        .returning({ id: regionRollouts.id }),
      "region-rollouts.saveNextTick",
    ),
  };
});

/**
 * Work left for the runner: not finished; or finished with a person's request (emergency rollback) to carry out,
 * a failed move back to the old colour to try again, or an observation period (delayed strategy) still running.
 * `finished` is the machine's list of terminal phases.
 */
const workLeft = (regionRollouts: Tables["regionRollouts"], finished: readonly RegionPhase[]) =>
  or(
    notInArray(regionRollouts.phase, [...finished]),
    isNotNull(regionRollouts.requestedAction),
    isNotNull(regionRollouts.rollbackNextAt),
    isNotNull(regionRollouts.observeUntil),
  );

/**
 * The runner's two scans, run many times a second: prepared once per handle and list of finished phases, and
 * answered from the `region_rollouts_schedule` index alone, in due order.
 */
const scheduleScans = perHandle((q, { regionRollouts }) => {
  const byFinished = new Map<string, ReturnType<typeof prepareScans>>();
  const prepareScans = (finished: readonly RegionPhase[]) => ({
    // Whole rows: a pass starts from the row its tick's scan read (see server/engine/runner/reconcile.ts).
    due: prepare(
      q
        .select()
        .from(regionRollouts)
        .where(and(workLeft(regionRollouts, finished), lte(regionRollouts.nextTickAt, p("now"))))
        .orderBy(asc(regionRollouts.nextTickAt), asc(regionRollouts.rolloutId), asc(regionRollouts.position)),
      `region-rollouts.due:${finished.join()}`,
    ),
    next: prepare(
      q
        .select({ id: regionRollouts.id, rolloutId: regionRollouts.rolloutId, nextTickAt: regionRollouts.nextTickAt })
        .from(regionRollouts)
        .where(and(workLeft(regionRollouts, finished), gt(regionRollouts.nextTickAt, p("after"))))
        .orderBy(asc(regionRollouts.nextTickAt))
        .limit(p("limit")),
      `region-rollouts.next:${finished.join()}`,
    ),
  });
  return (finished: readonly RegionPhase[]) => {
    const key = finished.join();
    let scans = byFinished.get(key);
    if (!scans) byFinished.set(key, (scans = prepareScans(finished)));
    return scans;
  };
});

export function regionRolloutRepository(q: Query, t: Tables) {
  const { artifacts, regionRollouts, rollouts } = t;
  const scheduleStatements = (finished: readonly RegionPhase[]) => scheduleScans(q, t)(finished);
  return {
    // --- engine (runner, store, outbox, metrics) ---
    async byId(id: string): Promise<RegionRolloutRow | undefined> {
      const [row] = await engineStatements(q, t).byId.execute({ id });
      return row;
    },

    /** The region before this one in the plan, as the machine weighs it (pending regions of a chain). */
    async upstream(rolloutId: string, position: number) {
      const [row] = await engineStatements(q, t).upstream.execute({ rolloutId, position });
      return row ?? null;
    },

    /**
     * A decision: every column but the identity and plan ones written from `next`, the version bumped,
     * `WHERE version = expectedVersion`. Returns the saved row, or null when another writer won.
     */
    async saveVersioned(next: RegionRolloutRow, expectedVersion: number): Promise<RegionRolloutRow | null> {
      const { saveVersioned, encodeDecided } = engineStatements(q, t);
      const [saved] = await saveVersioned.execute({
        ...encodeDecided({ ...next, version: expectedVersion + 1 }),
        id: next.id,
        expectedVersion,
      });
      return saved ?? null;
    },

    /** When the runner looks again; false when the row changed since it was read (a command woke it). */
    async saveNextTick(id: string, version: number, nextTickAt: number): Promise<boolean> {
      const rows = await engineStatements(q, t).saveNextTick.execute({ id, version, nextTickAt });
      return rows.length === 1;
    },

    /** The next unfinished region of a chain looks again now (its version bumped: a pass that read it loses). */
    async wakeNext(saved: Pick<RegionRolloutRow, "id" | "rolloutId" | "position">, finished: readonly RegionPhase[], now: number): Promise<void> {
      await q
        .update(regionRollouts)
        .set({ nextTickAt: now, version: sql`${regionRollouts.version} + 1` })
        .where(
          and(
            eq(regionRollouts.rolloutId, saved.rolloutId),
            eq(regionRollouts.position, saved.position + 1),
            notInArray(regionRollouts.phase, [...finished]),
            ne(regionRollouts.id, saved.id),
          ),
        );
    },

    /** Each region of a rollout with its phase, in plan order (what the rollout's status and its message are derived from). */
    async phasesOfRollout(rolloutId: string): Promise<Array<Pick<RegionRolloutRow, "regionId" | "phase">>> {
      return q
        .select({ regionId: regionRollouts.regionId, phase: regionRollouts.phase })
        .from(regionRollouts)
        .where(eq(regionRollouts.rolloutId, rolloutId))
        .orderBy(asc(regionRollouts.position));
    },

    /** Whether a region comes after this position in the rollout's plan. */
    async hasAfter(rolloutId: string, position: number): Promise<boolean> {
      const rows = await q
        .select({ id: regionRollouts.id })
        .from(regionRollouts)
        .where(and(eq(regionRollouts.rolloutId, rolloutId), gt(regionRollouts.position, position)))
        .limit(1);
      return rows.length > 0;
    },

    /** A rollout's region rollouts not in a finished phase, in plan order. */
    async unfinishedOfRollout(rolloutId: string, finished: readonly RegionPhase[]): Promise<RegionRolloutRow[]> {
      return q
        .select()
        .from(regionRollouts)
        .where(and(eq(regionRollouts.rolloutId, rolloutId), notInArray(regionRollouts.phase, [...finished])))
        .orderBy(asc(regionRollouts.position));
    },

    /** The region rollout of a rollout in one region. */
    async ofRolloutInRegion(rolloutId: string, regionId: string): Promise<RegionRolloutRow | undefined> {
      const [row] = await q
        .select()
        .from(regionRollouts)
        .where(and(eq(regionRollouts.rolloutId, rolloutId), eq(regionRollouts.regionId, regionId)))
        .limit(1);
      return row;
    },

    /** The region rollouts with work left due by `now`, whole, in due order (then rollout and position): the runner's tick. */
    async dueWithWorkLeft(finished: readonly RegionPhase[], now: number): Promise<RegionRolloutRow[]> {
      return scheduleStatements(finished).due.execute({ now });
    },

    /** The first `limit` region rollouts with work left due after `after`, in due order (the runner's sleep). */
    async nextWithWorkLeft(
      finished: readonly RegionPhase[],
      after: number,
      limit: number,
    ): Promise<Array<{ id: string; rolloutId: string; nextTickAt: number }>> {
      return scheduleStatements(finished).next.execute({ after, limit });
    },

    /** The rollouts that have a region rollout with work left (the leases the runner wants). */
    async rolloutIdsWithWorkLeft(finished: readonly RegionPhase[]): Promise<string[]> {
      const rows = await q.selectDistinct({ rolloutId: regionRollouts.rolloutId }).from(regionRollouts).where(workLeft(regionRollouts, finished));
      return rows.map((r) => r.rolloutId);
    },

    /** Look again at `at` rather than spin on a failing region (unless something already moved its due time later). */
    async deferTick(id: string, now: number, at: number): Promise<void> {
      await q
        .update(regionRollouts)
        .set({ nextTickAt: at })
        .where(and(eq(regionRollouts.id, id), lte(regionRollouts.nextTickAt, now)));
    },

    /** What a log line names a region rollout by: its rollout, correlation id and region. */
    async logContext(id: string): Promise<{ rolloutId: string; correlationId: string; regionId: string } | undefined> {
      const [row] = await q
        .select({ rolloutId: rollouts.id, correlationId: rollouts.correlationId, regionId: regionRollouts.regionId })
        .from(regionRollouts)
        .innerJoin(rollouts, eq(rollouts.id, regionRollouts.rolloutId))
        .where(eq(regionRollouts.id, id))
        .limit(1);
      return row;
    },

    /** Region rollouts by phase (the metrics gauge). */
    async countByPhase(): Promise<Array<{ key: RegionPhase; n: number }>> {
      return q.select({ key: regionRollouts.phase, n: count() }).from(regionRollouts).groupBy(regionRollouts.phase);
    },

    // --- read models: rollout status, history, region page (dashboard, REST) ---
    /** The region rollouts of these rollouts, in plan order (position). */
    async listForRollouts(rolloutIds: readonly string[]): Promise<RegionRolloutRow[]> {
      if (rolloutIds.length === 0) return [];
      return q
        .select()
        .from(regionRollouts)
        .where(inArray(regionRollouts.rolloutId, [...rolloutIds]))
        .orderBy(asc(regionRollouts.position));
    },

    /** A region's newest `limit` region rollouts (by their rollout's creation), each with its rollout and version. */
    async historyInRegion(regionId: string, limit: number) {
      return q
        .select({ rr: regionRollouts, rollout: rollouts, version: artifacts.version })
        .from(regionRollouts)
        .innerJoin(rollouts, eq(rollouts.id, regionRollouts.rolloutId))
        .innerJoin(artifacts, eq(artifacts.id, rollouts.artifactId))
        .where(eq(regionRollouts.regionId, regionId))
        .orderBy(desc(rollouts.createdAt))
        .limit(limit);
    },

    // --- a rollout's regions (CLI simulate, API) ---
    /** A rollout's region rollouts in plan order (position). */
    async listForRollout(rolloutId: string): Promise<RegionRolloutRow[]> {
      return q.select().from(regionRollouts).where(eq(regionRollouts.rolloutId, rolloutId)).orderBy(asc(regionRollouts.position));
    },

    // --- start, gates and manual actions (services: rollouts, approvals, approvals-pending, region-commands) ---
    async insert(row: typeof regionRollouts.$inferInsert): Promise<void> {
      await q.insert(regionRollouts).values(row);
    },

    /** Every region rollout in this phase (the approvals page: `awaiting_approval`). */
    async listInPhase(phase: RegionPhase): Promise<RegionRolloutRow[]> {
      return q.select().from(regionRollouts).where(eq(regionRollouts.phase, phase));
    },

    /** The runner looks at the region now; the version bump makes a pass that read the old state (approvals) start over. */
    async wake(id: string, now: number): Promise<void> {
      await q
        .update(regionRollouts)
        .set({ nextTickAt: now, version: sql`${regionRollouts.version} + 1` })
        .where(eq(regionRollouts.id, id));
    },

    /** The region rollout of the service's newest rollout that reached this region (emergency rollback), if any. */
    async latestForServiceRegion(serviceId: string, regionId: string): Promise<RegionRolloutRow | undefined> {
      const [row] = await q
        .select({ rr: regionRollouts })
        .from(regionRollouts)
        .innerJoin(rollouts, eq(rollouts.id, regionRollouts.rolloutId))
        .where(and(eq(rollouts.serviceId, serviceId), eq(regionRollouts.regionId, regionId)))
        .orderBy(desc(rollouts.createdAt), desc(regionRollouts.updatedAt))
        .limit(1);
      return row?.rr;
    },

    /**
     * For every region each of these services reached, its newest region rollout (as `latestForServiceRegion`) with
     * the version it deploys and the previous one (the old colour's): the overview's rollback buttons, one statement.
     */
    async latestInEveryRegion(serviceIds: readonly string[]) {
      if (serviceIds.length === 0) return [];
      const ranked = q
        .select({
          id: regionRollouts.id,
          rank: sql<number>`row_number() over (partition by ${rollouts.serviceId}, ${regionRollouts.regionId} order by ${rollouts.createdAt} desc, ${regionRollouts.updatedAt} desc)`.as(
            "rank",
          ),
        })
        .from(regionRollouts)
        .innerJoin(rollouts, eq(rollouts.id, regionRollouts.rolloutId))
        .where(inArray(rollouts.serviceId, [...serviceIds]))
        .as("ranked");
      const previousVersion = sql<string | null>`(select p.version from ${artifacts} p where p.id = ${regionRollouts.previousArtifactId})`;
      return q
        .select({ rr: regionRollouts, serviceId: rollouts.serviceId, version: artifacts.version, previousVersion })
        .from(regionRollouts)
        .innerJoin(ranked, eq(ranked.id, regionRollouts.id))
        .innerJoin(rollouts, eq(rollouts.id, regionRollouts.rolloutId))
        .innerJoin(artifacts, eq(artifacts.id, rollouts.artifactId))
        .where(eq(ranked.rank, 1));
    },

    /** The blocked regions of a rollout after this position in its plan (a retry re-opens them). */
    async listBlockedAfter(rolloutId: string, position: number): Promise<RegionRolloutRow[]> {
      return q
        .select()
        .from(regionRollouts)
        .where(and(eq(regionRollouts.rolloutId, rolloutId), eq(regionRollouts.phase, "blocked"), gt(regionRollouts.position, position)));
    },

    /** A blocked region goes back to pending, due now, its outcome cleared (version bumped). */
    async reopen(id: string, now: number): Promise<void> {
      await q
        .update(regionRollouts)
        .set({ phase: "pending", outcomeReason: null, finishedAt: null, nextTickAt: now, updatedAt: now, version: sql`${regionRollouts.version} + 1` })
        .where(eq(regionRollouts.id, id));
    },
  };
}

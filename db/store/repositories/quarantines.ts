/**
 * Quarantined releases: at most one in force per (service, digest). Writing is the engine's, in the rollback's
 * transaction; lifting is a conditional write, so two people lifting at once lift it once and the second is told.
 */
import { and, desc, eq, inArray, isNull, ne, notInArray } from "drizzle-orm";
import type { RegionPhase } from "../../schema";
import type { quarantines } from "../../schema";
import type { Query, Tables } from "../query";

export type QuarantineRow = typeof quarantines.$inferSelect;

export function quarantineRepository(q: Query, t: Tables) {
  const { quarantines } = t;
  return {
    /** The quarantine in force on this digest of this service, or null. */
    async activeFor(serviceId: string, digest: string): Promise<QuarantineRow | null> {
      const [row] = await q
        .select()
        .from(quarantines)
        .where(and(eq(quarantines.serviceId, serviceId), eq(quarantines.digest, digest), isNull(quarantines.liftedAt)))
        .limit(1);
      return row ?? null;
    },

    async byId(id: string): Promise<QuarantineRow | null> {
      const [row] = await q.select().from(quarantines).where(eq(quarantines.id, id)).limit(1);
      return row ?? null;
    },

    async insert(row: Omit<QuarantineRow, "liftedBy" | "liftReason" | "liftedAt">): Promise<void> {
      await q.insert(quarantines).values(row);
    },

    /** Lift one in force: the row lifted, or null when it was not in force (already lifted, or no such id). */
    async lift(id: string, liftedBy: string, liftReason: string, liftedAt: number): Promise<QuarantineRow | null> {
      const [row] = await q
        .update(quarantines)
        .set({ liftedBy, liftReason, liftedAt })
        .where(and(eq(quarantines.id, id), isNull(quarantines.liftedAt)))
        .returning();
      return row ?? null;
    },

    /** Newest first: those in force only, or every one (lifted ones kept for the audit); optionally one service's. */
    async list(opts: { activeOnly: boolean; serviceId?: string; limit: number }): Promise<QuarantineRow[]> {
      const where = and(opts.activeOnly ? isNull(quarantines.liftedAt) : undefined, opts.serviceId ? eq(quarantines.serviceId, opts.serviceId) : undefined);
      return q.select().from(quarantines).where(where).orderBy(desc(quarantines.at)).limit(opts.limit);
    },

    /** Those in force among these digests of one service (the artifact list marks them). */
    async activeAmong(serviceId: string, digests: string[]): Promise<QuarantineRow[]> {
      if (digests.length === 0) return [];
      return q
        .select()
        .from(quarantines)
        .where(and(eq(quarantines.serviceId, serviceId), inArray(quarantines.digest, digests), isNull(quarantines.liftedAt)));
    },

    /** Region rollouts of this digest of this service not yet finished, but the one given (the one rolled back). */
    async runningElsewhere(serviceId: string, digest: string, exceptRegionRolloutId: string, finished: readonly RegionPhase[]) {
      const { regionRollouts, rollouts, artifacts } = t;
      return q
        .select({
          regionRolloutId: regionRollouts.id,
          regionId: regionRollouts.regionId,
          rolloutId: regionRollouts.rolloutId,
          correlationId: rollouts.correlationId,
        })
        .from(regionRollouts)
        .innerJoin(rollouts, eq(rollouts.id, regionRollouts.rolloutId))
        .innerJoin(artifacts, eq(artifacts.id, rollouts.artifactId))
        .where(
          and(
            eq(rollouts.serviceId, serviceId),
            eq(artifacts.digest, digest),
            ne(regionRollouts.id, exceptRegionRolloutId),
            notInArray(regionRollouts.phase, [...finished]),
          ),
        )
        .orderBy(regionRollouts.regionId);
    },

    async count(): Promise<number> {
      return (await q.select({ id: quarantines.id }).from(quarantines)).length;
    },
  };
}

/** Rollouts: one row per release of an artifact across regions. */
import { and, count, desc, eq, inArray, lt, or } from "drizzle-orm";
import type { rollouts } from "../../schema";
import type { Query, Tables } from "../query";
import type { RolloutStatus } from "../../schema/rollouts";

export type RolloutRow = typeof rollouts.$inferSelect;

export function rolloutRepository(q: Query, t: Tables) {
  const { artifacts, regionRollouts, rollouts, services } = t;
  return {
    // --- engine: a rollout's status follows its regions (store, metrics) ---
    async setStatus(id: string, status: RolloutStatus, finishedAt: number | null): Promise<void> {
      await q.update(rollouts).set({ status, finishedAt }).where(eq(rollouts.id, id));
    },

    /** Rollouts by status (the metrics gauge). */
    async countByStatus(): Promise<Array<{ key: RolloutStatus; n: number }>> {
      return q.select({ key: rollouts.status, n: count() }).from(rollouts).groupBy(rollouts.status);
    },

    // --- read models: rollout page, status, history (dashboard, REST, CLI) ---
    /** A rollout with its artifact. */
    async withArtifact(id: string): Promise<{ rollout: RolloutRow; artifact: typeof artifacts.$inferSelect } | undefined> {
      const [row] = await q
        .select({ rollout: rollouts, artifact: artifacts })
        .from(rollouts)
        .innerJoin(artifacts, eq(artifacts.id, rollouts.artifactId))
        .where(eq(rollouts.id, id))
        .limit(1);
      return row;
    },

    /**
     * A page of rollouts with their artifact's version and digest, newest first in the order (createdAt desc, id
     * desc), matching every filter given: `regionId` keeps rollouts with a region rollout there; `before` keeps the
     * rows after that key in the order (without an id: created before that millisecond).
     */
    async pageWithArtifact(
      filter: { id?: string; serviceId?: string; status?: RolloutRow["status"]; regionId?: string; before?: { createdAt: number; id?: string } },
      limit: number,
    ): Promise<Array<{ rollout: RolloutRow; version: string; digest: string }>> {
      const { before } = filter;
      const where = [
        filter.id !== undefined ? eq(rollouts.id, filter.id) : undefined,
        filter.serviceId !== undefined ? eq(rollouts.serviceId, filter.serviceId) : undefined,
        filter.status !== undefined ? eq(rollouts.status, filter.status) : undefined,
        filter.regionId !== undefined
          ? inArray(rollouts.id, q.select({ id: regionRollouts.rolloutId }).from(regionRollouts).where(eq(regionRollouts.regionId, filter.regionId)))
          : undefined,
        before === undefined
          ? undefined
          : before.id === undefined
            ? lt(rollouts.createdAt, before.createdAt)
            : or(lt(rollouts.createdAt, before.createdAt), and(eq(rollouts.createdAt, before.createdAt), lt(rollouts.id, before.id))),
      ];
      return q
        .select({ rollout: rollouts, version: artifacts.version, digest: artifacts.digest })
        .from(rollouts)
        .innerJoin(artifacts, eq(artifacts.id, rollouts.artifactId))
        .where(and(...where))
        .orderBy(desc(rollouts.createdAt), desc(rollouts.id))
        .limit(limit);
    },

    // --- by id (CLI simulate, API) ---
    async byId(id: string): Promise<RolloutRow | undefined> {
      const [row] = await q.select().from(rollouts).where(eq(rollouts.id, id)).limit(1);
      return row;
    },

    // --- start, gates, webhook (services: rollouts, approvals-pending) ---
    async insert(row: typeof rollouts.$inferInsert): Promise<void> {
      await q.insert(rollouts).values(row);
    },

    /** These rollouts, each with its artifact and its service (the approvals page). */
    async listWithArtifactAndService(ids: readonly string[]) {
      if (ids.length === 0) return [];
      return q
        .select({ rollout: rollouts, artifact: artifacts, service: services })
        .from(rollouts)
        .innerJoin(artifacts, eq(artifacts.id, rollouts.artifactId))
        .innerJoin(services, eq(services.id, rollouts.serviceId))
        .where(inArray(rollouts.id, [...ids]));
    },
  };
}

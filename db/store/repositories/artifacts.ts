/** Artifacts: immutable (service, version, digest) rows. */
import { and, desc, eq, inArray } from "drizzle-orm";
import type { artifacts } from "../../schema";
import type { Query, Tables } from "../query";

export type ArtifactRow = typeof artifacts.$inferSelect;
export type NewArtifact = typeof artifacts.$inferInsert;

export function artifactRepository(q: Query, t: Tables) {
  const { artifacts, regionStates } = t;
  return {
    // --- read models: start options (dashboard) ---
    /** A service's newest `limit` artifacts; registered in the same millisecond, the higher version string first. */
    async recentForService(serviceId: string, limit: number) {
      return q.select().from(artifacts).where(eq(artifacts.serviceId, serviceId)).orderBy(desc(artifacts.createdAt), desc(artifacts.version)).limit(limit);
    },

    // --- registering and finding artifacts (services: artifacts, rollouts, fleet) ---
    async byId(id: string): Promise<ArtifactRow | undefined> {
      const [row] = await q.select().from(artifacts).where(eq(artifacts.id, id)).limit(1);
      return row;
    },

    async byServiceVersion(serviceId: string, version: string): Promise<ArtifactRow | undefined> {
      const [row] = await q
        .select()
        .from(artifacts)
        .where(and(eq(artifacts.serviceId, serviceId), eq(artifacts.version, version)))
        .limit(1);
      return row;
    },

    /** The artifact each of these regions serves live for the service (the schema gate reads their manifests); regions serving none are left out. */
    async liveInRegions(serviceId: string, regionIds: readonly string[]): Promise<Array<{ regionId: string; artifact: ArtifactRow }>> {
      if (regionIds.length === 0) return [];
      return q
        .select({ regionId: regionStates.regionId, artifact: artifacts })
        .from(regionStates)
        .innerJoin(artifacts, eq(artifacts.id, regionStates.liveArtifactId))
        .where(and(eq(regionStates.serviceId, serviceId), inArray(regionStates.regionId, [...regionIds])));
    },

    /** Inserts the artifact unless its (service, version) is taken: the new row, or undefined when it was (the database settles races). */
    async insertIfAbsent(row: NewArtifact): Promise<ArtifactRow | undefined> {
      const [inserted] = await q.insert(artifacts).values(row).onConflictDoNothing().returning();
      return inserted;
    },
  };
}

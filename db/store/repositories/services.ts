/** Services: the deployable applications of the fleet config, upserted at start. */
import type { Query, Tables } from "../query";

export function serviceRepository(q: Query, t: Tables) {
  const { services } = t;
  return {
    // --- the fleet config mirrored at start (services: fleet) ---
    /** Inserts the service, or updates its name and repository (its creation time stays). */
    async upsert(row: typeof services.$inferInsert): Promise<void> {
      await q
        .insert(services)
        .values(row)
        .onConflictDoUpdate({ target: services.id, set: { name: row.name, repository: row.repository ?? null } });
    },
  };
}

/**
 * Mirrors the fleet config into the database at start: services, regions, and a region state for every
 * service and region (blue live, all traffic on blue, until a rollout says otherwise). Idempotent.
 */
import type { Db } from "@/db/client";
import { regionStates, regions, services } from "@/db/schema";
import type { FleetConfig } from "@/server/config/schema";

export function syncFleet(db: Db, config: FleetConfig, now: number): void {
  db.transaction((tx) => {
    for (const s of config.services) {
      tx.insert(services)
        .values({ id: s.id, name: s.name, repository: s.repository ?? null, createdAt: now })
        .onConflictDoUpdate({ target: services.id, set: { name: s.name, repository: s.repository ?? null } })
        .run();
    }
    for (const r of config.regions) {
      tx.insert(regions)
        .values({ id: r.id, name: r.name, environment: r.environment, order: r.order, createdAt: now })
        .onConflictDoUpdate({ target: regions.id, set: { name: r.name, environment: r.environment, order: r.order } })
        .run();
      for (const s of config.services) {
        tx.insert(regionStates)
          .values({ serviceId: s.id, regionId: r.id, liveColour: "blue", greenPct: 0, updatedAt: now })
          .onConflictDoNothing({ target: [regionStates.serviceId, regionStates.regionId] })
          .run();
      }
    }
  });
}

/** Regions present in the database but gone from the config are kept (history) but listed here. */
export function orphanRegions(db: Db, config: FleetConfig): string[] {
  const ids = new Set(config.regions.map((r) => r.id));
  return db.select({ id: regions.id }).from(regions).all().map((r) => r.id).filter((id) => !ids.has(id));
}

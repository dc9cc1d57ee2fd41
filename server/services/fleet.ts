/**
 * Mirrors the fleet config into the database at start: services, regions, and a region state for every
 * service and region (blue live, all traffic on blue, until a rollout says otherwise). Idempotent.
 */
import { createHash } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { regionStates, regions, services } from "@/db/schema";
import { ENGINE } from "@/server/actor";
import type { FleetConfig } from "@/server/config/schema";
import { registerArtifactIn } from "./artifacts";

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
  return db
    .select({ id: regions.id })
    .from(regions)
    .all()
    .map((r) => r.id)
    .filter((id) => !ids.has(id));
}

/**
 * Demo mode only: the demo fleet serves `1.4.1` on blue in every region, and `1.4.2` is registered and ready to
 * roll out. Idempotent; never touches a region that already has a live artifact.
 */
export function seedDemoFleet(db: Db, config: FleetConfig, now: number): void {
  const ctx = { db, config, actor: ENGINE, now };
  const digestOf = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;
  db.transaction((tx) => {
    for (const s of config.services) {
      const release = (version: string) =>
        registerArtifactIn(tx, ctx, {
          serviceId: s.id,
          version,
          digest: digestOf(`flightdeck demo ${s.id} ${version}`),
          url: null,
          sourceRef: "refs/heads/main",
          commitSha: createHash("sha1").update(`${s.id} ${version}`).digest("hex"),
        }).artifact;
      const live = release("1.4.1");
      release("1.4.2");
      tx.update(regionStates)
        .set({ liveArtifactId: live.id, updatedAt: now })
        .where(and(eq(regionStates.serviceId, s.id), isNull(regionStates.liveArtifactId)))
        .run();
    }
  });
}

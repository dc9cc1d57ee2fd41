/**
 * The dashboard's fault drill reaches the simulated metrics through the database, so a fault injected in the
 * web process is seen by a runner in any process. Demo fleet only: a real fleet never reads this table.
 */
import type { Store } from "@/db/client";
import type { FleetConfig } from "@/server/config/schema";
import type { InjectedFaults } from "./providers";

/** The injected faults of a region, read at each measurement; none outside demo mode. */
export function injectedFaultsFrom(db: Store, config: FleetConfig): InjectedFaults | undefined {
  if (!config.demo) return undefined;
  return async (regionId) =>
    (await db.demoFaults.listForRegion(regionId)).map((f) => ({
      stagePercent: f.stagePercent,
      ...(f.errorRatePct !== null ? { errorRatePct: f.errorRatePct } : {}),
      ...(f.latencyP95Ms !== null ? { latencyP95Ms: f.latencyP95Ms } : {}),
    }));
}

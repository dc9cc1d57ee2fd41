/**
 * Whether a region of a service can be rolled back now, and exactly what a rollback would do, in the words its
 * confirmation shows ("100 % of us-east back to blue, release 1.4.1"), or why not. The same rule as
 * `rollbackRegion` (the machine's rollback command): the service's latest rollout in the region is in its canary
 * or has succeeded there, and no rollback or abort of it is under way. Read by the overview (every region in one
 * statement) and the region page (their "Roll back" buttons) and by the emergency rollback of every region.
 */
import type { Store } from "@/db/client";
import type { FleetConfig } from "@/server/config/schema";
import type { EmergencyRegion } from "@/server/engine/machine/events";
import type { RegionRolloutRow } from "@/server/engine/store/load";

export type RollbackOption =
  | (EmergencyRegion & { possible: true; serviceId: string; summary: string; detail: string })
  | { possible: false; serviceId: string; regionId: string; reason: string };

/** The service's newest region rollout in a region, with the version it deploys and the one before it. */
type Latest = { rr: RegionRolloutRow; version: string; previousVersion: string | null };

/** One region (the emergency rollback, the region page). */
export async function rollbackOptionOf(db: Store, config: FleetConfig, serviceId: string, regionId: string): Promise<RollbackOption> {
  const rr = await db.regionRollouts.latestForServiceRegion(serviceId, regionId);
  if (!rr) return optionFrom(config, serviceId, regionId, undefined);
  const rollout = await db.rollouts.byId(rr.rolloutId);
  const version = (rollout && (await db.artifacts.byId(rollout.artifactId))?.version) ?? "unknown";
  const previousVersion = rr.previousArtifactId ? ((await db.artifacts.byId(rr.previousArtifactId))?.version ?? null) : null;
  return optionFrom(config, serviceId, regionId, { rr, version, previousVersion });
}

/** Every region of these services, in one statement (the overview), keyed `service/region`. */
export async function rollbackOptionsOf(db: Store, config: FleetConfig, serviceIds: readonly string[]): Promise<Map<string, RollbackOption>> {
  const latest = new Map((await db.regionRollouts.latestInEveryRegion(serviceIds)).map((l) => [`${l.serviceId}/${l.rr.regionId}`, l]));
  const options = new Map<string, RollbackOption>();
  for (const serviceId of serviceIds) {
    for (const region of config.regions)
      options.set(`${serviceId}/${region.id}`, optionFrom(config, serviceId, region.id, latest.get(`${serviceId}/${region.id}`)));
  }
  return options;
}

function optionFrom(config: FleetConfig, serviceId: string, regionId: string, latest: Latest | undefined): RollbackOption {
  const refuse = (reason: string): RollbackOption => ({ possible: false, serviceId, regionId, reason });
  const service = config.services.find((s) => s.id === serviceId)?.name ?? serviceId;
  if (!latest) return refuse(`No rollout of ${service} has reached ${regionId} yet: there is nothing to roll back.`);
  const { rr, version, previousVersion } = latest;
  const back = `${rr.fromColour} serves 100 % of ${regionId}`;

  if (rr.requestedAction !== null) {
    const what = rr.requestedAction === "abort" ? "an abort" : "a rollback";
    return refuse(`${regionId} already has ${what} of ${version} under way (requested by ${rr.requestedBy ?? "someone"}).`);
  }
  switch (rr.phase) {
    case "canary":
    case "succeeded":
      return possible(serviceId, rr, version, previousVersion);
    case "pending":
    case "awaiting_approval":
      return refuse(
        `${version} has not reached ${regionId}'s traffic yet (${rr.phase === "pending" ? "waiting for its turn" : "awaiting approval"}): ${back}. Abort it on its rollout page.`,
      );
    case "deploying":
      return refuse(`${version} is being deployed to ${rr.toColour} and no traffic has moved yet: ${back}. Abort it on its rollout page.`);
    case "rolled_back":
      return refuse(`Nothing to roll back: ${version} was already rolled back and ${back}.`);
    case "aborted":
      return refuse(`Nothing to roll back: ${version} was aborted and ${back}.`);
    case "blocked":
      return refuse(`Nothing to roll back: ${version} never started in ${regionId} (an upstream region failed) and ${back}.`);
  }
}

/** What a rollback of the region does, in one line: "100 % of us-east back to blue, release 1.4.1". */
export function rollbackSummary(region: Pick<EmergencyRegion, "regionId" | "colour" | "release">): string {
  return `100 % of ${region.regionId} back to ${region.colour}, ${region.release ? `release ${region.release}` : "the release it served before (none recorded)"}`;
}

function possible(serviceId: string, rr: RegionRolloutRow, version: string, previous: string | null): RollbackOption {
  const inCanary = rr.phase === "canary";
  const region: EmergencyRegion = {
    regionId: rr.regionId,
    rolloutId: rr.rolloutId,
    regionRolloutId: rr.id,
    inCanary,
    canaryPct: rr.canaryPct,
    colour: rr.fromColour,
    release: previous,
    version,
  };
  return {
    ...region,
    possible: true,
    serviceId,
    summary: rollbackSummary(region),
    detail: inCanary
      ? `The canary of ${version} (${rr.canaryPct} % on ${rr.toColour}) ends rolled back; the regions after it in its rollout do not start.`
      : `${version}, live on ${rr.toColour} since its rollout succeeded, is taken out of service; ${rr.fromColour} still holds ${previous ?? "what it served before"}.`,
  };
}

/**
 * Quarantine, the engine's side: a region rolled back for a breach (not by a person) puts its release's digest in
 * quarantine for its service, in the same transaction as the rollback's save, so it is never lost (the save and
 * the row commit together) nor doubled (one in force per digest: a second region breaching adds nothing). Every
 * region still running that release elsewhere (parallel) is told, with a card, that it may roll back; the
 * engine does not roll them back itself. The start refusal and the lift are in server/services/quarantines.ts.
 */
import { randomUUID } from "node:crypto";
import type { Store } from "@/db/client";
import { eventValues, readEvent, rollbackTrigger } from "@/server/engine/machine/events";
import { TERMINAL_PHASES } from "@/server/engine/machine/types";
import type { EventConsumers, WrittenEvent } from "./event-consumers";
import type { RegionRolloutRow, RolloutRow } from "./load";

type QuarantineInput = {
  rollout: Pick<RolloutRow, "id" | "serviceId" | "artifactId" | "correlationId">;
  saved: RegionRolloutRow;
  now: number;
  consumers: EventConsumers;
};

/** After a save wrote `written`: quarantine the release when one of them is a breach rollback. */
export async function quarantineOnBreach(tx: Store, input: QuarantineInput, written: WrittenEvent[]): Promise<void> {
  const rollback = written.find((w) => {
    const ev = readEvent(w);
    return ev?.type === "region.rolled_back" && rollbackTrigger(ev.data) === "breach";
  });
  if (!rollback) return;
  const { rollout, saved, now } = input;
  const artifact = await tx.artifacts.byId(rollout.artifactId);
  if (!artifact) return;
  // Two regions breaching at once on PostgreSQL: one quarantine, the second finds it.
  await tx.exclusive(`quarantine:${rollout.serviceId}:${artifact.digest}`);
  if (await tx.quarantines.activeFor(rollout.serviceId, artifact.digest)) return;

  const id = randomUUID();
  const causeText = saved.outcomeReason ?? rollback.message;
  await tx.quarantines.insert({
    id,
    serviceId: rollout.serviceId,
    digest: artifact.digest,
    artifactId: artifact.id,
    version: artifact.version,
    cause: causeText,
    regionId: saved.regionId,
    rolloutId: rollout.id,
    regionRolloutId: saved.id,
    at: now,
  });
  const ref = { quarantineId: id, artifactId: artifact.id, version: artifact.version, digest: artifact.digest, causeText, rolledBackRolloutId: rollout.id };
  const elsewhere = await tx.quarantines.runningElsewhere(rollout.serviceId, artifact.digest, saved.id, TERMINAL_PHASES);
  const still =
    elsewhere.length > 0 ? ` Still running it: ${elsewhere.map((e) => e.regionId).join(", ")} (each may roll back; none is rolled back for it).` : "";
  const events = [
    eventValues({
      at: now,
      type: "release.quarantined",
      actor: rollback.actor,
      message: `${rollout.serviceId} ${artifact.version} is quarantined: ${saved.regionId} rolled it back after ${causeText}. No rollout of it starts anywhere until an sre lifts the quarantine.${still}`,
      serviceId: rollout.serviceId,
      rolloutId: rollout.id,
      regionId: saved.regionId,
      correlationId: rollout.correlationId,
      data: { ...ref, elsewhere: elsewhere.map((e) => ({ regionId: e.regionId, rolloutId: e.rolloutId })) },
    }),
    ...elsewhere.map((e) =>
      eventValues({
        at: now,
        type: "rollout.quarantine_notice",
        actor: rollback.actor,
        message: `${artifact.version} was rolled back in ${saved.regionId} after ${causeText} and is now quarantined. ${e.regionId} keeps running it: rolling it back here is your call (Roll back on this rollout's page).`,
        serviceId: rollout.serviceId,
        rolloutId: e.rolloutId,
        regionId: e.regionId,
        correlationId: e.correlationId,
        data: { ...ref, quarantinedIn: saved.regionId },
      }),
    ),
  ];
  await input.consumers.enqueue(tx, await tx.events.insertAll(events));
}

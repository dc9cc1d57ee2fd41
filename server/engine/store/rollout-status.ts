/**
 * A rollout's status follows its regions: re-derived in the transaction that changed a region's phase, with
 * one event when it changes (rollout.succeeded, rollout.failed, rollout.aborted, rollout.running when a retry
 * re-opens it).
 */
import type { Store } from "@/db/client";
import type { RolloutStatus } from "@/db/schema/rollouts";
import { rolloutStatus } from "@/server/engine/machine";
import type { EventConsumers } from "./event-consumers";
import { eventValues } from "@/server/engine/machine/events";

type RolloutRef = { id: string; serviceId: string; correlationId: string };

export async function updateRolloutStatus(tx: Store, rollout: RolloutRef, now: number, consumers: EventConsumers): Promise<RolloutStatus> {
  const regions = await tx.regionRollouts.phasesOfRollout(rollout.id);
  const current = await tx.rollouts.byId(rollout.id);
  const status = rolloutStatus(regions.map((r) => r.phase));
  if (!current || current.status === status) return status;

  await tx.rollouts.setStatus(rollout.id, status, status === "running" ? null : now);
  const byPhase = (phase: string) => regions.filter((r) => r.phase === phase).map((r) => r.regionId);
  const summary = ["succeeded", "rolled_back", "blocked", "aborted"]
    .map((phase) => [phase.replace("_", " "), byPhase(phase)] as const)
    .filter(([, ids]) => ids.length > 0)
    .map(([phase, ids]) => `${phase}: ${ids.join(", ")}`)
    .join("; ");
  const message =
    status === "running"
      ? "The rollout is running again."
      : `The rollout ${status === "succeeded" ? "succeeded" : status === "failed" ? "failed" : "was aborted"} (${summary}).`;
  const written = await tx.events.insertAll([
    eventValues({
      at: now,
      type: `rollout.${status}`,
      actor: "engine",
      message,
      serviceId: rollout.serviceId,
      rolloutId: rollout.id,
      correlationId: rollout.correlationId,
      data: { regions: Object.fromEntries(regions.map((r) => [r.regionId, r.phase])) },
    }),
  ]);
  await consumers.enqueue(tx, written);
  return status;
}

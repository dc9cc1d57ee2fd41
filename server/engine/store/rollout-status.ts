/**
 * A rollout's status follows its regions: re-derived in the transaction that changed a region's phase, with
 * one event when it changes (rollout.succeeded, rollout.failed, rollout.aborted, rollout.running when a retry
 * re-opens it).
 */
import { eq } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { events, regionRollouts, rollouts } from "@/db/schema";
import type { RolloutStatus } from "@/db/schema/rollouts";
import { rolloutStatus } from "@/server/engine/machine";
import type { EventConsumers } from "./event-consumers";
import { eventValues } from "@/server/engine/machine/events";

type RolloutRef = { id: string; serviceId: string; correlationId: string };

export function updateRolloutStatus(tx: Tx, rollout: RolloutRef, now: number, consumers: EventConsumers): RolloutStatus {
  const regions = tx
    .select({ regionId: regionRollouts.regionId, phase: regionRollouts.phase })
    .from(regionRollouts)
    .where(eq(regionRollouts.rolloutId, rollout.id))
    .all();
  const current = tx.select({ status: rollouts.status }).from(rollouts).where(eq(rollouts.id, rollout.id)).get();
  const status = rolloutStatus(regions.map((r) => r.phase));
  if (!current || current.status === status) return status;

  tx.update(rollouts)
    .set({ status, finishedAt: status === "running" ? null : now })
    .where(eq(rollouts.id, rollout.id))
    .run();
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
  const written = tx
    .insert(events)
    .values(
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
    )
    .returning()
    .all();
  consumers.enqueue(tx, written);
  return status;
}

/**
 * The summary of an emergency rollback of every region (server/engine/machine/emergency-batch.ts), written by the
 * save that settles the last region of the batch, in its transaction: the saves of one batch read its regions one
 * transaction at a time (`exclusive`; SQLite runs one at a time anyway, PostgreSQL replicas in parallel), so
 * exactly one save sees every region of the batch settled. A region settles when its rollback was carried out
 * and verified (or overtaken), or when its first try failed (it keeps being retried, and alerts on its own).
 */
import type { Store } from "@/db/client";
import { BATCH_EVENT_TYPES, BATCH_WINDOW_MS, batchSummary, memberOutcome, openBatchOf } from "@/server/engine/machine/emergency-batch";
import { eventValues, type EmergencyOutcome } from "@/server/engine/machine/events";
import type { EventConsumers } from "./event-consumers";
import type { RegionRolloutRow } from "./load";

type SettleInput = { row: RegionRolloutRow; saved: RegionRolloutRow; serviceId: string; now: number; consumers: EventConsumers };

/** The open batch this region rollout belongs to, read from the events of the last BATCH_WINDOW_MS. */
export async function openEmergencyBatch(tx: Store, regionRolloutId: string, now: number) {
  const rows = [];
  for (const type of BATCH_EVENT_TYPES) rows.push(...(await tx.events.auditPage({ type, from: now - BATCH_WINDOW_MS }, 200)));
  return openBatchOf(rows, regionRolloutId);
}

export async function settleEmergencyBatch(tx: Store, { row, saved, serviceId, now, consumers }: SettleInput): Promise<void> {
  // Only a save that settles a requested rollback: carried out (the request cleared) or its first try failed.
  if (row.requestedAction !== "rollback") return;
  if (saved.requestedAction !== null && !(row.rollbackAttempts === 0 && saved.rollbackAttempts > 0)) return;
  await tx.exclusive(`emergency-batch:${serviceId}`);
  const batch = await openEmergencyBatch(tx, saved.id, now);
  if (!batch) return;
  const outcomes: EmergencyOutcome[] = [];
  for (const region of batch.requested) {
    const state = region.regionRolloutId === saved.id ? saved : await tx.regionRollouts.byId(region.regionRolloutId);
    const outcome = state ? memberOutcome(region, state, batch.at) : { ...region, outcome: "finished" as const, detail: "its rollout is gone", tookMs: null };
    if (!outcome) return;
    outcomes.push(outcome);
  }
  const summary = batchSummary(batch, outcomes, serviceId);
  const written = await tx.events.insertAll([
    eventValues({ ...summary, at: now, actor: batch.actor, serviceId, rolloutId: null, regionId: null, correlationId: batch.batchId }),
  ]);
  await consumers.enqueue(tx, written);
}

/**
 * The emergency rollback of every region of a service (dashboard, `flightdeck rollback --all`, REST
 * `POST /api/v1/services/:id/rollback`). Each region that can be rolled back gets the one-region rollback
 * (`rollbackRegion`: the same request the engine carries out, verified, in every region at once); the others are
 * named with the reason they were left alone. One event records the batch; the engine writes its summary, the
 * one incident card, once every region settled (server/engine/machine/emergency-batch.ts). An idempotency key
 * (the REST API's `Idempotency-Key`) makes a retry answer with the first request's outcome for 24 hours.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Store } from "@/db/client";
import { actorRef } from "@/server/actor";
import { actorCan } from "@/server/auth/roles";
import { regionsInOrder } from "@/server/config/load";
import { fixedClock } from "@/server/engine/clock";
import { eventValues, readEvent, type EmergencyRegion, type EmergencySkip } from "@/server/engine/machine/events";
import { eventConsumersOf, parseInput, type ServiceContext } from "./context";
import { conflict, forbidden, notFound, preconditionFailed, ServiceError } from "./errors";
import { holdKey, IdempotencyKey, recentEventsOf } from "./idempotency";
import { rollbackRegion } from "./region-commands";
import { rollbackOptionOf, rollbackSummary } from "./rollback-options";

export const RollbackServiceInput = z.strictObject({ serviceId: z.string().min(1).max(100), idempotencyKey: IdempotencyKey.optional() });
export type RollbackServiceInput = z.input<typeof RollbackServiceInput>;

export type ServiceRollbackAnswer = {
  serviceId: string;
  batchId: string;
  /** True when this answers a retry with an idempotency key already used: nothing new was requested. */
  replayed: boolean;
  requested: Array<EmergencyRegion & { summary: string }>;
  skipped: EmergencySkip[];
};

export async function rollbackService(ctx: ServiceContext, raw: RollbackServiceInput): Promise<ServiceRollbackAnswer> {
  const now = ctx.clock.now();
  const input = parseInput(RollbackServiceInput, raw);
  if (!actorCan(ctx.actor, "region.rollback")) throw forbidden("An emergency rollback of every region needs the deployer, sre or admin role.");
  const service = ctx.config.services.find((s) => s.id === input.serviceId);
  if (!service) throw notFound(`There is no service "${input.serviceId}" in the fleet config (known: ${ctx.config.services.map((s) => s.id).join(", ")}).`);
  const actor = actorRef(ctx.actor);

  return ctx.db.transaction(async (tx) => {
    if (input.idempotencyKey) {
      await holdKey(tx, actor, input.idempotencyKey);
      const earlier = await earlierAnswer(tx, actor, input.idempotencyKey, now);
      if (earlier && earlier.serviceId !== service.id) {
        throw conflict(
          `Idempotency key ${input.idempotencyKey} was already used for the emergency rollback of ${earlier.serviceId}; use a new key for another request.`,
        );
      }
      if (earlier) return earlier;
    }
    // Each region's request is its own savepoint: a region refused (its state changed since the look) is left alone, the others go on.
    const inTx: ServiceContext = { ...ctx, db: tx, clock: fixedClock(now) };
    const requested: EmergencyRegion[] = [];
    const skipped: EmergencySkip[] = [];
    for (const region of regionsInOrder(ctx.config)) {
      const option = await rollbackOptionOf(tx, ctx.config, service.id, region.id);
      if (!option.possible) {
        skipped.push({ regionId: region.id, reason: option.reason });
        continue;
      }
      try {
        await rollbackRegion(inTx, { serviceId: service.id, regionId: region.id });
        const { regionId, rolloutId, regionRolloutId, inCanary, canaryPct, colour, release, version } = option;
        requested.push({ regionId, rolloutId, regionRolloutId, inCanary, canaryPct, colour, release, version });
      } catch (err) {
        if (!(err instanceof ServiceError)) throw err;
        skipped.push({ regionId: region.id, reason: err.message });
      }
    }
    if (requested.length === 0) {
      throw preconditionFailed(`Nothing to roll back in any region of ${service.name}: ${skipped.map((s) => `${s.regionId}: ${s.reason}`).join(" ")}`);
    }

    const batchId = randomUUID();
    const words = requested.map(rollbackSummary);
    const left = skipped.map((s) => `${s.regionId} left alone (${s.reason})`);
    const written = await tx.events.insertAll([
      eventValues({
        at: now,
        type: "service.rollback_requested",
        actor,
        message: `${ctx.actor.name} asked for an emergency rollback of every region of ${service.name}: ${[...words, ...left].join("; ")}.`,
        serviceId: service.id,
        correlationId: batchId,
        data: { batchId, actor, idempotencyKey: input.idempotencyKey ?? null, requested, skipped },
      }),
    ]);
    await eventConsumersOf(ctx).enqueue(tx, written);
    return answerOf(service.id, batchId, requested, skipped, false);
  });
}

function answerOf(serviceId: string, batchId: string, requested: EmergencyRegion[], skipped: EmergencySkip[], replayed: boolean): ServiceRollbackAnswer {
  return { serviceId, batchId, replayed, requested: requested.map((r) => ({ ...r, summary: rollbackSummary(r) })), skipped };
}

/** The answer of the batch this actor requested with this key in the last 24 hours, if any. */
async function earlierAnswer(tx: Store, actor: string, key: string, now: number): Promise<ServiceRollbackAnswer | null> {
  for (const row of await recentEventsOf(tx, "service.rollback_requested", actor, now)) {
    const ev = readEvent(row);
    if (ev?.type !== "service.rollback_requested" || ev.data.idempotencyKey !== key) continue;
    return answerOf(row.serviceId ?? "", ev.data.batchId ?? "", ev.data.requested ?? [], ev.data.skipped ?? [], true);
  }
  return null;
}

/**
 * The emergency rollback of every region of a service, as one batch: the service writes what it requested
 * (`service.rollback_requested`); each region is then rolled back by the engine on its own, in parallel, verified
 * like any rollback; once every region of the batch has settled (back and verified, or its move failing and being
 * retried), the engine writes one summary (`service.rolled_back`), which makes the one incident card. Pure: the
 * engine's store and the outbox read the events and rows and pass them in.
 */
import { readEvent, type EmergencyOutcome, type EmergencyRegion, type EmergencySkip, type EventOf } from "./events";
import { formatDuration } from "./messages";
import { event } from "./patches";
import type { RegionPhase } from "./types";

/** How far back a batch is looked for: a region whose move back fails for longer reports on its own. */
export const BATCH_WINDOW_MS = 24 * 3_600_000;

export type EmergencyBatch = { at: number; batchId: string; actor: string; requested: EmergencyRegion[]; skipped: EmergencySkip[] };

/** The event types a batch is read from (the store's callers fetch both, newer than BATCH_WINDOW_MS). */
export const BATCH_EVENT_TYPES = ["service.rollback_requested", "service.rolled_back"] as const;

/** The newest batch that names this region rollout and has no summary yet, or null; `rows` are events of both types. */
export function openBatchOf(rows: ReadonlyArray<{ at: number; type: string; data: unknown }>, regionRolloutId: string): EmergencyBatch | null {
  const events = rows.flatMap((row) => {
    const ev = readEvent(row);
    return ev ? [{ at: row.at, ev }] : [];
  });
  const summarised = new Set(events.flatMap(({ ev }) => (ev.type === "service.rolled_back" ? [ev.data.batchId] : [])));
  const requests = events.flatMap(({ at, ev }) => (ev.type === "service.rollback_requested" ? [{ at, data: ev.data }] : [])).sort((a, b) => b.at - a.at);
  for (const { at, data } of requests) {
    if (!data.batchId || summarised.has(data.batchId)) continue;
    const requested = data.requested ?? [];
    if (!requested.some((r) => r.regionRolloutId === regionRolloutId)) continue;
    return { at, batchId: data.batchId, actor: data.actor ?? "someone", requested, skipped: data.skipped ?? [] };
  }
  return null;
}

/** What the engine saved of a region of the batch. */
export type MemberState = {
  phase: RegionPhase;
  requestedAction: string | null;
  rollbackAttempts: number;
  rollbackLastError: string | null;
  outcomeReason: string | null;
  finishedAt: number | null;
};

/** How a region of the batch ended, or null while its rollback is still being carried out for the first time. */
export function memberOutcome(region: EmergencyRegion, state: MemberState, requestedAt: number): EmergencyOutcome | null {
  if (state.requestedAction === null) {
    return {
      ...region,
      outcome: state.phase === "rolled_back" ? "rolled_back" : "finished",
      detail: state.outcomeReason ?? state.phase,
      tookMs: state.finishedAt === null ? null : Math.max(0, state.finishedAt - requestedAt),
    };
  }
  if (state.rollbackAttempts > 0) {
    const error = state.rollbackLastError ?? "no error recorded";
    return {
      ...region,
      outcome: "retrying",
      detail: `moving traffic back to ${region.colour} failed (${error}); it is tried again until verified`,
      tookMs: null,
    };
  }
  return null;
}

/** "us-east back to blue, release 1.4.1, verified in 2 s". */
export function describeOutcome(o: EmergencyOutcome): string {
  const release = o.release ? `release ${o.release}` : "its previous release";
  if (o.outcome === "rolled_back")
    return `${o.regionId} back to ${o.colour}, ${release}, verified${o.tookMs === null ? "" : ` in ${formatDuration(o.tookMs)}`}`;
  if (o.outcome === "retrying") return `${o.regionId} not back yet: ${o.detail}`;
  return `${o.regionId} finished otherwise: ${o.detail}`;
}

/** The one summary of the batch, written once every region of it has settled. */
export function batchSummary(batch: EmergencyBatch, outcomes: EmergencyOutcome[], serviceId: string): EventOf<"service.rolled_back"> {
  const back = outcomes.filter((o) => o.outcome === "rolled_back").length;
  const skipped = batch.skipped.map((s) => `${s.regionId} left alone (${s.reason})`);
  const message =
    `Emergency rollback of ${serviceId} by ${batch.actor}: ${back} of ${outcomes.length} region${outcomes.length === 1 ? "" : "s"} back on the previous release. ` +
    `${[...outcomes.map(describeOutcome), ...skipped].join("; ")}.`;
  return event("service.rolled_back", message, {
    batchId: batch.batchId,
    serviceId,
    actor: batch.actor,
    requestedAt: batch.at,
    outcomes,
    skipped: batch.skipped,
  });
}

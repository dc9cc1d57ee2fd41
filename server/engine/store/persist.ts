/**
 * Saving one decision: the region rollout's patch (`WHERE version = expected`), its events, the samples that
 * were judged, the stage rows, what the region now serves, and the rollout's status, all in one transaction.
 * Used by the runner and by the manual actions in server/services, so both keep the same bookkeeping.
 */
import { and, eq, ne, notInArray, sql } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { events, regionRollouts, regionStates } from "@/db/schema";
import {
  TERMINAL_PHASES,
  type Assessment,
  type EventDraft,
  type Observation,
  type RegionPhase,
  type RegionRolloutState,
  type Transition,
} from "@/server/engine/machine/types";
import { eventActor } from "@/server/engine/machine/events";
import { countsOf } from "@/server/engine/machine/sample-counts";
import type { TrafficSplit } from "@/server/providers/types";
import type { EventConsumers } from "./event-consumers";
import type { RegionRolloutRow, RolloutRow } from "./load";
import { updateRolloutStatus } from "./rollout-status";
import { updateStageRows } from "./stage-rows";
import { statements, type Statements } from "./statements";

export type SaveTransitionInput = {
  row: RegionRolloutRow;
  rollout: Pick<RolloutRow, "id" | "serviceId" | "artifactId" | "correlationId" | "strategy">;
  transition: Transition;
  now: number;
  /** Who the events name unless an event names its own actor (`data.actor`). */
  actor: string;
  /** What hears of the events: the outbox rows in this transaction, the counters once it committed. */
  consumers: EventConsumers;
  /** When the runner must look at this region rollout again (default: now). */
  nextTickAt?: number;
  assessment?: Assessment;
  observation?: Observation;
  /** The split the traffic provider read back, when this decision moved traffic. */
  verifiedSplit?: TrafficSplit;
  /** Extra rows written in the same transaction (a command's own bookkeeping). */
  also?: (tx: Tx, saved: RegionRolloutRow) => void;
};

/** Columns a decision may change; identity and plan columns never move. */
const PATCHABLE: ReadonlyArray<keyof RegionRolloutState> = [
  "phase",
  "paused",
  "pauseReason",
  "stageIndex",
  "stageStartedAt",
  "deadlineAt",
  "pausedRemainingMs",
  "canaryPct",
  "fromColour",
  "toColour",
  "breaches",
  "inconclusive",
  "lastSampleAt",
  "lastVerdict",
  "requestedAction",
  "requestedBy",
  "cause",
  "outcomeReason",
  "attempt",
  "startedAt",
  "finishedAt",
  "rollbackAttempts",
  "rollbackNextAt",
  "rollbackLastError",
  "rollbackFirstFailedAt",
  "rollbackLastAlertAt",
  "observeUntil",
  "extendedMs",
  "promotedAt",
];

export const isTerminal = (phase: RegionPhase) => TERMINAL_PHASES.includes(phase);

/**
 * Returns the saved row, or null when the row changed since it was read (another writer won: stop).
 * The hot statements are prepared on the connection; better-sqlite3 runs them inside the open transaction
 * (a PostgreSQL port prepares them on the transaction's client instead).
 */
export function saveTransition(db: Db, input: SaveTransitionInput): RegionRolloutRow | null {
  const saved = db.transaction((tx) => {
    const { row, now } = input;
    const q = statements(db);
    const merged: Record<string, unknown> = { ...row };
    for (const key of PATCHABLE) if (key in input.transition.patch) merged[key] = input.transition.patch[key];
    const driverValues = { ...merged, paused: merged.paused ? 1 : 0, cause: merged.cause == null ? null : JSON.stringify(merged.cause) };
    const saved = q.saveRegionRollout.get({
      ...driverValues,
      nextTickAt: input.nextTickAt ?? now,
      updatedAt: now,
      newVersion: row.version + 1,
      version: row.version,
    });
    if (!saved) return null;

    const written = input.transition.events.map((e) => {
      const values = eventRow(input, e);
      return { ...values, id: q.insertEvent.get(values)!.id };
    });
    if (input.assessment && input.observation) insertSamples(q, row, input.assessment, input.observation);
    // After the samples: an incident card shows the breaching sample's numbers.
    input.consumers.enqueue(tx, written);
    updateStageRows(tx, row, saved, now);
    updateRegionState(tx, input, saved);
    if (saved.phase !== row.phase) {
      if (isTerminal(saved.phase) && input.rollout.strategy !== "parallel") wakeDownstream(tx, saved, now);
      updateRolloutStatus(tx, input.rollout, now, input.consumers);
    } else if (row.observeUntil !== null && saved.observeUntil === null) {
      // The observation period ended quietly: the next region may start now.
      wakeDownstream(tx, saved, now);
    }
    input.also?.(tx, saved);
    return saved;
  });
  // Counted once committed: a decision that lost its race did not happen.
  if (saved) input.consumers.count(input.row.regionId, input.transition.events, input.assessment && input.observation ? input.assessment.verdict : undefined);
  return saved;
}

/** The runner saw nothing to do before `nextTickAt`; unless the row changed meanwhile (a command woke it). */
export function saveNextTick(db: Db, row: RegionRolloutRow, nextTickAt: number): boolean {
  return statements(db).saveNextTick.run({ nextTickAt, id: row.id, version: row.version }).changes === 1;
}

type EventContext = Pick<SaveTransitionInput, "row" | "rollout" | "now" | "actor" | "consumers">;

function eventRow(input: EventContext, e: EventDraft) {
  return {
    at: input.now,
    type: e.type,
    actor: eventActor(e) ?? input.actor,
    message: e.message,
    serviceId: input.rollout.serviceId,
    rolloutId: input.rollout.id,
    regionId: input.row.regionId,
    correlationId: input.rollout.correlationId,
    data: e.data,
  };
}

/** Events about a region rollout, written in the caller's transaction. */
export function insertEvents(tx: Tx, input: EventContext, drafts: EventDraft[]): void {
  if (drafts.length === 0) return;
  input.consumers.enqueue(
    tx,
    tx
      .insert(events)
      .values(drafts.map((e) => eventRow(input, e)))
      .returning()
      .all(),
  );
  input.consumers.count(input.row.regionId, drafts);
}

/**
 * The canary sample with its verdict and the figures behind it (bounds, p-values, effect sizes), and the old
 * colour's as the baseline it is compared with; both with their error counts, so a verdict can be re-derived.
 */
function insertSamples(q: Statements, row: RegionRolloutRow, assessment: Assessment, observation: Observation): void {
  const base = { regionRolloutId: row.id, stageIndex: row.stageIndex, takenAt: observation.to };
  q.insertSample.run({
    ...base,
    role: "canary",
    ...measured(observation.canary),
    verdict: assessment.verdict,
    reasons: assessment.reasons,
    judgement: assessment.judgement ?? null,
  });
  if (observation.baseline) q.insertSample.run({ ...base, role: "baseline", ...measured(observation.baseline), verdict: null, reasons: null, judgement: null });
}

function measured(m: Observation["canary"]) {
  const counts = countsOf(m);
  return {
    requests: m.requests,
    errors: counts.errors,
    errorRatePct: m.errorRatePct,
    latencyP95Ms: m.latencyP95Ms,
    cpuPct: m.cpuPct ?? null,
    memoryPct: m.memoryPct ?? null,
    healthStatus: m.healthStatus ?? null,
  };
}

/**
 * What the region serves: the verified split after any traffic move; the new colour and artifact once the
 * region succeeded; the old ones back after an emergency rollback; and the region freed once this rollout
 * is done with it.
 */
function updateRegionState(tx: Tx, input: SaveTransitionInput, saved: RegionRolloutRow): void {
  const { row, rollout, now } = input;
  const where = and(eq(regionStates.serviceId, rollout.serviceId), eq(regionStates.regionId, row.regionId));
  const set: Partial<typeof regionStates.$inferInsert> = {};
  if (input.verifiedSplit) set.greenPct = input.verifiedSplit.green;
  if (saved.phase === "succeeded" && row.phase !== "succeeded") {
    Object.assign(set, { liveColour: saved.toColour, liveArtifactId: rollout.artifactId, previousArtifactId: saved.previousArtifactId });
  }
  if (row.phase === "succeeded" && saved.phase !== "succeeded") {
    Object.assign(set, { liveColour: saved.fromColour, liveArtifactId: saved.previousArtifactId, previousArtifactId: rollout.artifactId });
  }
  if (Object.keys(set).length > 0)
    tx.update(regionStates)
      .set({ ...set, updatedAt: now })
      .where(where)
      .run();
  if (isTerminal(saved.phase) && saved.requestedAction === null) {
    tx.update(regionStates)
      .set({ activeRegionRolloutId: null, updatedAt: now })
      .where(and(where, eq(regionStates.activeRegionRolloutId, saved.id)))
      .run();
  }
}

/** The next region of a chain looks again now rather than at its next idle check. */
function wakeDownstream(tx: Tx, saved: RegionRolloutRow, now: number): void {
  tx.update(regionRollouts)
    .set({ nextTickAt: now, version: sql`${regionRollouts.version} + 1` })
    .where(
      and(
        eq(regionRollouts.rolloutId, saved.rolloutId),
        eq(regionRollouts.position, saved.position + 1),
        notInArray(regionRollouts.phase, [...TERMINAL_PHASES]),
        ne(regionRollouts.id, saved.id),
      ),
    )
    .run();
}

/**
 * Saving one decision: the region rollout's patch (`WHERE version = expected`), its events, the samples that
 * were judged, the stage rows, what the region now serves, and the rollout's status, all in one transaction.
 * Used by the runner and by the manual actions in server/services, so both keep the same bookkeeping.
 */
import type { Store } from "@/db/client";
import type { SampledSave } from "@/db/store/store";
import type { LeaseClaim } from "@/db/store/repositories/leases";
import type { RegionStateRow } from "@/db/store/repositories/regions";
import { TERMINAL_PHASES, type Assessment, type EventDraft, type Observation, type RegionPhase, type Transition } from "@/server/engine/machine/types";
import { eventActor } from "@/server/engine/machine/events";
import { countsOf } from "@/server/engine/machine/sample-counts";
import type { TrafficSplit } from "@/server/providers/types";
import { settleEmergencyBatch } from "./emergency-batch";
import { quarantineOnBreach } from "./quarantine";
import type { EventConsumers } from "./event-consumers";
import type { RegionRolloutRow, RolloutRow } from "./load";
import { updateRolloutStatus } from "./rollout-status";
import { updateStageRows } from "./stage-rows";

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
  also?: (tx: Store, saved: RegionRolloutRow) => Promise<void> | void;
  /** The runner's lease on the rollout: confirmed first in the transaction, else `LeaseLost` and nothing written. */
  lease?: LeaseClaim;
};

/** The runner's lease was taken over since it was read (the runner was paused or cut off): its pass writes nothing. */
export class LeaseLost extends Error {
  override readonly name = "LeaseLost";
  constructor(readonly lease: LeaseClaim) {
    super(`lease ${lease.name} is no longer held by ${lease.owner} with token ${lease.token}: another runner took it over`);
  }
}

export const isTerminal = (phase: RegionPhase) => TERMINAL_PHASES.includes(phase);

/**
 * Returns the saved row, or null when the row changed since it was read (another writer won: stop). Throws
 * `LeaseLost` when the runner's lease (`input.lease`) moved to another owner or token.
 * The patch is laid over the row as read; the store writes every column a decision may change (the identity
 * and plan columns never move), `WHERE version = expected`, with its hot statements prepared per connection.
 */
export async function saveTransition(db: Store, input: SaveTransitionInput): Promise<RegionRolloutRow | null> {
  const { row, now } = input;
  const next: RegionRolloutRow = { ...row, ...input.transition.patch, nextTickAt: input.nextTickAt ?? now, updatedAt: now };
  const judged = input.assessment && input.observation ? { assessment: input.assessment, observation: input.observation } : null;
  const saved = isSampleOnly(input, next) ? await saveSampleOnly(db, input, next, judged) : await saveWhole(db, input, next, judged);
  // Counted once committed: a decision that lost its race did not happen.
  if (saved) input.consumers.count(row.regionId, input.transition.events, judged?.assessment.verdict);
  return saved;
}

type Judged = { assessment: Assessment; observation: Observation } | null;

/**
 * A runner's pass that only took a sample: no event, the same phase and stage, no traffic moved, no request of a
 * person to settle, no observation period ending. Everything but the row and its samples would write nothing
 * (stage rows, what the region serves, the next region, quarantine, emergency batch), so the store saves it as one
 * write (`Store.saveSampled`: one statement on PostgreSQL).
 */
function isSampleOnly(input: SaveTransitionInput, next: RegionRolloutRow): input is SaveTransitionInput & { lease: LeaseClaim } {
  const { row } = input;
  return (
    input.lease !== undefined &&
    input.transition.events.length === 0 &&
    input.verifiedSplit === undefined &&
    input.also === undefined &&
    next.phase === row.phase &&
    next.stageIndex === row.stageIndex &&
    !isTerminal(row.phase) &&
    row.requestedAction === null &&
    !(row.observeUntil !== null && next.observeUntil === null)
  );
}

async function saveSampleOnly(db: Store, input: SaveTransitionInput & { lease: LeaseClaim }, next: RegionRolloutRow, judged: Judged) {
  const result = await db.saveSampled({ next, expectedVersion: input.row.version, lease: input.lease, samples: judged ? sampleRows(input.row, judged) : [] });
  if (!result.fenced) throw new LeaseLost(input.lease);
  return result.saved;
}

async function saveWhole(db: Store, input: SaveTransitionInput, next: RegionRolloutRow, judged: Judged): Promise<RegionRolloutRow | null> {
  return db.transaction(async (tx) => {
    const { row, now } = input;
    if (input.lease && !(await tx.leases.confirm(input.lease))) throw new LeaseLost(input.lease);
    const saved = await tx.regionRollouts.saveVersioned(next, row.version);
    if (!saved) return null;

    const written = [];
    for (const e of input.transition.events) {
      const values = eventRow(input, e);
      written.push({ ...values, id: await tx.events.insertOne(values) });
    }
    if (judged) {
      const [sample, baseline] = sampleRows(row, judged);
      await tx.samples.insert(sample, baseline);
    }
    // After the samples: an incident card shows the breaching sample's numbers.
    await input.consumers.enqueue(tx, written);
    await updateStageRows(tx, row, saved, now);
    await updateRegionState(tx, input, saved);
    if (saved.phase !== row.phase) {
      if (isTerminal(saved.phase) && input.rollout.strategy !== "parallel") await wakeDownstream(tx, saved, now);
      await updateRolloutStatus(tx, input.rollout, now, input.consumers);
    } else if (row.observeUntil !== null && saved.observeUntil === null) {
      // The observation period ended quietly: the next region may start now.
      await wakeDownstream(tx, saved, now);
    }
    // A breach rollback quarantines its release in this same transaction: never lost, never doubled.
    await quarantineOnBreach(tx, { rollout: input.rollout, saved, now, consumers: input.consumers }, written);
    await input.also?.(tx, saved);
    // The last region of an emergency rollback of every region to settle writes the batch's one summary.
    await settleEmergencyBatch(tx, { row, saved, serviceId: input.rollout.serviceId, now, consumers: input.consumers });
    return saved;
  });
}

/** The runner saw nothing to do before `nextTickAt`; unless the row changed meanwhile (a command woke it). */
export async function saveNextTick(db: Store, row: RegionRolloutRow, nextTickAt: number): Promise<boolean> {
  return db.regionRollouts.saveNextTick(row.id, row.version, nextTickAt);
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
export async function insertEvents(tx: Store, input: EventContext, drafts: EventDraft[]): Promise<void> {
  if (drafts.length === 0) return;
  await input.consumers.enqueue(tx, await tx.events.insertAll(drafts.map((e) => eventRow(input, e))));
  input.consumers.count(input.row.regionId, drafts);
}

/**
 * The canary sample with its verdict and the figures behind it (bounds, p-values, effect sizes), and the old
 * colour's as the baseline it is compared with; both with their error counts, so a verdict can be re-derived.
 */
function sampleRows(row: RegionRolloutRow, { assessment, observation }: NonNullable<Judged>): SampledSave["samples"] {
  const canary = sampleRow(row, observation.to, "canary", observation.canary, assessment);
  return observation.baseline ? [canary, sampleRow(row, observation.to, "baseline", observation.baseline, null)] : [canary];
}

/** One literal, not spreads of smaller ones: a save of every pass, and each spread was one more object to build. */
function sampleRow(row: RegionRolloutRow, takenAt: number, role: "canary" | "baseline", m: Observation["canary"], assessment: Assessment | null) {
  return {
    regionRolloutId: row.id,
    stageIndex: row.stageIndex,
    takenAt,
    role,
    requests: m.requests,
    errors: countsOf(m).errors,
    errorRatePct: m.errorRatePct,
    latencyP95Ms: m.latencyP95Ms,
    cpuPct: m.cpuPct ?? null,
    memoryPct: m.memoryPct ?? null,
    healthStatus: m.healthStatus ?? null,
    verdict: assessment?.verdict ?? null,
    reasons: assessment?.reasons ?? null,
    judgement: assessment?.judgement ?? null,
  };
}

/**
 * What the region serves: the verified split after any traffic move; the new colour and artifact once the
 * region succeeded; the old ones back after an emergency rollback; and the region freed once this rollout
 * is done with it.
 */
async function updateRegionState(tx: Store, input: SaveTransitionInput, saved: RegionRolloutRow): Promise<void> {
  const { row, rollout, now } = input;
  const set: Partial<RegionStateRow> = {};
  if (input.verifiedSplit) set.greenPct = input.verifiedSplit.green;
  if (saved.phase === "succeeded" && row.phase !== "succeeded") {
    Object.assign(set, { liveColour: saved.toColour, liveArtifactId: rollout.artifactId, previousArtifactId: saved.previousArtifactId });
  }
  if (row.phase === "succeeded" && saved.phase !== "succeeded") {
    Object.assign(set, { liveColour: saved.fromColour, liveArtifactId: saved.previousArtifactId, previousArtifactId: rollout.artifactId });
  }
  if (Object.keys(set).length > 0) await tx.regions.setServing(rollout.serviceId, row.regionId, set, now);
  if (isTerminal(saved.phase) && saved.requestedAction === null) await tx.regions.release(rollout.serviceId, row.regionId, saved.id, now);
}

/** The next region of a chain looks again now rather than at its next idle check. */
async function wakeDownstream(tx: Store, saved: RegionRolloutRow, now: number): Promise<void> {
  await tx.regionRollouts.wakeNext(saved, TERMINAL_PHASES, now);
}

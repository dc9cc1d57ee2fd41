/**
 * The runner's side of `metrics.fast`: between two regular samples of a canary stage it reads the load
 * balancer's cumulative request counters every `intervalMs` and hands the machine the counts since the stage's
 * traffic moved (the counters read just before that move are the base; after a restart, the first read in the
 * stage is). The bases live in memory, per region rollout: they are a cache, and a lost one costs one read.
 * A read that fails is logged and skipped: the regular samples carry on, and they alert.
 */
import type { Logger } from "pino";
import { decideFast, fastObservationOf, wantsFastRead, type FastObservation } from "@/server/engine/machine/decide-fast";
import type { Action, DecideInput, Observation, RegionRolloutState } from "@/server/engine/machine/types";
import { countsSince } from "@/server/providers/metrics-haproxy-stats/stat-csv";
import type { Colour, FastMetricsProvider, RegionProviders, RequestCounters } from "@/server/providers/types";

type Counters = Record<Colour, RequestCounters>;
/** `stageStartedAt` null: read before a traffic move to `move` (attempt and percent), not yet adopted by its stage. */
type Base = { stageStartedAt: number | null; move: string; at: number; counters: Counters };

const bases = new Map<string, Base>();

export type FastDeps = { fast: FastMetricsProvider | undefined; now: () => number; signal?: AbortSignal; log: Logger };

async function read(deps: FastDeps & { fast: FastMetricsProvider }, region: string): Promise<Counters | null> {
  try {
    return await deps.fast.counters({ region, signal: deps.signal });
  } catch (err) {
    if (err instanceof Error && err.name === "AbortError") throw err;
    deps.log.warn({ err: err instanceof Error ? err.message : String(err) }, "load balancer counters unavailable; the regular samples carry on");
    return null;
  }
}

/**
 * The region's fast source, when it has one. Providers that cannot be built are left for the deploy or the
 * traffic move to report (they pause the region with the reason); here they just mean no fast reads.
 */
export function fastSourceOf(providersFor: (regionId: string) => RegionProviders, regionId: string): FastMetricsProvider | undefined {
  try {
    return providersFor(regionId).fast;
  } catch {
    return undefined;
  }
}

/** Just before a stage's traffic move: the counters its stage counts from. */
export async function beforeStageMove(deps: FastDeps, state: RegionRolloutState, action: Action): Promise<void> {
  if (!deps.fast || action.kind !== "effect" || action.effect.kind !== "setWeight" || action.effect.reason !== "stage") return;
  const at = deps.now();
  const counters = await read({ ...deps, fast: deps.fast }, state.regionId);
  if (counters) bases.set(state.id, { stageStartedAt: null, move: `${state.attempt}/${action.effect.canaryPct}`, at, counters });
}

/** The counts of the current stage so far, or null (no fast source, nothing to watch, a first read, a failed one). */
async function fastObservation(deps: FastDeps, state: RegionRolloutState): Promise<FastObservation | null> {
  if (!deps.fast || !wantsFastRead({ state }) || state.stageStartedAt === null) {
    bases.delete(state.id);
    return null;
  }
  const at = deps.now();
  const counters = await read({ ...deps, fast: deps.fast }, state.regionId);
  if (!counters) return null;
  let base = bases.get(state.id);
  if (base && base.stageStartedAt === null && base.move === `${state.attempt}/${state.canaryPct}`) {
    base = { ...base, stageStartedAt: state.stageStartedAt };
    bases.set(state.id, base);
  }
  if (!base || base.stageStartedAt !== state.stageStartedAt) {
    bases.set(state.id, { stageStartedAt: state.stageStartedAt, move: `${state.attempt}/${state.canaryPct}`, at, counters });
    return null;
  }
  const { toColour, fromColour } = state;
  return {
    since: base.at,
    at,
    canary: countsSince(base.counters[toColour], counters[toColour]),
    baseline: countsSince(base.counters[fromColour], counters[fromColour]),
  };
}

/** Between two samples: the rollback the stage's counts so far call for, with them as its sample; else null. */
export async function fastBreach(deps: FastDeps, input: DecideInput): Promise<{ action: Action; observation: Observation } | null> {
  const counted = await fastObservation(deps, input.state);
  const action = counted && decideFast({ ...input, now: deps.now() }, counted);
  return counted && action ? { action, observation: fastObservationOf(counted) } : null;
}

/** When to look again: no later than one fast interval from now while fast reads are of use. */
export function fastWakeAt(fast: FastMetricsProvider | undefined, state: RegionRolloutState, nextTickAt: number, now: number): number {
  return fast && wantsFastRead({ state }) ? Math.min(nextTickAt, now + fast.intervalMs) : nextTickAt;
}

/**
 * One reconcile pass of a region rollout: load its state, ask the machine what to do, carry out that one
 * action (observe, a state change, or an effect under its step key), save the result in one transaction, and
 * ask again until the machine says wait. A save that finds the row changed means someone else acted (a
 * command, another runner): the pass stops and the next tick starts from what is stored.
 */
import type { Logger } from "pino";
import type { Store } from "@/db/client";
import type { RegionRolloutRow } from "@/db/store/repositories/region-rollouts";
import type { LeaseClaim } from "@/db/store/repositories/leases";
import type { FleetConfig } from "@/server/config/schema";
import { decide } from "@/server/engine/machine";
import { stageSampleOf } from "@/server/engine/machine/sample-counts";
import { successOf } from "@/server/engine/machine/patches";
import { activeFreeze, type StopAll } from "@/server/engine/machine/freeze";
import type { BalancerCheck } from "@/server/engine/machine/events";
import type { Action, DecideInput, Effect, EffectResult, EventDraft, Observation, Transition } from "@/server/engine/machine/types";
import { logger as rootLogger } from "@/server/log";
import type { DeployVerification, RegionProviders, TrafficSplit } from "@/server/providers/types";
import type { Clock } from "@/server/engine/clock";
import { loadRegionRolloutContext, rememberSample, rowToState, type ContextCache, type RegionRolloutContext } from "../store/load";
import type { EventConsumers } from "../store/event-consumers";
import { isTerminal, saveNextTick, saveTransition } from "../store/persist";
import { beforeStageMove, fastBreach, fastSourceOf, fastWakeAt, type FastDeps } from "./fast-observe";
import { observeWindow, type HistoryCache } from "./observe";
import { findDone } from "./find-done";
import { runStep } from "./steps";
import { checkAfterFailedMove } from "./traffic-check";

export type ReconcileDeps = {
  db: Store;
  config: FleetConfig;
  clock: Clock;
  providersFor: (regionId: string) => RegionProviders;
  log?: Logger;
  signal?: AbortSignal;
  /** What never changes about a region rollout, kept between passes (the runner keeps one). */
  cache?: ContextCache;
  /** Actions per pass before yielding to the other region rollouts (each missed window replayed is one). */
  maxActions?: number;
  /** What hears of the events saved (outbox rows, counters). */
  consumers: EventConsumers;
  /** The runner's lease on the rollout, checked by each save (a lost one throws `LeaseLost`). */
  lease?: LeaseClaim;
  /** The stop-all in force as the runner read it for this tick (the pass's first load); omitted, it is read. */
  stopAll?: StopAll | null;
  /**
   * The row as the runner's scan of due work read it this tick: the pass starts from it rather than read it again
   * (a round trip per pass on PostgreSQL). Before an effect on the world, the row is read afresh and the pass
   * stops if it changed meanwhile (a person's command): nothing is done on a decision the database moved past.
   * A save is version-checked anyway.
   */
  scanned?: RegionRolloutRow;
};

export type ReconcileResult = {
  /** waiting: saved its next tick; lost: the row changed under us; capped: more to do next tick; missing: no such row. */
  outcome: "waiting" | "lost" | "capped" | "missing";
  actions: number;
  nextTickAt: number | null;
  /** Whether the region rollout was left paused (known when the outcome is waiting). */
  paused?: boolean;
};

/**
 * The pass's logger, bound to its rollout and region when first used. A sample pass logs only when something fails,
 * and a pino child runs the logger's redaction over its bindings: made each pass, 4 KB; kept per region rollout, a
 * thousand loggers' strings for the collector to mark.
 */
function passLogger(parent: Logger, ctx: RegionRolloutContext): Logger {
  const bindings = { correlationId: ctx.rollout.correlationId, rolloutId: ctx.rollout.id, regionId: ctx.row.regionId };
  let child: Logger | undefined;
  return new Proxy(parent, {
    get(_, key) {
      child ??= parent.child(bindings);
      const value: unknown = Reflect.get(child, key, child);
      return typeof value === "function" ? value.bind(child) : value;
    },
  });
}

/** Waiting on a person (approval, paused): look again now and then in case a wake-up was missed. */
export const IDLE_RECHECK_MS = 60_000;

export async function reconcileRegionRollout(deps: ReconcileDeps, regionRolloutId: string): Promise<ReconcileResult> {
  const maxActions = deps.maxActions ?? 50;
  const first = await loadRegionRolloutContext(deps.db, deps.config, regionRolloutId, deps.cache, deps.stopAll, deps.scanned);
  if (!first) return { outcome: "missing", actions: 0, nextTickAt: null };
  let ctx: RegionRolloutContext = first;
  /** Whether `ctx.row` is known current: read by this pass or saved by it, not taken from the tick's scan. */
  let current = deps.scanned === undefined;
  const log = passLogger(deps.log ?? rootLogger, ctx);
  const history: HistoryCache = new Map();

  for (let actions = 0; actions < maxActions; actions++) {
    const input = decideInput(ctx, deps.clock.now());
    let action = decide(input);
    let observation: Observation | undefined;
    if (action.kind === "observe") {
      const { metrics } = deps.providersFor(ctx.row.regionId);
      observation = await observeWindow({ metrics, now: deps.clock.now(), signal: deps.signal, log }, ctx, action.from, action.to, history);
      action = decide({ ...input, now: deps.clock.now(), observation });
    }
    // metrics.fast: between two samples, the load balancer's counts of the stage so far may call the rollback sooner.
    const fast: FastDeps = { fast: fastSourceOf(deps.providersFor, ctx.row.regionId), now: () => deps.clock.now(), signal: deps.signal, log };
    const fastFound = action.kind === "wait" && fast.fast ? await fastBreach(fast, input) : null;
    if (fastFound) ({ action, observation } = fastFound);
    if (action.kind === "wait" || action.kind === "observe") {
      // Only the first decision of a pass gets here: later ones were foreseen and saved with the change.
      if (action.kind === "observe") log.error({ action }, "the machine asked for a second observation in one decision");
      const nextTickAt =
        action.kind === "wait"
          ? fastWakeAt(fast.fast, ctx.state, action.until ?? deps.clock.now() + IDLE_RECHECK_MS, deps.clock.now())
          : deps.clock.now() + 1_000;
      return (await saveNextTick(deps.db, ctx.row, nextTickAt))
        ? { outcome: "waiting", actions, nextTickAt, paused: ctx.state.paused }
        : { outcome: "lost", actions, nextTickAt: null };
    }

    if (action.kind === "effect" && !current) {
      if ((await deps.db.regionRollouts.byId(ctx.row.id))?.version !== ctx.row.version) return { outcome: "lost", actions, nextTickAt: null };
      current = true;
    }
    await beforeStageMove(fast, ctx.state, action);
    const done = await carryOut(deps, ctx, action, log);
    // Decide the next step on the new state before saving, so a pass that ends in a wait saves once.
    // A judged sample joins its stage's samples, so the next decision of this pass accumulates it too.
    const judged = observation && action.assessment ? stageSampleOf(observation, action.assessment) : null;
    const stageSamples = judged ? [...ctx.stageSamples, judged] : ctx.stageSamples;
    const after: RegionRolloutContext = { ...ctx, state: { ...ctx.state, ...done.transition.patch }, stageSamples };
    const phaseChanged = after.state.phase !== ctx.state.phase;
    const next = phaseChanged ? null : decide(decideInput(after, deps.clock.now()));
    const nextTickAt =
      next?.kind === "wait" ? fastWakeAt(fast.fast, after.state, next.until ?? deps.clock.now() + IDLE_RECHECK_MS, deps.clock.now()) : deps.clock.now();
    const saved = await saveTransition(deps.db, {
      row: ctx.row,
      rollout: ctx.rollout,
      actor: "engine",
      consumers: deps.consumers,
      transition: done.transition,
      now: deps.clock.now(),
      nextTickAt,
      assessment: action.assessment,
      observation,
      verifiedSplit: done.split,
      lease: deps.lease,
    });
    if (!saved) return { outcome: "lost", actions: actions + 1, nextTickAt: null };
    if (judged) rememberSample(deps.cache, ctx.row, judged);
    if (isTerminal(saved.phase) && saved.requestedAction === null) deps.cache?.delete(saved.id);
    if (next?.kind === "wait") return { outcome: "waiting", actions: actions + 1, nextTickAt, paused: saved.paused };
    // A new phase may need what only a fresh read gives (the upstream region, the approvals).
    // A pass may have run long (a deploy): the stop-all is read again rather than taken from the tick.
    const reloaded = phaseChanged
      ? await loadRegionRolloutContext(deps.db, deps.config, regionRolloutId, deps.cache)
      : { ...after, row: saved, state: rowToState(saved) };
    if (!reloaded) return { outcome: "missing", actions: actions + 1, nextTickAt: null };
    ctx = reloaded;
    current = true;
  }
  return { outcome: "capped", actions: maxActions, nextTickAt: deps.clock.now() };
}

function decideInput(ctx: RegionRolloutContext, now: number): DecideInput {
  return {
    now,
    state: ctx.state,
    stages: ctx.stages,
    analysis: ctx.analysis,
    strategy: ctx.rollout.strategy,
    delayMs: (ctx.rollout.delayMinutes ?? 0) * 60_000,
    upstream: ctx.upstream,
    gate: ctx.gate,
    hasDownstream: ctx.hasDownstream,
    stageSamples: ctx.stageSamples,
    freeze: activeFreeze(ctx.freezeRules, ctx.region.environment, now, ctx.rollout.breakGlassReason ? { startedAt: ctx.rollout.createdAt } : null),
  };
}

type Done = { transition: Transition; split?: TrafficSplit };

/** A state change as decided, or an effect under its step key and the change its outcome calls for. */
async function carryOut(
  deps: ReconcileDeps,
  ctx: RegionRolloutContext,
  action: Extract<Action, { kind: "transition" | "effect" }>,
  log: Logger,
): Promise<Done> {
  if (action.kind === "transition") return { transition: action.transition };
  try {
    const { result } = await runStep(
      deps.db,
      {
        key: action.stepKey,
        regionRolloutId: ctx.row.id,
        effect: action.effect,
        run: () => perform(deps, ctx, action.effect),
        findDone: () => findDone(deps.providersFor(ctx.row.regionId), ctx, action.effect, deps.signal),
      },
      () => deps.clock.now(),
    );
    const reported: EffectResult = result.verified ? { deploy: result.verified } : {};
    return { transition: withDeployLog(successOf(action, reported), result.log), split: result.split };
  } catch (err) {
    if (err instanceof Error && err.name === "AbortError") throw err;
    const message = err instanceof Error ? err.message : String(err);
    log.warn({ stepKey: action.stepKey, err: message }, "effect failed");
    if (action.effect.kind === "setWeight" && action.effect.reason === "stage") {
      const checked = await checkAfterFailedMove(deps.providersFor(ctx.row.regionId), ctx.state, ctx.rollout.correlationId, deps.signal);
      return { transition: withBalancerCheck(action.onFailure(`${message}; ${checked.note}`), checked.balancer) };
    }
    // A failed deploy's steps (what ran on the host before it failed) go with the event that reports it.
    return { transition: withDeployLog(action.onFailure(message), logOf(err)) };
  }
}

/** The effect itself. Its result is what the step stores: a re-run after a crash gets it back without acting. */
async function perform(
  deps: ReconcileDeps,
  ctx: RegionRolloutContext,
  effect: Effect,
): Promise<{ split?: TrafficSplit; log?: string[]; verified?: DeployVerification }> {
  const providers = deps.providersFor(ctx.row.regionId);
  if (effect.kind === "deploy") {
    const { artifact } = ctx;
    const result = await providers.deploy.deploy({
      region: ctx.row.regionId,
      colour: effect.colour,
      artifact: { version: artifact.version, digest: artifact.digest, url: artifact.url },
      correlationId: ctx.rollout.correlationId,
      signal: deps.signal,
    });
    return { log: result.log, ...(result.verified ? { verified: result.verified } : {}) };
  }
  const split = await providers.traffic.setWeight({
    region: ctx.row.regionId,
    colour: effect.colour,
    canaryPct: effect.canaryPct,
    correlationId: ctx.rollout.correlationId,
    signal: deps.signal,
  });
  return { split };
}

function logOf(err: unknown): string[] | undefined {
  const lines = (err as { log?: unknown } | null)?.log;
  return Array.isArray(lines) && lines.every((l) => typeof l === "string") ? lines : undefined;
}

/** What the load balancer was found holding goes with the traffic.failed event. */
function withBalancerCheck(transition: Transition, balancer: BalancerCheck): Transition {
  const events = transition.events.map((e) => (e.type === "traffic.failed" ? ({ ...e, data: { ...e.data, balancer } } as EventDraft) : e));
  return { ...transition, events };
}

/** The deploy's own log goes with its first event, for whoever reads the timeline. */
function withDeployLog(transition: Transition, lines: string[] | undefined): Transition {
  if (!lines || transition.events.length === 0) return transition;
  const [first, ...rest] = transition.events;
  // The same event with its data and the log: a spread loses the tie between type and data, so it is restated.
  return { ...transition, events: [{ ...first, data: { ...first.data, log: lines } } as EventDraft, ...rest] };
}

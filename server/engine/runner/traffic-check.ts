/**
 * Reconcile, don't script: when a runner takes a rollout over (at start, or after another runner died), it
 * asks each region's load balancer what it holds and, where that differs from the split last verified and
 * stored, puts the stored split back (event traffic.reconciled). The database is the truth the engine acts on.
 * The runner does the same for a region resumed after a pause: a load balancer restarted while it was paused
 * (HAProxy comes back with its config's weights) would otherwise hold another split than the events say.
 *
 * Except where a weight change is not recorded on the region yet: a step still `started` (the process died after
 * the balancer moved and before the step was recorded), or the latest one done (it died after the step's record
 * and before the region's) may be why the balancer is ahead of the stored split. A split on the way from the
 * verified one to that step's target (the target included) is left to the step, which asks the balancer when it
 * runs again (or replays its stored result) and is then recorded on the region: traffic never moves back to a
 * split the step had already passed.
 */
import type { Logger } from "pino";
import type { Store } from "@/db/client";
import { TERMINAL_PHASES } from "@/server/engine/machine/types";
import type { Effect } from "@/server/engine/machine/types";
import type { BalancerCheck } from "@/server/engine/machine/events";
import { splitFor, type Colour, type RegionProviders, type TrafficSplit } from "@/server/providers/types";
import type { Clock } from "@/server/engine/clock";
import { crashPoint } from "@/server/engine/crash-points";
import type { EventConsumers } from "../store/event-consumers";
import type { RegionRolloutRow, RolloutRow } from "../store/load";
import { insertEvents } from "../store/persist";

export type TrafficCheckDeps = {
  db: Store;
  clock: Clock;
  providersFor: (regionId: string) => RegionProviders;
  log: Logger;
  signal?: AbortSignal;
  consumers: EventConsumers;
};

/** Returns how many regions were put back. A provider that cannot be reached is logged and left for later. */
export async function reconcileTraffic(deps: TrafficCheckDeps, rolloutId: string): Promise<number> {
  const { db } = deps;
  const rollout = await db.rollouts.byId(rolloutId);
  if (!rollout) return 0;
  const rows = await db.regionRollouts.unfinishedOfRollout(rolloutId, TERMINAL_PHASES);
  let fixed = 0;
  for (const row of rows) if (await restoreVerifiedSplit(deps, rollout, row)) fixed++;
  return fixed;
}

/**
 * One region: put the last verified split back when the load balancer holds another (true when it did).
 * A region whose rollback is pending (a breach's cause is stored, a person's abort or rollback is waiting, or a
 * failed move back is being retried) is left alone: moving it back toward the new colour would undo what the
 * rollback that comes next is for.
 */
export async function restoreVerifiedSplit(deps: TrafficCheckDeps, rollout: RolloutRow, row: RegionRolloutRow): Promise<boolean> {
  const { db } = deps;
  if (row.cause !== null || row.requestedAction !== null || row.rollbackAttempts > 0) return false;
  const log = deps.log.child({ correlationId: rollout.correlationId, rolloutId: rollout.id, regionId: row.regionId });
  try {
    const { traffic } = deps.providersFor(row.regionId);
    const expected = splitFor(row.toColour, row.canaryPct);
    const actual = await traffic.getWeight({ region: row.regionId, correlationId: rollout.correlationId, signal: deps.signal });
    if (actual.blue === expected.blue && actual.green === expected.green) return false;
    const unrecorded = await unrecordedMoveTowards(db, row, expected, actual);
    if (unrecorded) {
      log.info({ stepKey: unrecorded, found: actual }, "the load balancer holds what a weight change not yet recorded was moving to; left to that step");
      return false;
    }
    crashPoint("traffic-check.before-effect");
    const verified = await traffic.setWeight({
      region: row.regionId,
      colour: row.toColour,
      canaryPct: row.canaryPct,
      correlationId: rollout.correlationId,
      signal: deps.signal,
    });
    crashPoint("traffic-check.after-effect");
    const now = deps.clock.now();
    // The provider calls are done: the transaction holds store writes only.
    await db.transaction(async (tx) => {
      await tx.regions.setServing(rollout.serviceId, row.regionId, { greenPct: verified.green }, now);
      await insertEvents(tx, { row, rollout, now, actor: "engine", consumers: deps.consumers }, [
        {
          type: "traffic.reconciled",
          message: `${row.regionId}: the load balancer held blue ${actual.blue} % / green ${actual.green} %, but the last verified split was blue ${expected.blue} % / green ${expected.green} %; put back.`,
          data: { found: actual, restored: verified },
        },
      ]);
    });
    crashPoint("traffic-check.after-record");
    return true;
  } catch (err) {
    if (err instanceof Error && err.name === "AbortError") throw err;
    log.error({ err: err instanceof Error ? err.message : String(err) }, "could not check the traffic split");
    return false;
  }
}

/**
 * After a stage's weight change failed: a move cut off half-way (a connection reset after the first weight was
 * set, a runtime socket that went away mid-command) can leave the balancer between two splits, which no one has
 * verified. It is read now and, when it holds another split than the verified one, that split is put back (read
 * back by the provider). What was found goes with the failure's event; when the balancer cannot be read the
 * split is said to be unverified, and the resume puts the verified split back before anything else.
 */
export async function checkAfterFailedMove(
  providers: RegionProviders,
  state: { regionId: string; toColour: Colour; canaryPct: number },
  correlationId: string,
  signal?: AbortSignal,
): Promise<{ note: string; balancer: BalancerCheck }> {
  const expected = splitFor(state.toColour, state.canaryPct);
  const show = (s: TrafficSplit) => `blue ${s.blue} % / green ${s.green} %`;
  try {
    const found = await providers.traffic.getWeight({ region: state.regionId, correlationId, signal });
    if (found.blue === expected.blue && found.green === expected.green)
      return { note: `the load balancer holds ${show(found)}, as verified`, balancer: { found } };
    const restored = await providers.traffic.setWeight({ region: state.regionId, colour: state.toColour, canaryPct: state.canaryPct, correlationId, signal });
    return { note: `the load balancer held ${show(found)} and was put back to ${show(restored)}, read back`, balancer: { found, restored } };
  } catch (err) {
    if (err instanceof Error && err.name === "AbortError") throw err;
    const why = err instanceof Error ? err.message : String(err);
    return {
      note: `what the load balancer holds could not be read back (${why}): unverified until it answers; a resume puts ${show(expected)} back first`,
      balancer: { unverified: why },
    };
  }
}

/**
 * The key of a weight change of the region's current attempt that the region does not record yet, whose move from
 * `verified` toward its target has reached `held` (the new colour's share between the two, its target included);
 * else null. Not recorded: left `started`, or the latest one done with another target than the stored split
 * (each recorded weight change stores its target as the region's split, so the latest done one shows the split
 * stored unless the process died between the two records). Step keys of an attempt start with
 * `<region rollout id>/a<attempt>/` (engine/machine).
 */
async function unrecordedMoveTowards(db: Store, row: RegionRolloutRow, verified: TrafficSplit, held: TrafficSplit): Promise<string | null> {
  const prefix = `${row.id}/a${row.attempt}/`;
  const share = (split: TrafficSplit) => split[row.toColour];
  const moves = (await db.steps.listForRegionRollouts([row.id])).filter(
    (step) => step.key.startsWith(prefix) && (step.effect as Effect | null)?.kind === "setWeight",
  );
  const latestDone = moves
    .filter((step) => step.status === "done")
    .sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0))
    .at(-1);
  for (const step of [...moves.filter((s) => s.status === "started"), ...(latestDone ? [latestDone] : [])]) {
    const effect = step.effect as Extract<Effect, { kind: "setWeight" }>;
    const target = share(splitFor(effect.colour, effect.canaryPct));
    const [low, high] = [Math.min(share(verified), target), Math.max(share(verified), target)];
    if (share(held) >= low && share(held) <= high) return step.key;
  }
  return null;
}

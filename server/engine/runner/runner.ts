/**
 * The tick loop. Each tick: heartbeat and a lease scan (`rollout-leases.ts`: renew, take free leases up to this
 * runner's fair share of the rollouts with work left) when due, then reconcile every due region rollout of the
 * rollouts this runner holds, each save confirming the lease's fencing token. On the real clock the heartbeat
 * and lease scan run beside the passes, not before them: their reads wait their turn behind the passes in
 * flight, and every pass due meanwhile was that much later (the p99 lag of the engine bench).
 *
 * Between ticks it sleeps until the earliest stored `nextTickAt` (at most `maxSleepMs`). It looks again when the
 * store's live signal says something was committed (a command that wakes a region is seen at once; at most one
 * look per `COMMIT_LOOK_GAP_MS` however much is committed) and every `pollMs` (1 s) without one: another process
 * on the same SQLite file signals nothing. One region's error never stops the others. With a virtual clock every tick runs to completion before time
 * moves on, so a run is deterministic.
 */
import { setMaxListeners } from "node:events";
import { hostname } from "node:os";
import type { Logger } from "pino";
import type { Store } from "@/db/client";
import type { RegionRolloutRow } from "@/db/store/repositories/region-rollouts";
import type { FleetConfig } from "@/server/config/schema";
import { TERMINAL_PHASES } from "@/server/engine/machine/types";
import { logger as rootLogger } from "@/server/log";
import type { RegionProviders } from "@/server/providers/types";
import { abortError, type Clock } from "@/server/engine/clock";
import type { StopAll } from "@/server/engine/machine/freeze";
import { stopAllInForce, type ContextCache } from "../store/load";
import type { EventConsumers } from "../store/event-consumers";
import { eventConsumers } from "../outbox/consumers";
import { LeaseLost } from "../store/persist";
import { reconcileRegionRollout } from "./reconcile";
import { RolloutLeases } from "./rollout-leases";
import { runnerIdOf } from "./runner-ids";
import { reconcileTraffic, restoreVerifiedSplit } from "./traffic-check";

export type RunnerOptions = {
  db: Store;
  config: FleetConfig;
  clock: Clock;
  providersFor: (regionId: string) => RegionProviders;
  id?: string;
  /** How long a lease holds without renewal; another runner takes the rollout over after that. */
  leaseTtlMs?: number;
  /** Longest sleep between ticks (real or virtual time). */
  maxSleepMs?: number;
  /** How often a sleeping runner checks for a region woken by a command (real clock only). */
  pollMs?: number;
  log?: Logger;
  /** What hears of the events saved (outbox rows, counters); default: the real ones for `config`. */
  consumers?: EventConsumers;
};

type DueRows = Awaited<ReturnType<Store["regionRollouts"]["dueWithWorkLeft"]>>;

export type TickReport = { leased: string[]; reconciled: string[]; errors: number };

/** A sleeping runner looks at the store at most this often when commits signal it. */
const COMMIT_LOOK_GAP_MS = 50;

/**
 * The most passes a tick starts at once; it starts the rest after a turn of the event loop. Passes started together
 * run interleaved, each await letting the others on, so all their objects are alive together. When a scavenge found
 * most of them alive (a tick of hundreds of passes, as after a takeover or a pause in the process), V8 judged their
 * allocation sites long-lived and allocated every later pass's objects in the old generation, where each held the
 * pass's young objects alive until the next full collection: two fifths more promoted, scavenges half as long again.
 */
const LAUNCH_BATCH = 32;

/**
 * How many later region rollouts `nextDueAt` reads at once to find the first one this runner holds, when other
 * runners hold some rollouts; a runner that held all of them at its last lease scan reads one.
 */
const NEXT_DUE_LOOKAHEAD = 20;

export class Runner {
  readonly id: string;
  private readonly opts: Required<Omit<RunnerOptions, "id" | "log">> & { log: Logger };
  /** The rollouts whose lease we hold. */
  private readonly leases: RolloutLeases;
  /** Passes running, by region rollout, with the rollout whose lease they save under. */
  private readonly inFlight = new Map<string, { rolloutId: string; done: Promise<void> }>();
  private readonly cache: ContextCache = new Map();
  /** Region rollouts this runner left paused: once one is resumed, its traffic is checked before it goes on. */
  private readonly pausedSeen = new Set<string>();
  private lastHeartbeatAt = -Infinity;
  private lastLeaseScanAt = -Infinity;
  /** Whether this runner held every rollout with work left at its last lease scan (the look-ahead then reads one). */
  private heldAll = false;
  /** The heartbeat and lease scan in flight, if any. */
  private housekeeping: Promise<void> | null = null;
  /** Rollouts just taken over whose traffic is being checked: none of their passes starts before it is. */
  private readonly settling = new Set<string>();
  /**
   * What the last `nextDueAt` found due, or null when it found nothing due now. Never an older read: a pass starts
   * from its tick's row, and a row read before its region's last pass saved would start a pass on a stale row.
   */
  private lastDueRead: DueRows | null = null;
  /** The due rows the real-clock sleep woke on, taken by the tick it wakes so one scan serves both. */
  private dueRead: DueRows | null = null;
  private abort = unlimited(new AbortController());
  private loop: Promise<void> | null = null;
  /** The store's live signal, heard while the loop runs: something was committed since the sleeper last looked. */
  private committed = false;
  private onCommit: (() => void) | null = null;
  private unsubscribeLive: (() => void) | null = null;
  private readonly startedAt: number;

  constructor(options: RunnerOptions) {
    this.id = runnerIdOf(options.id);
    this.opts = {
      leaseTtlMs: 15_000,
      maxSleepMs: 1_000,
      pollMs: 1_000,
      ...options,
      consumers: options.consumers ?? eventConsumers(options.config),
      log: (options.log ?? rootLogger).child({ runner: this.id }),
    };
    this.startedAt = options.clock.now();
    this.leases = new RolloutLeases({
      db: options.db,
      owner: this.id,
      leaseTtlMs: this.opts.leaseTtlMs,
      log: this.opts.log,
      onTake: (rolloutId) => this.settling.add(rolloutId),
      onDrop: (rolloutId) => {
        for (const [id, fixed] of this.cache) if (fixed.rollout.id === rolloutId) this.cache.delete(id);
      },
    });
  }

  /** Start the loop in the background. Resolves once the first tick has been launched. */
  async start(): Promise<void> {
    if (this.loop) return;
    this.abort = unlimited(new AbortController());
    this.unsubscribeLive = this.opts.db.live.subscribe(this.heardCommit);
    const first = this.launchTick(true);
    this.loop = this.run(first);
    await first;
  }

  /**
   * Stop ticking, let effects in flight stop at their next wait, and give the leases up (their tokens kept). The
   * runner leaves the live count at once, so the others' fair share takes its rollouts now.
   */
  async stop(): Promise<void> {
    this.abort.abort();
    this.unsubscribeLive?.();
    this.unsubscribeLive = null;
    await this.loop?.catch(() => undefined);
    this.loop = null;
    await this.housekeeping;
    await Promise.allSettled([...this.inFlight.values()].map((pass) => pass.done));
    await this.leases.releaseAll();
    this.lastHeartbeatAt = -Infinity;
  }

  /** One tick, waiting for every reconcile it started (tests and the simulator drive the engine with this). */
  async tick(): Promise<TickReport> {
    const { report, done } = await this.launchTick(true);
    await done;
    return report;
  }

  /**
   * The earliest time a region rollout of a rollout we hold is due, ignoring those being reconciled now.
   * Work left: not finished; or finished with a person's request (emergency rollback) to carry out, a failed
   * move back to the old colour to try again, or an observation period (delayed strategy) still running.
   */
  async nextDueAt(): Promise<number | null> {
    const { db, clock } = this.opts;
    const now = clock.now();
    const mine = (r: { id: string; rolloutId: string }) => this.launchable(r);
    const dueNow = await this.dueRows(now);
    const due = dueNow.find(mine);
    this.lastDueRead = due ? dueNow : null;
    if (due) return due.nextTickAt;
    const limit = this.heldAll ? 1 : NEXT_DUE_LOOKAHEAD;
    const later = await db.regionRollouts.nextWithWorkLeft(TERMINAL_PHASES, now, limit);
    // Past a page of rollouts that another runner holds, wake at the last of them and look again.
    return (later.find(mine) ?? (later.length === limit ? later.at(-1) : undefined))?.nextTickAt ?? null;
  }

  private async run(first: Promise<{ done: Promise<void> }>): Promise<void> {
    const { clock } = this.opts;
    let pending: Promise<{ done: Promise<void> }> = first;
    while (!this.abort.signal.aborted) {
      try {
        const { done } = await pending;
        if (clock.kind === "virtual") await done;
        await this.sleepUntilDue();
      } catch (err) {
        if (err instanceof Error && err.name === "AbortError") break;
        this.opts.log.error({ err: describe(err) }, "runner tick failed");
        await clock.sleep(this.opts.maxSleepMs, this.abort.signal).catch(() => undefined);
      }
      if (this.abort.signal.aborted) break;
      pending = this.launchTick();
    }
  }

  private async sleepUntilDue(): Promise<void> {
    const { clock, maxSleepMs, pollMs } = this.opts;
    const signal = this.abort.signal;
    const now = clock.now();
    const next = await this.nextDueAt();
    // Virtual time costs nothing to skip: sleep straight to the next due time; a command given meanwhile is
    // seen at the next tick.
    if (clock.kind === "virtual") return clock.sleep(next === null ? maxSleepMs : Math.max(0, next - now), signal);
    if (next !== null && next <= now) {
      this.dueRead = this.lastDueRead;
      // Work is due already: the next tick starts at once, but after the timers and I/O waiting. On SQLite every
      // await of a tick resolves at once, so a runner that is behind would otherwise never yield: the web server
      // in its process, its own timers and a parent's messages would wait until it caught up.
      return new Promise((resolve) => setImmediate(resolve));
    }
    const until = now + Math.min(Math.max(0, (next ?? Infinity) - now), maxSleepMs);
    while (clock.now() < until) {
      await this.nap(Math.min(pollMs, until - clock.now()), signal);
      const due = await this.nextDueAt();
      if (due !== null && due <= clock.now()) {
        this.dueRead = this.lastDueRead;
        return;
      }
    }
  }

  /** Something was committed (by a pass of ours, or anywhere the store's live signal hears of). */
  private readonly heardCommit = () => {
    this.committed = true;
    this.onCommit?.();
  };

  /**
   * Sleep `ms` (real clock), or less when a commit is signalled, but no sooner than `COMMIT_LOOK_GAP_MS` after the
   * nap began. Rejects with an AbortError when `signal` aborts, as the clock's sleep does.
   */
  private nap(ms: number, signal: AbortSignal): Promise<void> {
    const startedAt = Date.now();
    return new Promise<void>((resolve, reject) => {
      let early: NodeJS.Timeout | undefined;
      const end = (aborted = false) => {
        clearTimeout(timer);
        clearTimeout(early);
        signal.removeEventListener("abort", onAbort);
        this.onCommit = null;
        this.committed = false;
        if (aborted) reject(abortError());
        else resolve();
      };
      const onAbort = () => end(true);
      const timer = setTimeout(end, ms);
      this.onCommit = () => {
        early ??= setTimeout(end, Math.max(0, startedAt + COMMIT_LOOK_GAP_MS - Date.now()));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      if (this.committed) this.onCommit();
    });
  }

  /**
   * Heartbeat and leases when due, then start the reconciles that are due; `done` settles when they all finished.
   * The loop's real-clock ticks do not wait for the heartbeat and leases (`waitForLeases`); the first tick, ticks on
   * the virtual clock (deterministic runs) and `tick()` do.
   */
  private async launchTick(waitForLeases = this.opts.clock.kind === "virtual"): Promise<{ report: TickReport; done: Promise<void> }> {
    const { db, clock } = this.opts;
    const now = clock.now();
    // Both are cheap but not free: at most once a second however often due work wakes the loop.
    const heartbeatDue = now - this.lastHeartbeatAt >= 1_000;
    const scanDue = now - this.lastLeaseScanAt >= Math.min(1_000, this.opts.leaseTtlMs / 4);
    if (!this.housekeeping && (heartbeatDue || scanDue)) {
      this.housekeeping = this.housekeep(heartbeatDue, scanDue, now).finally(() => (this.housekeeping = null));
    }
    if (waitForLeases) await this.housekeeping;

    const heldIds = this.leases.rolloutIds();
    // The rows the sleep that woke this tick found due, else a fresh read: each scan waits its turn for the
    // store behind the passes in flight, so reading twice made every pass that much later.
    const dueRows = this.dueRead ?? (heldIds.length === 0 ? [] : await this.dueRows(clock.now()));
    this.dueRead = null;
    // Held rollouts are filtered here, not with `rollout_id IN (...)`: binding a thousand ids cost ~2.5 ms a tick.
    const due = dueRows.filter((r) => this.launchable(r));
    // One read of the stop-all serves every pass of the tick (read per pass it cost ~7 % of a core at 1,000
    // rollouts). Read after the due rows: a lift wakes the regions it held, so their passes see it lifted.
    const stopAll = due.length > 0 ? await stopAllInForce(db) : null;

    const report: TickReport = { leased: heldIds, reconciled: [], errors: 0 };
    const launched: Promise<void>[] = [];
    for (let i = 0; i < due.length; i += LAUNCH_BATCH) {
      // Between batches, what the last batch set off runs first: on SQLite, its passes to their end.
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      for (const r of due.slice(i, i + LAUNCH_BATCH)) if (this.launchable(r)) launched.push(this.launch(r, stopAll, report));
    }
    return { report, done: Promise.all(launched).then(() => undefined) };
  }

  /** Start one pass, tracked in `inFlight` until it ends. */
  private launch(r: RegionRolloutRow, stopAll: StopAll | null, report: TickReport): Promise<void> {
    report.reconciled.push(r.id);
    const job = this.reconcileOne(r, stopAll).then((ok) => {
      if (!ok) report.errors++;
    });
    // A pass that ended may have left its region due at once (the next step of a chain): look again.
    const tracked = job.finally(() => {
      this.inFlight.delete(r.id);
      this.heardCommit();
    });
    this.inFlight.set(r.id, { rolloutId: r.rolloutId, done: tracked });
    return tracked;
  }

  /**
   * The region rollouts due by `now`, but those with a pass running when they were read: such a row may predate
   * that pass's save, and a pass starts from the row its tick read. The next scan reads them again.
   */
  private async dueRows(now: number): Promise<DueRows> {
    const running = this.inFlight.size === 0 ? null : new Set(this.inFlight.keys());
    const rows = await this.opts.db.regionRollouts.dueWithWorkLeft(TERMINAL_PHASES, now);
    return running ? rows.filter((r) => !running.has(r.id)) : rows;
  }

  /** A region rollout of a rollout we hold and whose traffic is checked, with no pass running. */
  private launchable(r: { id: string; rolloutId: string }): boolean {
    return this.leases.has(r.rolloutId) && !this.settling.has(r.rolloutId) && !this.inFlight.has(r.id);
  }

  /** Heartbeat and lease scan; a rollout just taken over first has its load balancers made to hold what the database says. */
  private async housekeep(heartbeatDue: boolean, scanDue: boolean, now: number): Promise<void> {
    try {
      if (heartbeatDue) await this.heartbeat(now);
      const taken = scanDue ? await this.renewLeases(now) : [];
      await Promise.all(
        taken.map((rolloutId) =>
          reconcileTraffic({ ...this.opts, signal: this.abort.signal }, rolloutId)
            .catch((err) => this.opts.log.error({ rolloutId, err: describe(err) }, "traffic check failed"))
            .finally(() => this.settling.delete(rolloutId)),
        ),
      );
    } catch (err) {
      if (err instanceof Error && err.name === "AbortError") return;
      this.opts.log.error({ err: describe(err) }, "runner heartbeat or lease scan failed");
    }
  }

  /** One pass, from the row as the tick's scan read it (`scanned`). */
  private async reconcileOne(scanned: RegionRolloutRow, stopAll: StopAll | null): Promise<boolean> {
    const { db, clock } = this.opts;
    const { id: regionRolloutId, rolloutId } = scanned;
    // The lease as it was when the pass began: every save of the pass confirms it.
    const lease = this.leases.claimOf(rolloutId);
    if (!lease) return true;
    try {
      // A region this runner left paused has its traffic checked first, and its pass reads its row afresh after that.
      const seenPaused = this.pausedSeen.has(regionRolloutId);
      if (seenPaused) await this.checkTrafficIfResumed(regionRolloutId);
      const deps = { ...this.opts, cache: this.cache, signal: this.abort.signal, lease, stopAll, scanned: seenPaused ? undefined : scanned };
      const result = await reconcileRegionRollout(deps, regionRolloutId);
      if (result.paused) this.pausedSeen.add(regionRolloutId);
      return true;
    } catch (err) {
      if (err instanceof Error && err.name === "AbortError") return true;
      // Taken over while this pass ran (we were paused or cut off): nothing of it was written, the rollout is
      // another runner's now, and the pass is not tried again.
      if (err instanceof LeaseLost) {
        this.leases.lost(rolloutId, lease);
        return true;
      }
      const row = await db.regionRollouts.logContext(regionRolloutId);
      this.opts.log.error({ ...row, regionRolloutId, err: describe(err) }, "reconcile failed; trying again in 5 s");
      // Look again a little later rather than spin on a failing region.
      await db.regionRollouts.deferTick(regionRolloutId, clock.now(), clock.now() + 5_000);
      return false;
    }
  }

  /**
   * A region resumed after a pause (a load balancer or metrics store that failed): the load balancer may have
   * lost the split meanwhile (a restarted HAProxy holds its config's weights), so the verified split is put
   * back first, with an event, rather than judging samples of traffic that never reached the new colour.
   */
  private async checkTrafficIfResumed(regionRolloutId: string): Promise<void> {
    const { db } = this.opts;
    const row = await db.regionRollouts.byId(regionRolloutId);
    if (row?.paused) return;
    this.pausedSeen.delete(regionRolloutId);
    const rollout = row && (await db.rollouts.byId(row.rolloutId));
    if (!row || !rollout || TERMINAL_PHASES.includes(row.phase)) return;
    await restoreVerifiedSplit({ ...this.opts, signal: this.abort.signal }, rollout, row);
  }

  private async heartbeat(now: number): Promise<void> {
    this.lastHeartbeatAt = now;
    await this.opts.db.runners.heartbeat({ id: this.id, pid: process.pid, host: hostname(), startedAt: this.startedAt, heartbeatAt: now });
  }

  /** A lease scan over the rollouts with work left; returns the ones newly taken. */
  private async renewLeases(now: number): Promise<string[]> {
    this.lastLeaseScanAt = now;
    const active = new Set(await this.opts.db.regionRollouts.rolloutIdsWithWorkLeft(TERMINAL_PHASES));
    const busy = (rolloutId: string) => [...this.inFlight.values()].some((pass) => pass.rolloutId === rolloutId);
    const taken = await this.leases.scan(active, busy, now);
    this.heldAll = [...active].every((rolloutId) => this.leases.has(rolloutId));
    return taken;
  }
}

/** Every effect in flight listens to the runner's signal: no listener limit. */
function unlimited(controller: AbortController): AbortController {
  setMaxListeners(0, controller.signal);
  return controller;
}

const describe = (err: unknown) => (err instanceof Error ? (err.stack ?? err.message) : String(err));

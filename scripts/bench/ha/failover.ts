/**
 * The failover part of the high-availability benchmark: three replicas on PostgreSQL drive the rollouts; again
 * and again, the one holding the most leases is killed with SIGKILL, and the time is taken from the kill to the
 * moment its leases have other owners (the leases table) and to the first sample of its rollouts by another
 * replica (the replicas' reports). A replacement then joins, and the leases spread again before the next kill.
 */
import { percentile } from "../engine/stats";
import { benchStore, leasesByOwner, sleep, startReplica, startRollouts, waitForHeartbeats, type BenchStore, type Replica } from "./cluster";
import { INTERVAL_MS } from "./fleet";

export type FailoverOptions = { database: string; rollouts: number; warmup: number; leaseTtlMs: number; logDir: string; kills: number };

export type Kill = {
  /** Rollouts the killed replica held. */
  victimHeld: number;
  /** From the kill to the first and the last of its leases owned by another replica. */
  leaseTakenMs: number | null;
  allLeasesTakenMs: number | null;
  /** From the kill to the first sample of one of its rollouts by another replica, and until all of them had one. */
  firstPassMs: number | null;
  allResumedMs: number | null;
};

export type FailoverResult = {
  leaseTtlMs: number;
  kills: Kill[];
  /** Why the kills stopped before the number asked for (an overloaded setup), else null. */
  stopped: string | null;
  firstPassMs: { p50: number | null; max: number | null };
  allResumedMs: { p50: number | null; max: number | null };
};

export async function measureFailover(o: FailoverOptions): Promise<FailoverResult> {
  const db = await benchStore(o.database, o.rollouts);
  const resumed: Array<{ target: string; at: number }> = [];
  let started = 0;
  const start = () =>
    startReplica(`failover-replica-${++started}`, {
      database: o.database,
      rollouts: o.rollouts,
      leaseTtlMs: o.leaseTtlMs,
      logDir: o.logDir,
      onResumed: (target, at) => resumed.push({ target, at }),
    });
  const replicas = [start(), start(), start()];
  try {
    await waitForHeartbeats(db, replicas);
    const startAt = Date.now() + 3_000 + o.rollouts * 4;
    const { targetOf } = await startRollouts(db, o.rollouts, startAt);
    await sleep(Math.max(startAt, Date.now()) + INTERVAL_MS + o.warmup * 1000 - Date.now());

    const kills: Kill[] = [];
    let stopped: string | null = null;
    for (let k = 0; k < o.kills && stopped === null; k++) {
      await spread(db, replicas, o);
      const held = await leasesByOwner(db);
      const victim = [...replicas].sort((a, b) => (held.get(b.id)?.length ?? 0) - (held.get(a.id)?.length ?? 0))[0];
      const victimRollouts = held.get(victim.id) ?? [];
      if (victimRollouts.length === 0) {
        stopped = `before kill ${k + 1}: no replica held a lease (overloaded: the leases lapse before they are renewed)`;
        break;
      }
      const victimTargets = new Set(victimRollouts.map((id) => targetOf.get(id)));

      victim.child.kill("SIGKILL");
      const killedAt = Date.now();
      replicas.splice(replicas.indexOf(victim), 1);
      const takenAt = new Map<string, number>();
      const firstPass = new Map<string, number>();
      const until = killedAt + o.leaseTtlMs * 3 + 10_000;
      while (Date.now() < until && (takenAt.size < victimRollouts.length || firstPass.size < victimTargets.size)) {
        const owners = new Map((await db.leases.unexpired(Date.now())).map((l) => [l.name.slice("rollout:".length), l.owner]));
        for (const id of victimRollouts) if (!takenAt.has(id) && owners.has(id) && owners.get(id) !== victim.id) takenAt.set(id, Date.now());
        for (const r of resumed) if (r.at > killedAt && victimTargets.has(r.target) && !firstPass.has(r.target)) firstPass.set(r.target, r.at);
        await sleep(50);
      }
      const after = (times: Iterable<number>, pick: (values: number[]) => number) => {
        const values = [...times];
        return values.length === 0 ? null : pick(values) - killedAt;
      };
      kills.push({
        victimHeld: victimRollouts.length,
        leaseTakenMs: after(takenAt.values(), (v) => Math.min(...v)),
        allLeasesTakenMs: takenAt.size === victimRollouts.length ? after(takenAt.values(), (v) => Math.max(...v)) : null,
        firstPassMs: after(firstPass.values(), (v) => Math.min(...v)),
        allResumedMs: firstPass.size === victimTargets.size ? after(firstPass.values(), (v) => Math.max(...v)) : null,
      });
      process.stdout.write(`    kill ${k + 1}: ${victimRollouts.length} rollouts, first pass elsewhere after ${kills.at(-1)!.firstPassMs ?? "n/a"} ms\n`);
      if (firstPass.size === 0) stopped = `after kill ${k + 1}: no rollout of the killed replica resumed within ${(until - killedAt) / 1000} s (overloaded)`;
      replicas.push(start());
      await waitForHeartbeats(db, replicas).catch((err: Error) => (stopped ??= `after kill ${k + 1}: ${err.message}`));
    }
    const first = kills.flatMap((k) => (k.firstPassMs === null ? [] : [k.firstPassMs]));
    const all = kills.flatMap((k) => (k.allResumedMs === null ? [] : [k.allResumedMs]));
    // A kill after which no rollout resumed counts as never: the maximum says so.
    // No kill measured (none done, or one missed) is no figure, never the max of nothing.
    const max = (values: number[]) => (values.length === 0 || values.length < kills.length ? null : Math.max(...values));
    return {
      leaseTtlMs: o.leaseTtlMs,
      kills,
      stopped,
      firstPassMs: { p50: percentile(first, 50), max: max(first) },
      allResumedMs: { p50: percentile(all, 50), max: max(all) },
    };
  } finally {
    for (const r of replicas) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill("SIGKILL");
    await db.close();
  }
}

/** Wait (at most three lease TTLs) until every replica holds its share of the leases, give or take a few. */
async function spread(db: BenchStore, replicas: Replica[], o: FailoverOptions): Promise<void> {
  const slack = Math.max(2, Math.ceil(o.rollouts * 0.02));
  const until = Date.now() + o.leaseTtlMs * 3;
  while (Date.now() < until) {
    const held = await leasesByOwner(db);
    const counts = replicas.map((r) => held.get(r.id)?.length ?? 0);
    if (Math.max(...counts) - Math.min(...counts) <= slack && counts.reduce((a, b) => a + b, 0) === o.rollouts) return;
    await sleep(250);
  }
}

import { and, asc, inArray, isNotNull, lte, notInArray, or } from "drizzle-orm";
import { regionRollouts } from "@/db/schema";
import { TERMINAL_PHASES } from "@/server/engine/machine/types";
import { Runner } from "@/server/engine/runner";
import { acquireLease, releaseLease, rolloutLeaseName } from "@/server/engine/runner/leases";
import { measureEngine } from "./scripts/bench/engine/measure";
const hasWorkLeft = or(notInArray(regionRollouts.phase, [...TERMINAL_PHASES]), isNotNull(regionRollouts.requestedAction));
/* eslint-disable */
if (process.env.OLD === "1") {
  const P = Runner.prototype as any;
  // The runner's lease scan and due query as they were before the benchmark (a25a634).
  P.renewLeases = function (this: any, now: number): string[] {
    const { db, leaseTtlMs } = this.opts;
    this.lastLeaseScanAt = now;
    const active = new Set<string>(db.selectDistinct({ rolloutId: regionRollouts.rolloutId }).from(regionRollouts).where(hasWorkLeft).all().map((r: any) => r.rolloutId));
    for (const rolloutId of [...this.held.keys()]) { if (active.has(rolloutId)) continue; releaseLease(db, rolloutLeaseName(rolloutId), this.id); this.held.delete(rolloutId); }
    const taken: string[] = [];
    for (const rolloutId of active) {
      const expiresAt = this.held.get(rolloutId);
      if (expiresAt !== undefined && expiresAt - now > leaseTtlMs / 2) continue;
      const renewed = acquireLease(db, rolloutLeaseName(rolloutId), this.id, now, leaseTtlMs);
      if (renewed === null) { this.held.delete(rolloutId); continue; }
      if (expiresAt === undefined) taken.push(rolloutId);
      this.held.set(rolloutId, renewed);
    }
    return taken;
  };
  const select = (this_: any, db: any, clock: any, heldIds: string[]) => db.select({ id: regionRollouts.id }).from(regionRollouts)
    .where(and(hasWorkLeft, inArray(regionRollouts.rolloutId, heldIds), lte(regionRollouts.nextTickAt, clock.now())))
    .orderBy(asc(regionRollouts.nextTickAt), asc(regionRollouts.rolloutId), asc(regionRollouts.position)).all().filter((r: any) => !this_.inFlight.has(r.id));
  P.launchTick = async function (this: any) {
    const { db, clock } = this.opts;
    const now = clock.now();
    if (now - this.lastHeartbeatAt >= 1_000) this.heartbeat(now);
    if (now - this.lastLeaseScanAt >= Math.min(1_000, this.opts.leaseTtlMs / 4)) this.renewLeases(now);
    const heldIds = [...this.held.keys()];
    const due = heldIds.length === 0 ? [] : select(this, db, clock, heldIds);
    const report = { leased: heldIds, reconciled: due.map((r: any) => r.id), errors: 0 };
    const launched = due.map((r: any) => { const tracked = this.reconcileOne(r.id).finally(() => this.inFlight.delete(r.id)); this.inFlight.set(r.id, tracked); return tracked; });
    return { report, done: Promise.all(launched).then(() => undefined) };
  };
}
const r = await measureEngine(1000, 5, 20);
console.log(process.env.OLD === "1" ? "before" : "after ", JSON.stringify({ p50: r.lagMs.p50, p99: r.lagMs.p99, max: r.lagMs.max, pps: Math.round(r.passesPerSecond), ticks: r.runnerTicksPerSecond?.toFixed(0), cpu: r.cpuPctOfCore.toFixed(1), wait: r.cpuWaitPct?.toFixed(1), load: r.loadAverage }));
process.exit(0);

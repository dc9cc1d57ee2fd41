/**
 * The spec's migration path, enforced: delayed first, parallel only after proven runs. `strategyVerdicts` says,
 * for each strategy, whether a service may start it now and why, from the service's rollout history and its last
 * rollback drill. Pure: the clock comes in as an argument; the start refuses with `reason`, the form shows it.
 */
import type { RolloutStatus, Strategy } from "@/db/schema/rollouts";
import type { StrategyPolicyConfig } from "@/server/config/schema";

/** One past rollout of the service, as the policy reads it. */
export type PolicyRollout = { strategy: Strategy; status: RolloutStatus; createdAt: number; allRegionsSucceeded: boolean };

/** The last rollback drill: a recorded `flightdeck simulate --fault` that rolled back, or a real rollback of the service. */
export type LastDrill = { at: number; kind: "simulated" | "rollback" };

/** What the verdict is computed from; `rollouts` newest first. */
export type PolicyHistory = { rollouts: readonly PolicyRollout[]; lastDrill: LastDrill | null };

export type StrategyVerdict = {
  strategy: Strategy;
  open: boolean;
  /** In words, for the form and the refusal. */
  reason: string;
  /** Parallel only: clean delayed rollouts in a row (newest first), and how many are needed (null: policy off). */
  cleanDelayed: number;
  needed: number | null;
};

const DAY_MS = 86_400_000;

const day = (at: number) => new Date(at).toISOString().slice(0, 10);

/** Consecutive delayed rollouts that succeeded in every region, counted from the newest finished one back. */
export function cleanDelayedInARow(rollouts: readonly PolicyRollout[]): number {
  let n = 0;
  for (const r of rollouts) {
    if (r.strategy !== "delayed" || r.status === "running") continue;
    if (r.status !== "succeeded" || !r.allRegionsSucceeded) break;
    n++;
  }
  return n;
}

function drillWords(lastDrill: LastDrill | null, withinDays: number, now: number): string | null {
  if (lastDrill && now - lastDrill.at <= withinDays * DAY_MS) return null;
  const since = lastDrill ? `no rollback drill since ${day(lastDrill.at)}` : "no rollback drill recorded";
  return `${since} (one is needed in the last ${withinDays} days: flightdeck simulate --fault … --record, or a real rollback)`;
}

function parallelVerdict(policy: StrategyPolicyConfig, history: PolicyHistory, now: number): StrategyVerdict {
  const cleanDelayed = cleanDelayedInARow(history.rollouts);
  if (policy === "off") return { strategy: "parallel", open: true, reason: "Open: this service's strategy policy is off.", cleanDelayed, needed: null };
  const needed = policy.cleanDelayedRollouts;
  const missing = [
    cleanDelayed < needed ? `${cleanDelayed} of ${needed} clean delayed rollouts` : null,
    drillWords(history.lastDrill, policy.drillWithinDays, now),
  ].filter((m): m is string => m !== null);
  if (missing.length === 0) {
    const drill = history.lastDrill!;
    const reason = `Open: ${cleanDelayed} clean delayed rollouts in a row and a rollback drill on ${day(drill.at)} (${drill.kind === "simulated" ? "simulated" : "a real rollback"}).`;
    return { strategy: "parallel", open: true, reason, cleanDelayed, needed };
  }
  const reason = `Parallel is not open yet (migration path): ${missing.join("; ")}. Use delayed until then.`;
  return { strategy: "parallel", open: false, reason, cleanDelayed, needed };
}

/**
 * Each strategy's verdict. Delayed is always open (it is where the path starts); sequential is always open too
 * (one region at a time behind the same health gates, only without the observation period), but only delayed
 * rollouts count towards parallel.
 */
export function strategyVerdicts(policy: StrategyPolicyConfig, history: PolicyHistory, now: number): Record<Strategy, StrategyVerdict> {
  const parallel = parallelVerdict(policy, history, now);
  const base = { cleanDelayed: parallel.cleanDelayed, needed: parallel.needed };
  return {
    delayed: {
      strategy: "delayed",
      open: true,
      reason: "Open: delayed is where the migration path starts, and each clean one counts towards parallel.",
      ...base,
    },
    sequential: {
      strategy: "sequential",
      open: true,
      reason: "Open: one region at a time behind the health gates; it does not count towards parallel.",
      ...base,
    },
    parallel,
  };
}

/**
 * Token buckets per source, kept in the database (`store.rateBuckets`) so that every replica takes from the
 * same bucket: `capacity` requests at once, refilled at `perSecond`. Time comes in as an argument.
 */
import type { Store } from "@/db/client";

export type RateLimit = { capacity: number; perSecond: number };
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** CI sends a handful of deliveries per pipeline: 30 at once, then one every 2 s, per source. */
export const WEBHOOK_RATE_LIMIT: RateLimit = { capacity: 30, perSecond: 0.5 };

/** How often a process sweeps buckets that have been full (untouched) for a while. */
const SWEEP_EVERY_MS = 60_000;

export class RateLimiter {
  private lastSweepAt = 0;

  /** `name` keeps limits apart in the shared table (`webhook:<source>`). */
  constructor(
    readonly name: string,
    readonly limit: RateLimit,
  ) {}

  async take(db: Store, source: string, nowMs: number): Promise<RateDecision> {
    const { capacity, perSecond } = this.limit;
    if (nowMs - this.lastSweepAt >= SWEEP_EVERY_MS) {
      this.lastSweepAt = nowMs;
      // A bucket untouched for the time it takes to fill from empty is full: the same as no row.
      await db.rateBuckets.forgetIdleSince(nowMs - (capacity / perSecond) * 1000);
    }
    const taken = await db.rateBuckets.take(`${this.name}:${source}`, nowMs, this.limit);
    if (taken.taken) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - taken.tokens) / perSecond)) };
  }
}

/**
 * A token bucket per source, in this process's memory: `capacity` requests at once, refilled at `perSecond`.
 * Good enough for one Flightdeck process; with several replicas each keeps its own buckets (the limit is per
 * replica), which is acceptable for a guard against a runaway CI loop. Time comes in as an argument.
 */
export type RateLimit = { capacity: number; perSecond: number };
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** CI sends a handful of deliveries per pipeline: 30 at once, then one every 2 s, per source. */
export const WEBHOOK_RATE_LIMIT: RateLimit = { capacity: 30, perSecond: 0.5 };

const MAX_SOURCES = 10_000;

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(readonly limit: RateLimit) {}

  take(source: string, nowMs: number): RateDecision {
    const { capacity, perSecond } = this.limit;
    const bucket = this.buckets.get(source) ?? { tokens: capacity, at: nowMs };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((nowMs - bucket.at) / 1000) * perSecond);
    bucket.at = nowMs;
    // Re-insert so the map's order is least recently used first; forget the oldest when it grows too large.
    this.buckets.delete(source);
    this.buckets.set(source, bucket);
    if (this.buckets.size > MAX_SOURCES) this.buckets.delete(this.buckets.keys().next().value!);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond)) };
  }
}

/**
 * Cloudflare API paths and bodies, as pure functions. Two ways to move traffic:
 * - `dns`: plain blue/green. The record (CF_RECORD_ID_API) points at one colour's host: only 0 % or 100 %.
 * - `load-balancer`: random steering over two pools, one per colour, weighted in steps of 0.1 (as Cloudflare's
 *   `random_steering` documents). A percent is set only when two such weights give it exactly.
 */
import { ProviderError, splitFor, type Colour, type TrafficSplit } from "../types";

const PROVIDER = "traffic-cloudflare";

export type CloudflareError = { code: number; message: string };
/** Every Cloudflare v4 answer. */
export type Envelope<T> = { success: boolean; errors: CloudflareError[]; messages: unknown[]; result: T | null };

export type DnsRecord = { id: string; type: string; name: string; content: string; ttl: number; proxied?: boolean };
export type RandomSteering = { default_weight?: number; pool_weights?: Record<string, number> };
export type LoadBalancer = {
  id: string;
  name: string;
  default_pools: string[];
  fallback_pool: string;
  steering_policy?: string;
  random_steering?: RandomSteering;
};

const ID = /^[A-Za-z0-9_-]{1,64}$/;

function id(kind: string, value: string): string {
  if (!ID.test(value)) throw new ProviderError(PROVIDER, `${kind} ${JSON.stringify(value)} is not a Cloudflare identifier`);
  return value;
}

export const dnsRecordPath = (zoneId: string, recordId: string) => `/zones/${id("zone id", zoneId)}/dns_records/${id("DNS record id", recordId)}`;
export const loadBalancerPath = (zoneId: string, lbId: string) => `/zones/${id("zone id", zoneId)}/load_balancers/${id("load balancer id", lbId)}`;

/** PATCH body that points the record at a colour's host; type, name, TTL and proxying stay as they are. */
export function dnsSwitchBody(content: string): { content: string } {
  return { content };
}

/** Which colour a record points at, from its content. */
export function colourOfRecord(record: Pick<DnsRecord, "content">, hosts: Record<Colour, string>): Colour | null {
  if (record.content === hosts.blue) return "blue";
  if (record.content === hosts.green) return "green";
  return null;
}

export function dnsSplitFor(colour: Colour, canaryPct: number): TrafficSplit {
  if (canaryPct !== 0 && canaryPct !== 100) {
    throw new ProviderError(
      PROVIDER,
      `a DNS record switch sends all traffic to one colour: ${canaryPct} % to ${colour} cannot be set (use mode: load-balancer for canary stages, or a single 100 % stage)`,
    );
  }
  return splitFor(colour, canaryPct);
}

/**
 * Pool weights (tenths from 0 to 1) whose ratio is exactly `greenPct`; the largest such pair, so 50 % is 1.0
 * and 1.0 rather than 0.1 and 0.1. Null when no pair of tenths gives that percent (33 %, for one).
 */
export function poolWeightsFor(greenPct: number): { blue: number; green: number } | null {
  let best: { a: number; b: number } | null = null;
  for (let a = 0; a <= 10; a++) {
    for (let b = 0; b <= 10; b++) {
      if (a + b === 0 || a * 100 !== greenPct * (a + b)) continue;
      if (!best || a + b > best.a + best.b) best = { a, b };
    }
  }
  return best ? { green: best.a / 10, blue: best.b / 10 } : null;
}

/** The split that two pool weights give. */
export function splitFromPoolWeights(blue: number, green: number): TrafficSplit {
  const sum = blue + green;
  if (!(sum > 0)) throw new ProviderError(PROVIDER, "both pools have weight 0: the load balancer sends no traffic to either colour");
  const g = Math.round((green * 100) / sum);
  return { blue: 100 - g, green: g };
}

/** PATCH body for the load balancer: random steering, our two pools set, any other pool's weight kept. */
export function poolWeightsBody(current: RandomSteering | undefined, poolIds: Record<Colour, string>, weights: { blue: number; green: number }) {
  return {
    steering_policy: "random",
    random_steering: {
      ...(current?.default_weight !== undefined ? { default_weight: current.default_weight } : {}),
      pool_weights: { ...(current?.pool_weights ?? {}), [poolIds.blue]: weights.blue, [poolIds.green]: weights.green },
    },
  };
}

/** The weights a load balancer holds for our pools, or why they do not steer traffic as weights. */
export function readPoolWeights(lb: LoadBalancer, poolIds: Record<Colour, string>): { blue: number; green: number } {
  if (lb.steering_policy !== "random") {
    throw new ProviderError(PROVIDER, `load balancer ${lb.name} steers by "${lb.steering_policy ?? "off"}", not "random": pool weights do not apply`);
  }
  for (const colour of ["blue", "green"] as const) {
    if (!lb.default_pools.includes(poolIds[colour]))
      throw new ProviderError(PROVIDER, `load balancer ${lb.name} does not list ${colour}'s pool ${poolIds[colour]} in default_pools`);
  }
  const weights = lb.random_steering?.pool_weights ?? {};
  const fallback = lb.random_steering?.default_weight ?? 1;
  return { blue: weights[poolIds.blue] ?? fallback, green: weights[poolIds.green] ?? fallback };
}

/** Cloudflare's errors in one line: `10000 Authentication error; 81044 Record does not exist.` */
export function describeErrors(errors: unknown): string {
  if (!Array.isArray(errors) || errors.length === 0) return "no error given";
  return errors.map((e: { code?: unknown; message?: unknown }) => `${e?.code ?? "?"} ${e?.message ?? "(no message)"}`).join("; ");
}

/**
 * The high-availability benchmark's fleet: N one-region rollouts laid out as services × regions (a fleet has at
 * most 1,001 regions: their `order` runs from 0 to 1000), each service rolled out to each region on its own, so N
 * region rollouts run at once and each holds its own lease. Otherwise as the engine bench's fleet
 * (scripts/bench/engine/fleet.ts): no approval gate, a simulated deploy of 0 s, and stages long enough that every
 * rollout samples its first stage throughout. The services of a region share its simulated load balancer; they
 * all hold the same split (10 % on green), as every rollout moves in step.
 */
import { FleetConfig } from "@/server/config/schema";
import { BENCH_DIGEST, regionId } from "../engine/fleet";

export { BENCH_DIGEST };
export const INTERVAL_MS = 1_000;
const STAGE_MINUTES = 60;
const MAX_REGIONS = 1_000;

/** Where rollout `i` of `rollouts` goes: its service and region. */
export function targetOf(i: number, rollouts: number): { serviceId: string; regionId: string } {
  const regions = Math.min(rollouts, MAX_REGIONS);
  return { serviceId: `bench-${Math.floor(i / regions) + 1}`, regionId: regionId(i % regions) };
}

export function haFleet(rollouts: number): FleetConfig {
  const regions = Math.min(rollouts, MAX_REGIONS);
  return FleetConfig.parse({
    services: Array.from({ length: Math.ceil(rollouts / regions) }, (_, s) => ({ id: `bench-${s + 1}`, name: `Bench ${s + 1}`, strategyPolicy: "off" })),
    stages: [
      { percent: 10, maxErrorRatePct: 1.0, maxLatencyP95Ms: 500, durationMinutes: STAGE_MINUTES },
      { percent: 100, maxErrorRatePct: 0.2, maxLatencyP95Ms: 300, durationMinutes: STAGE_MINUTES, maxCpuPct: 70, maxMemoryPct: 70, healthStatus: 200 },
    ],
    analysis: { intervalSeconds: INTERVAL_MS / 1000, failureLimit: 1, inconclusiveLimit: 3, minRequests: 20 },
    regions: Array.from({ length: regions }, (_, i) => ({
      id: regionId(i),
      name: `Bench ${i + 1}`,
      environment: `bench-${regionId(i)}`,
      order: i,
      targets: { blue: { host: `blue.${regionId(i)}.bench` }, green: { host: `green.${regionId(i)}.bench` } },
      deploy: { provider: "simulated", seconds: 0 },
      traffic: { provider: "simulated" },
      metrics: { provider: "simulated" },
    })),
    policies: { environments: [{ match: "*", protected: false }] },
  });
}

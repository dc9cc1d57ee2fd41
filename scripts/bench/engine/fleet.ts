/**
 * The benchmark's fleet: one service in N regions, each region its own rollout, so N region rollouts run at
 * once and each holds its own lease (the costliest layout for the runner). No approval gate (every environment
 * is marked `protected: false`), a simulated deploy of 0 s, a 1 s analysis interval, and stages long enough that
 * every region is still sampling its first stage when the measurement ends.
 */
import type { Store } from "@/db/client";
import type { Actor } from "@/server/actor";
import { FleetConfig } from "@/server/config/schema";
import { fixedClock } from "@/server/engine/clock";
import { startRollout } from "@/server/services/rollouts";
import type { MeasureInput, RegionProviders } from "@/server/providers/types";

export const BENCH_SERVICE = "bench";
export const BENCH_DIGEST = `sha256:${"b".repeat(64)}`;

export const regionId = (i: number) => `r${String(i + 1).padStart(4, "0")}`;

export function benchConfig(regions: number, intervalSeconds: number, stageMinutes: number): FleetConfig {
  return FleetConfig.parse({
    services: [{ id: BENCH_SERVICE, name: "Bench", strategyPolicy: "off" }], // the bench starts parallel rollouts on a fresh database
    stages: [
      { percent: 10, maxErrorRatePct: 1.0, maxLatencyP95Ms: 500, durationMinutes: stageMinutes },
      { percent: 100, maxErrorRatePct: 0.2, maxLatencyP95Ms: 300, durationMinutes: stageMinutes, maxCpuPct: 70, maxMemoryPct: 70, healthStatus: 200 },
    ],
    analysis: { intervalSeconds, failureLimit: 1, inconclusiveLimit: 3, minRequests: 20 },
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

/**
 * One rollout per region of `benchConfig(regions, …)`, each written with its own start time, spread evenly over one
 * interval from `startAt`, so their due times spread as a fleet's would (one artifact, registered by the first).
 */
export async function startStaggered(db: Store, config: FleetConfig, actor: Actor, regions: number, startAt: number, intervalMs: number): Promise<void> {
  let artifactId: string | undefined;
  for (let i = 0; i < regions; i++) {
    const started = await startRollout(
      { db, config, actor, clock: fixedClock(startAt + Math.floor((i * intervalMs) / regions)) },
      {
        serviceId: BENCH_SERVICE,
        ...(artifactId ? { artifactId } : { artifact: { version: "1.0.0", digest: BENCH_DIGEST } }),
        strategy: "parallel",
        regions: [regionId(i)],
      },
    );
    artifactId = started.artifact.id;
  }
}

/**
 * `providersFor` with each region's metrics measurement told to `seen` first (one wrapper per region, kept). The
 * metrics provider is `measure` alone: without `history`, a late pass measures each missed window too, and is seen.
 */
export function watchingMeasurements(providersFor: (regionId: string) => RegionProviders, seen: (input: MeasureInput) => void) {
  const wrapped = new Map<string, RegionProviders>();
  return (id: string): RegionProviders => {
    let providers = wrapped.get(id);
    if (!providers) {
      const base = providersFor(id);
      providers = {
        ...base,
        metrics: {
          measure: (input) => {
            seen(input);
            return base.metrics.measure(input);
          },
        },
      };
      wrapped.set(id, providers);
    }
    return providers;
  };
}

/**
 * The providers of each region, from its config: the real ones (SSH deploy, HAProxy / nginx / Cloudflare
 * traffic, Prometheus metrics) for the kinds it configures so, the simulated ones for the kinds it leaves
 * `simulated`, so a region may mix them. Env vars and key files are read when a provider acts, not here.
 */
import { rawEnv } from "@/server/config/env";
import type { FleetConfig, RegionConfig } from "@/server/config/schema";
import { SimulatedDeployProvider } from "@/server/providers/deploy-simulated";
import { SimulatedMetricsProvider, type SimulatedMetricsOptions } from "@/server/providers/metrics-simulated";
import { createRegionProviders } from "@/server/providers/real";
import type { SimulatedWorld } from "@/server/providers/simulated-world";
import type { Env } from "@/server/providers/ssh-target";
import { SimulatedTrafficProvider } from "@/server/providers/traffic-simulated";
import { ProviderError, type MetricsProvider, type RegionProviders } from "@/server/providers/types";
import { realClock, type Clock } from "@/server/engine/clock";
import { instrumentProviders } from "./instrument-providers";

type Injected = ReturnType<NonNullable<SimulatedMetricsOptions["injected"]>>;
/** Faults injected into a region's simulated metrics while the server runs, read from the store (see ./demo-faults.ts). */
export type InjectedFaults = (region: string) => Promise<Injected>;

export function providersForRegion(
  config: FleetConfig,
  region: RegionConfig | string,
  world: SimulatedWorld,
  clock: Clock = realClock,
  env: Env = rawEnv(),
  injected?: InjectedFaults,
): RegionProviders {
  const rc = typeof region === "string" ? config.regions.find((r) => r.id === region) : region;
  if (!rc) throw new ProviderError("config", `region ${String(region)} is not in the fleet config`);
  const simulated: Partial<RegionProviders> = {};
  if (rc.deploy.provider === "simulated") simulated.deploy = new SimulatedDeployProvider(world, clock, { seconds: rc.deploy.seconds });
  if (rc.traffic.provider === "simulated") simulated.traffic = new SimulatedTrafficProvider(world, clock);
  if (rc.metrics.provider === "simulated") simulated.metrics = simulatedMetrics(world, rc.metrics, injected);
  const providers = createRegionProviders(config, rc, env, { fallback: simulated });
  // The fast source (metrics.fast) is read every few hundred ms: kept as it is, out of the per-call timings.
  return { ...instrumentProviders(providers, rc), ...(providers.fast ? { fast: providers.fast } : {}) };
}

/**
 * The simulated metrics of a region. They read the injected faults synchronously while they measure, so each
 * measurement first reads the region's faults from the store and hands the provider that snapshot.
 */
function simulatedMetrics(
  world: SimulatedWorld,
  config: Extract<RegionConfig["metrics"], { provider: "simulated" }>,
  injected?: InjectedFaults,
): MetricsProvider {
  let faults: Injected = [];
  const metrics = new SimulatedMetricsProvider(world, { faults: config.faults, seed: config.seed, ...(injected ? { injected: () => faults } : {}) });
  if (!injected) return metrics;
  return {
    measure: async (input) => {
      faults = await injected(input.region);
      return metrics.measure(input);
    },
    history: async (input) => {
      faults = await injected(input.region);
      return metrics.history(input);
    },
  };
}

/** One set of providers per region, built on first use. */
export function cachedProviders(
  config: FleetConfig,
  world: SimulatedWorld,
  clock: Clock,
  env: Env = rawEnv(),
  injected?: InjectedFaults,
): (regionId: string) => RegionProviders {
  const cache = new Map<string, RegionProviders>();
  return (regionId) => {
    let providers = cache.get(regionId);
    if (!providers) {
      providers = providersForRegion(config, regionId, world, clock, env, injected);
      cache.set(regionId, providers);
    }
    return providers;
  };
}

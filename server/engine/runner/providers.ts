/**
 * The providers of each region, from its config. Only the simulated ones exist so far; a region configured
 * for another provider fails with a clear message when the engine first needs it (the others carry on).
 */
import type { FleetConfig, RegionConfig } from "@/server/config/schema";
import { SimulatedDeployProvider } from "@/server/providers/deploy-simulated";
import { SimulatedMetricsProvider } from "@/server/providers/metrics-simulated";
import type { SimulatedWorld } from "@/server/providers/simulated-world";
import { SimulatedTrafficProvider } from "@/server/providers/traffic-simulated";
import { ProviderError, type RegionProviders } from "@/server/providers/types";
import { realClock, type Clock } from "./clock";

export function providersForRegion(config: FleetConfig, region: RegionConfig | string, world: SimulatedWorld, clock: Clock = realClock): RegionProviders {
  const rc = typeof region === "string" ? config.regions.find((r) => r.id === region) : region;
  if (!rc) throw new ProviderError("config", `region ${String(region)} is not in the fleet config`);
  const unsupported = (kind: string, provider: string) => new ProviderError(`${kind}-${provider}`, `${rc.id}: the ${provider} ${kind} provider is not available in this version; use provider: simulated`);
  if (rc.deploy.provider !== "simulated") throw unsupported("deploy", rc.deploy.provider);
  if (rc.traffic.provider !== "simulated") throw unsupported("traffic", rc.traffic.provider);
  if (rc.metrics.provider !== "simulated") throw unsupported("metrics", rc.metrics.provider);
  return {
    deploy: new SimulatedDeployProvider(world, clock, { seconds: rc.deploy.seconds }),
    traffic: new SimulatedTrafficProvider(world, clock),
    metrics: new SimulatedMetricsProvider(world, { faults: rc.metrics.faults, seed: rc.metrics.seed }),
  };
}

/** One set of providers per region, built on first use. */
export function cachedProviders(config: FleetConfig, world: SimulatedWorld, clock: Clock): (regionId: string) => RegionProviders {
  const cache = new Map<string, RegionProviders>();
  return (regionId) => {
    let providers = cache.get(regionId);
    if (!providers) {
      providers = providersForRegion(config, regionId, world, clock);
      cache.set(regionId, providers);
    }
    return providers;
  };
}

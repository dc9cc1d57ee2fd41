/**
 * A region's providers with every call timed into /api/metrics (`flightdeck_provider_call_duration_seconds`
 * by provider and operation, `flightdeck_provider_errors_total` for the ones that threw). Other methods a
 * provider has (the Prometheus provider's `history`) are kept as they are.
 */
import type { RegionConfig } from "@/server/config/schema";
import { timeProviderCall } from "@/server/metrics";
import type { DeployProvider, MetricsProvider, RegionProviders, TrafficProvider } from "@/server/providers/types";

export function instrumentProviders(providers: RegionProviders, region: RegionConfig): RegionProviders {
  const deployName = `deploy-${region.deploy.provider}`;
  const trafficName = `traffic-${region.traffic.provider}`;
  const metricsName = `metrics-${region.metrics.provider}`;
  const { deploy, traffic, metrics } = providers;
  return {
    deploy: withMethods<DeployProvider>(deploy, { deploy: (input) => timeProviderCall(deployName, "deploy", () => deploy.deploy(input)) }),
    traffic: withMethods<TrafficProvider>(traffic, {
      setWeight: (input) => timeProviderCall(trafficName, "setWeight", () => traffic.setWeight(input)),
      getWeight: (input) => timeProviderCall(trafficName, "getWeight", () => traffic.getWeight(input)),
    }),
    metrics: withMethods<MetricsProvider>(metrics, { measure: (input) => timeProviderCall(metricsName, "measure", () => metrics.measure(input)) }),
  };
}

/** The provider itself as prototype (so its other methods and fields still work), with these methods in front. */
function withMethods<T extends object>(target: T, methods: Partial<T>): T {
  return Object.assign(Object.create(target) as T, methods);
}

/**
 * The process's Prometheus registry, served at GET /api/metrics. Kept on globalThis because a hot reload
 * re-evaluates this module, and prom-client refuses to register the default metrics twice.
 */
import { collectDefaultMetrics, Registry } from "prom-client";

const globalForMetrics = globalThis as unknown as { flightdeckMetrics?: Registry };

function createRegistry(): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app: "flightdeck" });
  collectDefaultMetrics({ register: registry });
  return registry;
}

export function getMetricsRegistry(): Registry {
  globalForMetrics.flightdeckMetrics ??= createRegistry();
  return globalForMetrics.flightdeckMetrics;
}

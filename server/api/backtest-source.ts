/**
 * Where the threshold backtest reads history (server/services/backtest.ts): the region's real metrics provider,
 * built from the config as the runner builds it (its Prometheus URL or URL variable, its queries, its timeout),
 * or none for a region whose metrics are simulated. The transports hand it to the verb; the verb stays free of
 * providers.
 */
import { rawEnv } from "@/server/config/env";
import type { FleetConfig } from "@/server/config/schema";
import { createMetricsProvider } from "@/server/providers/real";
import type { HistorySource } from "@/server/services/backtest";

export function recordedHistory(config: FleetConfig): HistorySource {
  return (region) => {
    const provider = createMetricsProvider(config, region, rawEnv());
    const history = provider?.history?.bind(provider);
    return history ? { history } : null;
  };
}

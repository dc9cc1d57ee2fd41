/**
 * Fast error counts from the load balancer itself: each colour's cumulative request and 5xx counters read
 * from HAProxy's runtime API (`show stat`, the socket the HAProxy traffic provider uses) in well under a
 * millisecond, so the engine can see a bad release's errors between two Prometheus scrapes. Prometheus stays
 * the source of record for latency, CPU, memory and history; these counters only ever add a breach.
 */
import { describeAddress, withRuntimeApi, type RuntimeApiAddress } from "../traffic-haproxy/runtime-api";
import { ProviderError, type Colour, type FastMetricsProvider, type RequestCounters } from "../types";
import { countersOf, parseShowStat, PROVIDER, showStatCommand } from "./stat-csv";

export { countsSince } from "./stat-csv";

export type HaproxyStatsOptions = {
  backend: string;
  servers: Record<Colour, string>;
  /** Resolved at each read (env vars, SSH key file). */
  address: () => RuntimeApiAddress;
  timeoutMs: number;
  /** How often the engine reads the counters between two regular samples. */
  intervalMs: number;
};

export class HaproxyStatsProvider implements FastMetricsProvider {
  readonly intervalMs: number;

  constructor(private readonly options: HaproxyStatsOptions) {
    this.intervalMs = options.intervalMs;
  }

  /** Both colours' counters, read in one `show stat`. Throws a ProviderError (retryable when HAProxy cannot be reached). */
  async counters({ region, signal }: { region: string; signal?: AbortSignal }): Promise<Record<Colour, RequestCounters>> {
    const { backend, servers, timeoutMs } = this.options;
    const address = this.options.address();
    const where = describeAddress(address);
    const command = showStatCommand(backend);
    const answer = await withRuntimeApi(address, timeoutMs, (send) => send(command), signal, PROVIDER);
    const rows = parseShowStat(answer);
    if ("refused" in rows) throw new ProviderError(PROVIDER, `HAProxy at ${where} refused "${command}" for ${region}: ${rows.refused}`);
    return countersOf(rows, backend, servers, where);
  }
}

/**
 * Metrics from Prometheus: each figure of a Measurement is one PromQL query over [from, to], evaluated at `to`
 * so a window in the past (one missed while Flightdeck restarted) reads the same as a live one: the engine's
 * first sample after a restart covers the whole gap. A window shorter than `minWindowMs` looks back that far
 * instead, so `increase()` sees two scrapes. `history` splits a longer past window into samples with range
 * queries. No data is null; an unreachable or confused store throws, and the engine counts that sample as
 * inconclusive, saying why.
 */
import { ProviderError, type Colour, type HistoryInput, type HistorySample, type Measurement, type MeasureInput, type MetricsProvider } from "../types";
import { traceHeaders } from "../trace-headers";
import { PrometheusApi } from "./api";
import { healthFromUp, promDuration, queriesFor, renderQuery, type QueryName, type QueryTemplates } from "./queries";

export type PrometheusMetricsOptions = {
  /** Resolved at each call (it may come from an env var). */
  url: () => string;
  queries?: QueryTemplates;
  /** `{service}` when a measurement names none. */
  service: string;
  timeoutMs: number;
  /** The shortest PromQL window (default 0: the sample's own window). */
  minWindowMs?: number;
  /** When set, health is an HTTP GET of this URL for the colour (0 when it does not answer), not the `health` query. */
  healthUrlFor?: (colour: Colour) => string;
  fetch?: typeof fetch;
};

export type { HistorySample };

export class PrometheusMetricsProvider implements MetricsProvider {
  private readonly queries: Record<QueryName, string>;

  constructor(private readonly options: PrometheusMetricsOptions) {
    this.queries = queriesFor(options.queries);
  }

  private api(correlationId?: string): PrometheusApi {
    return new PrometheusApi(this.options.url(), this.options.timeoutMs, this.options.fetch, traceHeaders(correlationId));
  }

  private window(ms: number): string {
    return promDuration(Math.max(ms, this.options.minWindowMs ?? 0));
  }

  async measure({ region, colour, service, from, to, correlationId, signal }: MeasureInput): Promise<Measurement> {
    if (!(to > from)) throw new ProviderError("metrics-prometheus", `cannot measure an empty window (from ${from} to ${to})`);
    const api = this.api(correlationId);
    const vars = { colour, region, service: service ?? this.options.service, window: this.window(to - from) };
    const q = (name: QueryName) => api.instant(renderQuery(this.queries[name], vars), to, signal);
    const health = this.options.healthUrlFor ? this.probeHealth(this.options.healthUrlFor(colour), signal, correlationId) : q("health").then(healthFromUp);
    const [requests, errorRatePct, latencyP95Ms, cpuPct, memoryPct, healthStatus] = await Promise.all([
      q("requests"),
      q("errorRatePct"),
      q("latencyP95Ms"),
      q("cpuPct"),
      q("memoryPct"),
      health,
    ]);
    return { requests: requests === null ? null : Math.round(requests), errorRatePct, latencyP95Ms, cpuPct, memoryPct, healthStatus };
  }

  /** Samples of `stepMs` each covering [from, to], from range queries: for a window missed during a restart. */
  async history({ region, colour, service, from, to, stepMs, correlationId, signal }: HistoryInput): Promise<HistorySample[]> {
    if (!(stepMs >= 1000)) throw new ProviderError("metrics-prometheus", `a history step must be at least 1 s, got ${stepMs} ms`);
    const api = this.api(correlationId);
    const first = from + stepMs;
    if (first > to) return [];
    const vars = { colour, region, service: service ?? this.options.service, window: this.window(stepMs) };
    const series = async (name: QueryName) =>
      new Map((await api.range(renderQuery(this.queries[name], vars), first, to, stepMs, signal)).map((p) => [p.at, p.value]));
    const [requests, errorRatePct, latencyP95Ms, cpuPct, memoryPct, up] = await Promise.all(
      (["requests", "errorRatePct", "latencyP95Ms", "cpuPct", "memoryPct", "health"] as const).map(series),
    );
    const samples: HistorySample[] = [];
    for (let end = first; end <= to; end += stepMs) {
      const at = (m: Map<number, number | null>) => m.get(end) ?? null;
      const req = at(requests);
      samples.push({
        from: end - stepMs,
        to: end,
        measurement: {
          requests: req === null ? null : Math.round(req),
          errorRatePct: at(errorRatePct),
          latencyP95Ms: at(latencyP95Ms),
          cpuPct: at(cpuPct),
          memoryPct: at(memoryPct),
          // A probe cannot look into the past; `up` can.
          healthStatus: healthFromUp(at(up)),
        },
      });
    }
    return samples;
  }

  private async probeHealth(url: string, signal?: AbortSignal, correlationId?: string): Promise<number> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const res = await (this.options.fetch ?? fetch)(url, {
        headers: traceHeaders(correlationId),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        redirect: "manual",
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.status;
    } catch (err) {
      if (signal?.aborted) throw err;
      // No answer at all is a status of its own: 0, which no health threshold accepts.
      return 0;
    }
  }
}

/**
 * PromQL for one colour of one region, and the reading of Prometheus's answers, as pure functions. Every query
 * must come down to one number; no series, NaN or an infinity is "no data" (null), never zero and never a pass.
 */
import type { Colour } from "../types";

export const QUERY_NAMES = ["requests", "errorRatePct", "latencyP95Ms", "cpuPct", "memoryPct", "health"] as const;
export type QueryName = (typeof QUERY_NAMES)[number];
export type QueryTemplates = Partial<Record<QueryName, string>>;

const SEL = `service="{service}",region="{region}",colour="{colour}"`;
const HOST = `region="{region}",colour="{colour}"`;

/**
 * Defaults for a service instrumented the usual way (prom-client / client_golang: `http_requests_total` with a
 * `code` label, `http_request_duration_seconds` histogram) and hosts running node_exporter, every target
 * labelled with its service, region and colour in the scrape config.
 */
export const DEFAULT_QUERIES: Record<QueryName, string> = {
  requests: `sum(increase(http_requests_total{${SEL}}[{window}]))`,
  // No 5xx series at all means no errors: `or vector(0)` keeps the ratio defined while there is traffic.
  errorRatePct: `100 * (sum(increase(http_requests_total{${SEL},code=~"5.."}[{window}])) or vector(0)) / sum(increase(http_requests_total{${SEL}}[{window}]))`,
  latencyP95Ms: `1000 * histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${SEL}}[{window}])))`,
  cpuPct: `100 * (1 - avg(rate(node_cpu_seconds_total{${HOST},mode="idle"}[{window}])))`,
  memoryPct: `100 * (1 - sum(avg_over_time(node_memory_MemAvailable_bytes{${HOST}}[{window}])) / sum(avg_over_time(node_memory_MemTotal_bytes{${HOST}}[{window}])))`,
  // 1 when every scrape target of the colour answers now, 0 when one does not.
  health: `min(up{${SEL}})`,
};

export type QueryVars = { colour: Colour; region: string; service: string; window: string };

/** A PromQL duration for a window: whole seconds, at least one (`45s`). */
export function promDuration(ms: number): string {
  return `${Math.max(1, Math.round(ms / 1000))}s`;
}

export function renderQuery(template: string, vars: QueryVars): string {
  return template
    .replaceAll("{colour}", vars.colour)
    .replaceAll("{region}", vars.region)
    .replaceAll("{service}", vars.service)
    .replaceAll("{window}", vars.window);
}

export function queriesFor(overrides: QueryTemplates | undefined): Record<QueryName, string> {
  const out = { ...DEFAULT_QUERIES };
  for (const name of QUERY_NAMES) {
    const t = overrides?.[name];
    if (t) out[name] = t;
  }
  return out;
}

/** Why an answer cannot be read: the store refused the query, or what came back is not Prometheus's API. */
export class PromAnswerError extends Error {
  constructor(
    readonly kind: "refused" | "garbage" | "ambiguous",
    message: string,
  ) {
    super(message);
    this.name = "PromAnswerError";
  }
}

/** `"1.5"` → 1.5; `"NaN"`, `"+Inf"`, `"-Inf"` → null. */
export function sampleValue(raw: unknown): number | null {
  if (typeof raw !== "string") throw new PromAnswerError("garbage", `expected a sample value as text, got ${JSON.stringify(raw)}`);
  if (raw === "NaN" || raw === "+Inf" || raw === "-Inf" || raw === "Inf") return null;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value)) throw new PromAnswerError("garbage", `expected a number, got ${JSON.stringify(raw)}`);
  return value;
}

type Envelope = { status?: unknown; data?: { resultType?: unknown; result?: unknown }; errorType?: unknown; error?: unknown };

function envelope(body: unknown): { resultType: string; result: unknown } {
  if (!body || typeof body !== "object") throw new PromAnswerError("garbage", "the answer is not a JSON object");
  const b = body as Envelope;
  if (b.status === "error") throw new PromAnswerError("refused", `${String(b.errorType ?? "error")}: ${String(b.error ?? "no reason given")}`);
  if (b.status !== "success" || !b.data || typeof b.data.resultType !== "string")
    throw new PromAnswerError("garbage", `expected {"status":"success","data":{"resultType":...}}, got ${JSON.stringify(body).slice(0, 160)}`);
  return { resultType: b.data.resultType, result: b.data.result };
}

/** One number from an instant query's answer, or null for no data. */
export function parseInstant(body: unknown): number | null {
  const { resultType, result } = envelope(body);
  if (resultType === "scalar") {
    if (!Array.isArray(result) || result.length !== 2) throw new PromAnswerError("garbage", "a scalar answer without [time, value]");
    return sampleValue(result[1]);
  }
  if (resultType !== "vector") throw new PromAnswerError("ambiguous", `expected one number, got a ${resultType}: aggregate the query (sum, avg, rate ...)`);
  if (!Array.isArray(result)) throw new PromAnswerError("garbage", "a vector answer without a result list");
  if (result.length === 0) return null;
  if (result.length > 1) throw new PromAnswerError("ambiguous", `expected one series, got ${result.length}: wrap the query in sum() or avg()`);
  const value = (result[0] as { value?: unknown }).value;
  if (!Array.isArray(value) || value.length !== 2) throw new PromAnswerError("garbage", "a vector sample without [time, value]");
  return sampleValue(value[1]);
}

/** A range query's points as `{ at: unix ms, value }`; no series is no points. */
export function parseRange(body: unknown): Array<{ at: number; value: number | null }> {
  const { resultType, result } = envelope(body);
  if (resultType !== "matrix" || !Array.isArray(result)) throw new PromAnswerError("garbage", `expected a matrix from a range query, got ${resultType}`);
  if (result.length === 0) return [];
  if (result.length > 1) throw new PromAnswerError("ambiguous", `expected one series, got ${result.length}: wrap the query in sum() or avg()`);
  const values = (result[0] as { values?: unknown }).values;
  if (!Array.isArray(values)) throw new PromAnswerError("garbage", "a matrix series without values");
  return values.map((pair) => {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "number") throw new PromAnswerError("garbage", "a matrix point without [time, value]");
    return { at: Math.round(pair[0] * 1000), value: sampleValue(pair[1]) };
  });
}

/** `up` as a health status: 1 → 200, 0 → 0 (no answer), no data → null. */
export function healthFromUp(value: number | null): number | null {
  if (value === null) return null;
  return value >= 1 ? 200 : 0;
}

/**
 * Prometheus's HTTP API: instant and range queries (POSTed as a form, so long PromQL fits), each with a time
 * limit. A store that cannot be reached or answers 5xx is a retryable ProviderError; a refused query or an
 * answer that is not Prometheus's API is a ProviderError that says so.
 */
import { ProviderError } from "../types";
import { parseInstant, parseRange, PromAnswerError } from "./queries";

const PROVIDER = "metrics-prometheus";

export class PrometheusApi {
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs: number,
    private readonly fetchImpl: typeof fetch = fetch,
    /** Sent with every query (the rollout's trace headers). */
    private readonly extraHeaders: Record<string, string> = {},
  ) {}

  /** The value of `query` at `atMs`, or null for no data. */
  async instant(query: string, atMs: number, signal?: AbortSignal): Promise<number | null> {
    const body = await this.post("query", { query, time: seconds(atMs) }, query, signal);
    return this.read(() => parseInstant(body), query);
  }

  /** Points of `query` from `startMs` to `endMs`, one every `stepMs`. */
  async range(query: string, startMs: number, endMs: number, stepMs: number, signal?: AbortSignal): Promise<Array<{ at: number; value: number | null }>> {
    const body = await this.post("query_range", { query, start: seconds(startMs), end: seconds(endMs), step: seconds(stepMs) }, query, signal);
    return this.read(() => parseRange(body), query);
  }

  private read<T>(parse: () => T, query: string): T {
    try {
      return parse();
    } catch (err) {
      if (!(err instanceof PromAnswerError)) throw err;
      if (err.kind === "garbage") throw new ProviderError(PROVIDER, `Prometheus at ${this.baseUrl} answered something that is not its API (${err.message})`);
      throw new ProviderError(PROVIDER, `Prometheus at ${this.baseUrl} cannot give one number for ${query}: ${err.message}`);
    }
  }

  private async post(endpoint: string, form: Record<string, string>, query: string, signal?: AbortSignal): Promise<unknown> {
    const url = `${this.baseUrl.replace(/\/+$/, "")}/api/v1/${endpoint}`;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json", ...this.extraHeaders },
        body: new URLSearchParams(form).toString(),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      if (timeout.aborted) throw new ProviderError(PROVIDER, `Prometheus at ${this.baseUrl} did not answer within ${this.timeoutMs} ms`, true);
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new ProviderError(
        PROVIDER,
        `Prometheus at ${this.baseUrl} cannot be reached: ${cause?.code ?? cause?.message ?? (err as Error).message} (is it down?)`,
        true,
      );
    }
    const text = await res.text().catch(() => "");
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      const snippet = text.replace(/\s+/g, " ").trim().slice(0, 120) || "(empty body)";
      if (res.status >= 500) throw new ProviderError(PROVIDER, `Prometheus at ${this.baseUrl} answered HTTP ${res.status}: ${snippet}`, true);
      throw new ProviderError(
        PROVIDER,
        `Prometheus at ${this.baseUrl} answered something that is not its API (HTTP ${res.status}, ${res.headers.get("content-type") ?? "no content type"}): ${snippet}`,
      );
    }
    const b = body as { status?: unknown; errorType?: unknown; error?: unknown };
    if (b && b.status === "error") {
      const retryable = res.status >= 500 || b.errorType === "timeout" || b.errorType === "unavailable";
      throw new ProviderError(
        PROVIDER,
        `Prometheus at ${this.baseUrl} refused ${query}: ${String(b.errorType ?? "error")}: ${String(b.error ?? "no reason given")}`,
        retryable,
      );
    }
    if (!res.ok) throw new ProviderError(PROVIDER, `Prometheus at ${this.baseUrl} answered HTTP ${res.status}`, res.status >= 500);
    return body;
  }
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

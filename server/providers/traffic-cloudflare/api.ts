/**
 * A small client for Cloudflare's v4 API: bearer token, JSON bodies, the `{ success, errors, messages, result }`
 * envelope unwrapped. Rate limits and 5xx are retryable; a refused token or a bad body is not.
 */
import { ProviderError } from "../types";
import { describeErrors, type Envelope } from "./payloads";

const PROVIDER = "traffic-cloudflare";

export class CloudflareApi {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly timeoutMs: number,
    private readonly fetchImpl: typeof fetch = fetch,
    /** Sent with every call (the rollout's trace headers). */
    private readonly extraHeaders: Record<string, string> = {},
  ) {}

  get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>("GET", path, undefined, signal);
  }

  patch<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    return this.request<T>("PATCH", path, body, signal);
  }

  private async request<T>(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const url = this.baseUrl.replace(/\/+$/, "") + path;
    const what = `${method} ${path}`;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...this.extraHeaders,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      if (timeout.aborted) throw new ProviderError(PROVIDER, `Cloudflare API did not answer ${what} within ${this.timeoutMs} ms`, true);
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new ProviderError(
        PROVIDER,
        `Cloudflare API at ${this.baseUrl} cannot be reached: ${cause?.code ?? cause?.message ?? (err as Error).message}`,
        true,
      );
    }
    const text = await res.text().catch(() => "");
    let envelope: Envelope<T>;
    try {
      envelope = JSON.parse(text) as Envelope<T>;
    } catch {
      throw new ProviderError(
        PROVIDER,
        `Cloudflare API answered ${what} with HTTP ${res.status} and no JSON: ${text.replace(/\s+/g, " ").slice(0, 120) || "(empty body)"}`,
        res.status >= 500,
      );
    }
    const retryable = res.status === 429 || res.status >= 500;
    if (!res.ok || envelope?.success !== true) {
      throw new ProviderError(PROVIDER, `Cloudflare refused ${what} (HTTP ${res.status}): ${describeErrors(envelope?.errors)}`, retryable);
    }
    if (envelope.result === null || envelope.result === undefined) throw new ProviderError(PROVIDER, `Cloudflare answered ${what} with success but no result`);
    return envelope.result;
  }
}

/**
 * The REST API as the CLI sees it: FLIGHTDECK_URL and FLIGHTDECK_TOKEN, `Authorization: Bearer`, JSON both ways.
 * A refusal becomes an ApiError carrying the server's message (which says what to do) and, for bad input, the
 * same `{ path, message }` problems the server formats for every transport.
 */
import type { Env } from "@/server/config/load";
import type { Problem } from "@/server/services/errors";
import { ArgumentError } from "./simulate-args";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: Problem[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export type ApiClient = {
  get: <T>(path: string) => Promise<T>;
  /** `headers`: extra request headers (an `Idempotency-Key`); `timeoutMs`: longer than 30 s for a long read (a backtest). */
  post: <T>(path: string, body?: unknown, headers?: Record<string, string>, timeoutMs?: number) => Promise<T>;
  /** `body`: a JSON body (a lift's reason). */
  delete: <T>(path: string, body?: unknown) => Promise<T>;
  baseUrl: string;
};

export function apiClientFromEnv(env: Env, fetchImpl: typeof fetch = fetch): ApiClient {
  const baseUrl = env.FLIGHTDECK_URL?.replace(/\/+$/, "");
  if (!baseUrl || !/^https?:\/\//.test(baseUrl))
    throw new ArgumentError(
      `set FLIGHTDECK_URL to the Flightdeck server, e.g. https://flightdeck.example.com (got ${JSON.stringify(env.FLIGHTDECK_URL ?? "")})`,
    );
  const token = env.FLIGHTDECK_TOKEN;
  if (!token) throw new ArgumentError("set FLIGHTDECK_TOKEN to an API token (an admin creates one in Admin → API tokens)");

  async function request<T>(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}, timeoutMs = 30_000): Promise<T> {
    let res: Response;
    try {
      res = await fetchImpl(`${baseUrl}${path}`, {
        method,
        headers: {
          ...extraHeaders,
          authorization: `Bearer ${token}`,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new ApiError(0, `cannot reach ${baseUrl}: ${(err as Error).message}`);
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      throw new ApiError(res.status, `${method} ${path} answered ${res.status} with something that is not JSON; is FLIGHTDECK_URL the Flightdeck server?`);
    }
    if (!res.ok) {
      const refusal = json as { error?: string; issues?: Problem[] } | null;
      throw new ApiError(res.status, refusal?.error ?? `${method} ${path} answered ${res.status}`, Array.isArray(refusal?.issues) ? refusal.issues : []);
    }
    return json as T;
  }
  return {
    baseUrl,
    get: (path) => request("GET", path),
    post: (path, body, headers, timeoutMs) => request("POST", path, body ?? {}, headers, timeoutMs),
    delete: (path, body) => request("DELETE", path, body),
  };
}

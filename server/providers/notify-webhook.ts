/**
 * The one I/O call of the notify providers: POST a card as JSON to a Slack or Teams webhook, with a timeout.
 * Never throws: the answer (status, body, Retry-After) or the network error comes back for the sender to judge.
 */
/**
 * `mayHaveArrived`: the request failed after it may have left (a timeout, a connection cut mid-request), so the
 * far end may have acted on it; false when no connection was made (refused, unknown host, a bad URL).
 */
export type WebhookAnswer =
  { kind: "answered"; status: number; body: string; retryAfterMs: number | null } | { kind: "unreachable"; error: string; mayHaveArrived?: boolean };

export type PostWebhookOptions = { timeoutMs: number; headers?: Record<string, string>; fetchImpl?: typeof fetch; now?: () => number };

const BODY_LIMIT = 500;
/** Failures that happen before any byte of the request leaves: the far end cannot have seen it. */
const NEVER_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ERR_INVALID_URL"]);

export async function postWebhook(url: string, payload: unknown, opts: PostWebhookOptions): Promise<WebhookAnswer> {
  return sendRequest(url, { method: "POST", body: JSON.stringify(payload), contentType: "application/json" }, opts);
}

/** Any method and body (the Pushgateway's PUT and DELETE, Grafana's PATCH), judged the same way. */
export async function sendRequest(
  url: string,
  request: { method: string; body?: string; contentType?: string },
  opts: PostWebhookOptions,
): Promise<WebhookAnswer> {
  const doFetch = opts.fetchImpl ?? fetch;
  try {
    const res = await doFetch(url, {
      method: request.method,
      headers: { ...(request.contentType ? { "content-type": request.contentType } : {}), ...opts.headers },
      body: request.body,
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    const body = (await res.text()).slice(0, BODY_LIMIT);
    return { kind: "answered", status: res.status, body, retryAfterMs: parseRetryAfter(res.headers.get("retry-after"), (opts.now ?? Date.now)()) };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const detail = e.cause?.code ?? e.cause?.message;
    const why = e.name === "TimeoutError" ? `no answer within ${opts.timeoutMs} ms` : `${e.message}${detail ? ` (${detail})` : ""}`;
    const code = e.cause?.code ?? (e as { code?: string }).code;
    return { kind: "unreachable", error: why, mayHaveArrived: !(code && NEVER_SENT.has(code)) };
  }
}

/** Retry-After is either seconds or an HTTP date (RFC 9110). */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

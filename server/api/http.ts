/**
 * Small HTTP helpers shared by the route handlers that are not tRPC (the CI webhook, the REST API): read a body
 * with a size limit, name the source of a request, answer JSON.
 */
import { getDb } from "@/db/client";
import { getConfig } from "@/server/config";

export const NO_STORE = { "cache-control": "no-store" } as const;

export function jsonAnswer(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { ...NO_STORE, ...headers } });
}

/**
 * The source for rate limiting: the first hop of X-Forwarded-For (Next's server sets it from the socket when a
 * client did not), else X-Real-IP, else "unknown". Behind a proxy you trust, that is the client; without one a
 * client can choose its own value, so this limit guards against runaway loops, not determined attackers.
 */
export function requestSource(headers: Headers): string {
  const first = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return (first || headers.get("x-real-ip")?.trim() || "unknown").slice(0, 64);
}

export type BodyRead = { ok: true; text: string } | { ok: false; tooLarge: true };

/** Read the raw body, stopping as soon as it passes `maxBytes` (a Content-Length can lie or be absent). */
export async function readBodyWithLimit(request: Request, maxBytes: number): Promise<BodyRead> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) return { ok: false, tooLarge: true };
  if (!request.body) return { ok: true, text: "" };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return { ok: false, tooLarge: true };
    }
    chunks.push(value);
  }
  return { ok: true, text: Buffer.concat(chunks).toString("utf8") };
}

/** The process's database and fleet config, for route handlers that call a service directly. */
export function processContext() {
  return { db: getDb(), config: getConfig().config };
}

/**
 * Small HTTP helpers shared by the route handlers that are not tRPC (the CI webhook, the REST API): read a body
 * with a size limit, name the source of a request, answer JSON.
 */
import { getDb } from "@/db/client";
import { getConfig } from "@/server/config";
import { clientAddress } from "@/server/security/client-address";

export const NO_STORE = { "cache-control": "no-store" } as const;

export function jsonAnswer(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { ...NO_STORE, ...headers } });
}

/** The source for rate limiting: the client's address, X-Forwarded-For believed only from `trustedProxies`. */
export function requestSource(headers: Headers): string {
  return clientAddress(headers, getConfig().config.trustedProxies);
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

/** The process's store and fleet config, for route handlers that call a service directly. */
export function processContext() {
  return { db: getDb(), config: getConfig().config };
}

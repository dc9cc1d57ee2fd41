/**
 * Idempotency keys of the REST API (`Idempotency-Key` header): a client that retries a request with the key it
 * used gets the first request's outcome back, with nothing new written, for 24 hours. The key is remembered in the
 * event the first request wrote (per actor), so no table holds it; the same key with another request is refused.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { Store } from "@/db/client";
import type { EventType } from "@/server/engine/machine/events";

/** How long a key answers with the first request's outcome. */
export const KEY_MEMORY_MS = 24 * 3_600_000;

export const IdempotencyKey = z.string().regex(/^[\x21-\x7e]{1,200}$/, { error: "expected 1 to 200 visible ASCII characters (a UUID, a CI run id)" });

/**
 * Inside the request's transaction, before it looks for an earlier use of the key: two retries racing on
 * PostgreSQL would otherwise both find none (SQLite's write transactions already take turns).
 */
export async function holdKey(tx: Store, actor: string, key: string): Promise<void> {
  await tx.exclusive(`idempotency:${actor}:${key}`);
}

/** The stored events of this type that this actor wrote in the last 24 hours, newest first, to look for a key in. */
export function recentEventsOf(tx: Store, type: EventType, actor: string, now: number) {
  return tx.events.auditPage({ type, actor, from: now - KEY_MEMORY_MS }, 500);
}

/** A fingerprint of what a request asked for (its parsed input), to tell a retry from another request under the same key. */
export function requestFingerprint(input: unknown): string {
  return createHash("sha256").update(stableJson(input)).digest("hex").slice(0, 32);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object")
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value);
}

/**
 * The headers that tie an outgoing request to its rollout: W3C Trace Context `traceparent` and
 * `x-correlation-id`. The trace id is the rollout's correlation id (a uuid without its dashes), so every call
 * of one rollout shares a trace in whatever tracing the far side runs; each request gets its own span id.
 */
import { createHash, randomBytes } from "node:crypto";

const HEX32 = /^[0-9a-f]{32}$/;
const ZERO_TRACE = "0".repeat(32);

/** 32 lowercase hex digits: the uuid itself when the correlation id is one, else a hash of it (never all zeros). */
export function traceIdFor(correlationId: string): string {
  const bare = correlationId.replace(/-/g, "").toLowerCase();
  if (HEX32.test(bare) && bare !== ZERO_TRACE) return bare;
  return createHash("sha256").update(correlationId).digest("hex").slice(0, 32);
}

/** 16 hex digits, never all zeros (the spec calls that id invalid). */
function newSpanId(): string {
  for (;;) {
    const id = randomBytes(8).toString("hex");
    if (id !== "0000000000000000") return id;
  }
}

/** `{}` without a correlation id, so callers can always spread it into their headers. */
export function traceHeaders(correlationId: string | null | undefined): Record<string, string> {
  if (!correlationId) return {};
  return { traceparent: `00-${traceIdFor(correlationId)}-${newSpanId()}-01`, "x-correlation-id": correlationId };
}

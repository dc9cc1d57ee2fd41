/**
 * The CI webhook's signature: `X-Flightdeck-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`
 * keyed with FLIGHTDECK_WEBHOOK_SECRET, and `X-Flightdeck-Timestamp` (unix seconds) within 5 minutes of now.
 * Pure: no clock, no environment. Signing the timestamp with the body is what makes an old capture useless.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

export function signWebhook(secret: string, timestamp: string, rawBody: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${rawBody}`).digest("hex")}`;
}

export type SignatureCheck = { ok: true } | { ok: false; message: string };

export function verifyWebhookSignature(input: {
  secret: string;
  timestamp: string | null;
  signature: string | null;
  rawBody: string;
  nowMs: number;
}): SignatureCheck {
  const { timestamp, signature } = input;
  if (!timestamp) return { ok: false, message: "The X-Flightdeck-Timestamp header is missing: send the unix time in seconds that you signed." };
  if (!/^\d{1,12}$/.test(timestamp))
    return { ok: false, message: `X-Flightdeck-Timestamp must be unix seconds (digits only), got ${JSON.stringify(timestamp.slice(0, 40))}.` };
  const skew = Math.round(input.nowMs / 1000 - Number(timestamp));
  if (Math.abs(skew) > MAX_CLOCK_SKEW_SECONDS) {
    return {
      ok: false,
      message: `X-Flightdeck-Timestamp is ${Math.abs(skew)} s ${skew > 0 ? "old" : "in the future"}; it must be within ${MAX_CLOCK_SKEW_SECONDS} s of the server's clock. Sign each request when you send it, and check the sender's clock.`,
    };
  }
  if (!signature)
    return {
      ok: false,
      message:
        'The X-Flightdeck-Signature header is missing: send "sha256=" followed by the hex HMAC-SHA256 of "<timestamp>.<raw body>" keyed with the webhook secret.',
    };
  const expected = Buffer.from(signWebhook(input.secret, timestamp, input.rawBody));
  const given = Buffer.from(signature);
  // timingSafeEqual needs equal lengths; comparing the length first reveals only the (public) format.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      ok: false,
      message:
        'X-Flightdeck-Signature does not match: sign exactly "<timestamp>.<raw body>" (the bytes you send) with HMAC-SHA256 and the secret configured as FLIGHTDECK_WEBHOOK_SECRET.',
    };
  }
  return { ok: true };
}

/**
 * Slack's request signature (api.slack.com/authentication/verifying-requests-from-slack): `X-Slack-Signature:
 * v0=<hex HMAC-SHA256 of "v0:<X-Slack-Request-Timestamp>:<raw body>">` keyed with the app's signing secret, the
 * timestamp within 5 minutes of now. Pure: no clock, no environment. The timestamp is inside what is signed, so a
 * captured request is useless after 5 minutes, and a body altered in any byte no longer matches.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const SLACK_MAX_SKEW_SECONDS = 5 * 60;

export function signSlackRequest(secret: string, timestamp: string, rawBody: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${rawBody}`).digest("hex")}`;
}

export type SlackSignatureCheck = { ok: true } | { ok: false; message: string };

export function verifySlackSignature(input: {
  secret: string;
  timestamp: string | null;
  signature: string | null;
  rawBody: string;
  nowMs: number;
}): SlackSignatureCheck {
  const { timestamp, signature } = input;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return { ok: false, message: "X-Slack-Request-Timestamp is missing or not unix seconds." };
  const skew = Math.round(input.nowMs / 1000 - Number(timestamp));
  if (Math.abs(skew) > SLACK_MAX_SKEW_SECONDS) {
    return {
      ok: false,
      message: `X-Slack-Request-Timestamp is ${Math.abs(skew)} s ${skew > 0 ? "old" : "in the future"}; Slack requests are accepted within ${SLACK_MAX_SKEW_SECONDS} s (a replay, or this server's clock is wrong).`,
    };
  }
  if (!signature) return { ok: false, message: "X-Slack-Signature is missing." };
  const expected = Buffer.from(signSlackRequest(input.secret, timestamp, input.rawBody));
  const given = Buffer.from(signature);
  // timingSafeEqual needs equal lengths; comparing the length first reveals only the (public) format.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, message: "X-Slack-Signature does not match: the body was altered, or SLACK_SIGNING_SECRET is not this Slack app's signing secret." };
  }
  return { ok: true };
}

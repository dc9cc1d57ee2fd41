/** CI webhook (contract: README "CI"): rate limit, read the body with a limit, hand it to the service, answer JSON. */
import { jsonAnswer, processContext, readBodyWithLimit, requestSource } from "@/server/api/http";
import { logger } from "@/server/log";
import { receiveCiWebhook } from "@/server/services/ci-webhook";
import { RateLimiter, WEBHOOK_RATE_LIMIT } from "@/server/services/rate-limiter";

export const dynamic = "force-dynamic";

const MAX_BODY_BYTES = 256 * 1024;
const limiter = new RateLimiter(WEBHOOK_RATE_LIMIT);

export async function POST(request: Request): Promise<Response> {
  const now = Date.now();
  const source = requestSource(request.headers);
  const rate = limiter.take(source, now);
  if (!rate.allowed) {
    const error = `Too many webhook deliveries from ${source}: at most ${WEBHOOK_RATE_LIMIT.capacity} at once, then one every ${1 / WEBHOOK_RATE_LIMIT.perSecond} s. Retry after ${rate.retryAfterSeconds} s.`;
    return jsonAnswer(429, { error }, { "retry-after": String(rate.retryAfterSeconds) });
  }
  try {
    const body = await readBodyWithLimit(request, MAX_BODY_BYTES);
    if (!body.ok) return jsonAnswer(413, { error: `The body is larger than ${MAX_BODY_BYTES / 1024} KiB; a webhook delivery names the artifact, it does not carry it.` });
    const answer = receiveCiWebhook({ ...processContext(), now, secret: process.env.FLIGHTDECK_WEBHOOK_SECRET }, { headers: request.headers, rawBody: body.text });
    return jsonAnswer(answer.status, answer.body);
  } catch (err) {
    logger.error({ err }, "CI webhook: unexpected error");
    return jsonAnswer(500, { error: "Something went wrong on the server while handling the delivery; it has been logged. Retry with the same X-Flightdeck-Delivery id." });
  }
}

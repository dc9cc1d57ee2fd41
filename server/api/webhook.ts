/**
 * The CI webhook's HTTP adapter (contract: README "CI"): rate limit, read the body with a limit, hand it to the
 * service (`server/services/ci-webhook.ts`, which maps service errors by the table's `webhook` column), answer
 * JSON. A refused delivery is counted (`flightdeck_webhook_refused_total{reason}`) and logged with its reason,
 * never stored: a flood of bad deliveries costs no disk. An unexpected error is logged and answered without its
 * message. The route file `app/api/webhooks/ci/route.ts` only points here.
 */
import { serverEnv } from "@/server/config/env";
import { realClock } from "@/server/engine/clock";
import { logger } from "@/server/log";
import { countRefusedWebhook } from "@/server/metrics";
import { receiveCiWebhook } from "@/server/services/ci-webhook";
import { RateLimiter, WEBHOOK_RATE_LIMIT } from "@/server/services/rate-limiter";
import { jsonAnswer, processContext, readBodyWithLimit, requestSource } from "./http";

const MAX_BODY_BYTES = 256 * 1024;
const limiter = new RateLimiter("webhook", WEBHOOK_RATE_LIMIT);

/** The webhook route: answer the delivery, and count and log it if refused. */
export async function receiveWebhookRequest(request: Request): Promise<Response> {
  const answer = await receive(request);
  if (answer.status >= 400) await logRefusal(request, answer);
  return answer;
}

async function logRefusal(request: Request, answer: Response): Promise<void> {
  const reason = countRefusedWebhook(answer.status);
  if (answer.status >= 500 && answer.status !== 503) return; // logged as an error where it happened
  const { error } = (await answer
    .clone()
    .json()
    .catch(() => ({}))) as { error?: unknown };
  const deliveryId = request.headers.get("x-flightdeck-delivery")?.slice(0, 100) ?? null;
  logger.warn(
    { reason, status: answer.status, source: requestSource(request.headers), deliveryId, error: typeof error === "string" ? error.slice(0, 500) : null },
    "CI webhook: delivery refused",
  );
}

async function receive(request: Request): Promise<Response> {
  const now = Date.now();
  const source = requestSource(request.headers);
  const context = processContext();
  const rate = await limiter.take(context.db, source, now);
  if (!rate.allowed) {
    const error = `Too many webhook deliveries from ${source}: at most ${WEBHOOK_RATE_LIMIT.capacity} at once, then one every ${1 / WEBHOOK_RATE_LIMIT.perSecond} s. Retry after ${rate.retryAfterSeconds} s.`;
    return jsonAnswer(429, { error }, { "retry-after": String(rate.retryAfterSeconds) });
  }
  try {
    const body = await readBodyWithLimit(request, MAX_BODY_BYTES);
    if (!body.ok)
      return jsonAnswer(413, { error: `The body is larger than ${MAX_BODY_BYTES / 1024} KiB; a webhook delivery names the artifact, it does not carry it.` });
    const answer = await receiveCiWebhook(
      { ...context, clock: realClock, secret: serverEnv().FLIGHTDECK_WEBHOOK_SECRET, previousSecret: serverEnv().FLIGHTDECK_WEBHOOK_SECRET_PREVIOUS },
      { headers: request.headers, rawBody: body.text },
    );
    return jsonAnswer(answer.status, answer.body);
  } catch (err) {
    logger.error({ err }, "CI webhook: unexpected error");
    return jsonAnswer(500, {
      error: "Something went wrong on the server while handling the delivery; it has been logged. Retry with the same X-Flightdeck-Delivery id.",
    });
  }
}

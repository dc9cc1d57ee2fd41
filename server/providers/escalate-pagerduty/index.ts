/**
 * PagerDuty's Events API v2: one POST to `/v2/enqueue` (trigger or resolve). Never throws: the answer comes back
 * for the outbox sender to judge and retry; PagerDuty answers 202 and deduplicates on `dedup_key` itself.
 */
import { postWebhook, type WebhookAnswer } from "../notify-webhook";
import { traceHeaders } from "../trace-headers";
import { enqueueUrl } from "./payload";

export { buildResolve, buildTrigger } from "./payload";

export type PagerDutyOptions = { eventsUrl: string; timeoutMs: number; correlationId?: string | null; fetchImpl?: typeof fetch };

export function sendEvent(opts: PagerDutyOptions, event: unknown): Promise<WebhookAnswer> {
  return postWebhook(enqueueUrl(opts.eventsUrl), event, { timeoutMs: opts.timeoutMs, fetchImpl: opts.fetchImpl, headers: traceHeaders(opts.correlationId) });
}

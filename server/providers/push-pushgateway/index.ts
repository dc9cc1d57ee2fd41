/**
 * The Pushgateway's two calls: replace a region rollout's group (PUT) and delete it (DELETE). Like the
 * webhook senders they never throw: the answer comes back for the outbox sender to judge and retry.
 */
import { sendRequest, type WebhookAnswer } from "../notify-webhook";
import { traceHeaders } from "../trace-headers";
import { groupingPath } from "./payload";

export { buildPushBody, groupingPath, VERDICT_VALUE, type StageSnapshot } from "./payload";

export type PushOptions = { timeoutMs: number; correlationId?: string | null; fetchImpl?: typeof fetch };

const groupUrl = (baseUrl: string, rolloutId: string, regionId: string) => baseUrl.replace(/\/+$/, "") + groupingPath(rolloutId, regionId);

export function pushGroup(baseUrl: string, group: { rolloutId: string; regionId: string; body: string }, opts: PushOptions): Promise<WebhookAnswer> {
  return sendRequest(
    groupUrl(baseUrl, group.rolloutId, group.regionId),
    { method: "PUT", body: group.body, contentType: "text/plain; version=0.0.4; charset=utf-8" },
    { timeoutMs: opts.timeoutMs, fetchImpl: opts.fetchImpl, headers: traceHeaders(opts.correlationId) },
  );
}

export function deleteGroup(baseUrl: string, group: { rolloutId: string; regionId: string }, opts: PushOptions): Promise<WebhookAnswer> {
  return sendRequest(
    groupUrl(baseUrl, group.rolloutId, group.regionId),
    { method: "DELETE" },
    { timeoutMs: opts.timeoutMs, fetchImpl: opts.fetchImpl, headers: traceHeaders(opts.correlationId) },
  );
}

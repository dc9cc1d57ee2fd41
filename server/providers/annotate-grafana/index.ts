/**
 * Grafana's annotation API: create (POST /api/annotations) and set a region annotation's end
 * (PATCH /api/annotations/:id), with the service account token as a bearer. Never throws: the answer comes
 * back for the outbox sender to judge and retry.
 */
import { sendRequest, type WebhookAnswer } from "../notify-webhook";
import { traceHeaders } from "../trace-headers";
import type { Annotation } from "./payload";

export { annotationIdOf, annotationTags, buildEventAnnotation, buildRegionAnnotation, type Annotation, type AnnotationFacts } from "./payload";

export type GrafanaOptions = { baseUrl: string; apiKey: string; timeoutMs: number; correlationId?: string | null; fetchImpl?: typeof fetch };

function call(opts: GrafanaOptions, method: string, path: string, body: unknown): Promise<WebhookAnswer> {
  return sendRequest(
    opts.baseUrl.replace(/\/+$/, "") + path,
    { method, body: JSON.stringify(body), contentType: "application/json" },
    {
      timeoutMs: opts.timeoutMs,
      fetchImpl: opts.fetchImpl,
      headers: { authorization: `Bearer ${opts.apiKey}`, accept: "application/json", ...traceHeaders(opts.correlationId) },
    },
  );
}

export function createAnnotation(opts: GrafanaOptions, annotation: Annotation): Promise<WebhookAnswer> {
  return call(opts, "POST", "/api/annotations", annotation);
}

export function endAnnotation(opts: GrafanaOptions, id: number, timeEnd: number): Promise<WebhookAnswer> {
  return call(opts, "PATCH", `/api/annotations/${id}`, { timeEnd });
}

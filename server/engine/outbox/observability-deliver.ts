/**
 * Delivery of the outbox rows that are not cards (./observability-enqueue.ts): Pushgateway pushes and
 * deletes, Grafana annotations. The sender claims, judges and retries them like cards; this file only makes
 * the one request a row stands for. A region annotation's end waits for its start to be created (to PATCH
 * the id Grafana gave); if the start failed for good, the end creates the whole region annotation instead.
 */
import type { Store } from "@/db/client";
import type { OutboxRow } from "@/db/store/repositories/outbox";
import type { FleetConfig } from "@/server/config/schema";
import { annotationIdOf, createAnnotation, endAnnotation, type Annotation } from "@/server/providers/annotate-grafana";
import type { WebhookAnswer } from "@/server/providers/notify-webhook";
import { deleteGroup, pushGroup } from "@/server/providers/push-pushgateway";
import { OBSERVABILITY_CHANNELS, type PushJob, type RegionAnnotationEnd, type RegionAnnotationStart } from "./observability-enqueue";

type Row = OutboxRow;
export type JobContext = {
  db: Store;
  config: FleetConfig;
  env: Record<string, string | undefined>;
  timeoutMs: number;
  fetchImpl?: typeof fetch;
  correlationId: string | null;
};
/** The answer to judge, a new payload to keep once it is sent, or why the row cannot be sent at all. */
export type JobOutcome = { answer: WebhookAnswer; keep?: unknown } | { cannot: string };

const CHANNEL_IDS: ReadonlySet<string> = new Set(Object.values(OBSERVABILITY_CHANNELS));
export const isObservabilityChannel = (channelId: string) => CHANNEL_IDS.has(channelId);

const WAITING: WebhookAnswer = { kind: "unreachable", error: "waiting for the region annotation to be created first" };

export async function deliverObservabilityJob(ctx: JobContext, row: Row): Promise<JobOutcome> {
  if (row.channelId === OBSERVABILITY_CHANNELS.push || row.channelId === OBSERVABILITY_CHANNELS.pushCleanup) {
    const envName = ctx.config.observability.pushgatewayUrlEnv;
    const url = envName ? ctx.env[envName] : undefined;
    if (!url) return { cannot: envName ? `environment variable ${envName} is not set` : "observability.pushgatewayUrlEnv is no longer in the config" };
    const opts = { timeoutMs: ctx.timeoutMs, fetchImpl: ctx.fetchImpl, correlationId: ctx.correlationId };
    const job = row.payload as PushJob;
    return { answer: row.kind === "delete" ? await deleteGroup(url, job, opts) : await pushGroup(url, job, opts) };
  }
  const grafana = ctx.config.observability.grafana;
  const apiKey = grafana ? ctx.env[grafana.apiKeyEnv] : undefined;
  if (!grafana || !apiKey)
    return { cannot: grafana ? `environment variable ${grafana.apiKeyEnv} is not set` : "observability.grafana is no longer in the config" };
  const opts = { baseUrl: grafana.url, apiKey, timeoutMs: ctx.timeoutMs, fetchImpl: ctx.fetchImpl, correlationId: ctx.correlationId };
  if (row.kind === "annotation") return { answer: await createAnnotation(opts, row.payload as Annotation) };
  if (row.kind === "region-start") {
    const start = row.payload as RegionAnnotationStart;
    const answer = await createAnnotation(opts, start.annotation);
    const id = answer.kind === "answered" ? annotationIdOf(answer.body) : null;
    return { answer, ...(id !== null ? { keep: { ...start, annotationId: id } } : {}) };
  }
  const end = row.payload as RegionAnnotationEnd;
  const start = await regionStartOf(ctx.db, row);
  const startId = (start?.payload as RegionAnnotationStart | undefined)?.annotationId;
  if (start?.status === "sent" && typeof startId === "number") return { answer: await endAnnotation(opts, startId, end.timeEnd) };
  if (start && (start.status === "pending" || start.status === "sending")) return { answer: WAITING };
  return { answer: await createAnnotation(opts, end.fallback) };
}

/** The latest region-start row of the same region rollout written before this end. */
function regionStartOf(db: Store, end: Row): Promise<Row | undefined> {
  return db.outbox.latestInGroupBefore(OBSERVABILITY_CHANNELS.regionAnnotation, "region-start", end.groupKey ?? "", end.id);
}

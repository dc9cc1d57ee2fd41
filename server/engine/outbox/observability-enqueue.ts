/**
 * Pushgateway pushes and Grafana annotations, written to the notification outbox in the same transaction as
 * the event that causes them, and delivered by the same sender (./observability-deliver.ts): so they are
 * retried, never lost on a crash, and can never fail or slow a rollout. Each target is a reserved channel id
 * (one row per event and channel, as for cards):
 * - `pushgateway`: PUT the region rollout's group at each stage transition;
 * - `pushgateway-cleanup`: DELETE the group PUSH_GROUP_KEEP_MS after the region finished (the outbox's
 *   next_attempt_at holds the delay), so dashboards show the final values for a while, then the group goes;
 * - `grafana`: a point annotation for deploy start, each stage, a breach, a rollback and a success;
 * - `grafana-region`: the region's whole rollout, created at its start (the id Grafana answers is kept in the
 *   row's payload) and given its end (PATCH timeEnd) when the region finishes.
 */
import type { Store } from "@/db/client";
import type { RegionRolloutRow } from "@/db/store/repositories/region-rollouts";
import type { RolloutRow } from "@/db/store/repositories/rollouts";
import type { FleetConfig } from "@/server/config/schema";
import { buildEventAnnotation, buildRegionAnnotation, type AnnotationFacts } from "@/server/providers/annotate-grafana/payload";
import { buildPushBody, type StageSnapshot } from "@/server/providers/push-pushgateway/payload";
import { readEvent } from "@/server/engine/machine/events";
import type { OutboxEvent } from "./card-view";

export const OBSERVABILITY_CHANNELS = {
  push: "pushgateway",
  pushCleanup: "pushgateway-cleanup",
  annotation: "grafana",
  regionAnnotation: "grafana-region",
} as const;
export const PUSH_GROUP_KEEP_MS = 15 * 60_000;

const PUSH_EVENTS = new Set(["stage.started", "stage.passed", "region.rolled_back", "region.succeeded"]);
const ANNOTATED_EVENTS = new Set(["deploy.started", "stage.started", "stage.passed", "analysis.breach", "region.rolled_back", "region.succeeded"]);
const REGION_START = "region.started";
const REGION_END_EVENTS = new Set(["region.succeeded", "region.rolled_back", "region.aborted"]);

export type PushJob = { rolloutId: string; regionId: string; body: string };
export type RegionAnnotationStart = { annotation: ReturnType<typeof buildRegionAnnotation>; annotationId?: number };
export type RegionAnnotationEnd = { timeEnd: number; fallback: ReturnType<typeof buildRegionAnnotation> };

export function observabilityEnabled(config: FleetConfig): boolean {
  return Boolean(config.observability.pushgatewayUrlEnv || config.observability.grafana);
}

export async function enqueueObservability(tx: Store, config: FleetConfig, event: OutboxEvent): Promise<void> {
  if (!event.rolloutId || !event.regionId) return;
  const push = Boolean(config.observability.pushgatewayUrlEnv) && (PUSH_EVENTS.has(event.type) || REGION_END_EVENTS.has(event.type));
  const annotate =
    Boolean(config.observability.grafana) && (ANNOTATED_EVENTS.has(event.type) || event.type === REGION_START || REGION_END_EVENTS.has(event.type));
  if (!push && !annotate) return;
  const rollout = await tx.rollouts.byId(event.rolloutId);
  const rr = await tx.regionRollouts.ofRolloutInRegion(event.rolloutId, event.regionId);
  if (!rollout || !rr) return;
  const groupKey = `${rollout.id}/${rr.regionId}`;
  const write = (channelId: string, kind: string, payload: unknown, dueAt = event.at) =>
    tx.outbox.insertIfAbsent({ eventId: event.id, channelId, kind, payload, groupKey, status: "pending", nextAttemptAt: dueAt, createdAt: event.at });

  const data = readEvent(event)?.data ?? {};
  const stageIndex = typeof data.stageIndex === "number" ? data.stageIndex : rr.stageIndex;
  if (push && PUSH_EVENTS.has(event.type) && stageIndex >= 0) {
    const job: PushJob = { rolloutId: rollout.id, regionId: rr.regionId, body: buildPushBody(await stageSnapshot(tx, { rollout, rr, stageIndex, event })) };
    await write(OBSERVABILITY_CHANNELS.push, "push", job);
  }
  if (push && REGION_END_EVENTS.has(event.type))
    await write(OBSERVABILITY_CHANNELS.pushCleanup, "delete", { rolloutId: rollout.id, regionId: rr.regionId }, event.at + PUSH_GROUP_KEEP_MS);

  if (!annotate) return;
  const version = (await tx.artifacts.byId(rollout.artifactId))?.version ?? "?";
  const facts = { service: rollout.serviceId, version, correlationId: rollout.correlationId, regionId: rr.regionId };
  if (ANNOTATED_EVENTS.has(event.type)) {
    const stagePercent = typeof data.percent === "number" ? data.percent : null;
    const full: AnnotationFacts = { ...facts, stagePercent, event: event.type };
    await write(OBSERVABILITY_CHANNELS.annotation, "annotation", buildEventAnnotation(event.at, event.message, full));
  }
  if (event.type === REGION_START)
    await write(OBSERVABILITY_CHANNELS.regionAnnotation, "region-start", {
      annotation: buildRegionAnnotation(event.at, facts),
    } satisfies RegionAnnotationStart);
  if (REGION_END_EVENTS.has(event.type)) {
    const end: RegionAnnotationEnd = { timeEnd: event.at, fallback: buildRegionAnnotation(rr.startedAt ?? event.at, facts, event.at) };
    await write(OBSERVABILITY_CHANNELS.regionAnnotation, "region-end", end);
  }
}

type SnapshotInput = { rollout: RolloutRow; rr: RegionRolloutRow; stageIndex: number; event: OutboxEvent };

/** The stage's numbers at the event: traffic as saved, the latest canary sample of that stage, time spent in it. */
async function stageSnapshot(tx: Store, { rollout, rr, stageIndex, event }: SnapshotInput): Promise<StageSnapshot> {
  const sample = await tx.samples.latestCanary(rr.id, stageIndex);
  const stage = await tx.stages.byIndex(rr.id, stageIndex);
  const ev = readEvent(event);
  const justStarted = ev?.type === "stage.started";
  const startedAt = ev?.type === "stage.started" ? ev.data.percent : undefined;
  return {
    rolloutId: rollout.id,
    regionId: rr.regionId,
    serviceId: rollout.serviceId,
    correlationId: rollout.correlationId,
    stageIndex,
    canaryPct: typeof startedAt === "number" ? startedAt : rr.canaryPct,
    errorRatePct: justStarted ? null : (sample?.errorRatePct ?? null),
    latencyP95Ms: justStarted ? null : (sample?.latencyP95Ms ?? null),
    cpuPct: justStarted ? null : (sample?.cpuPct ?? null),
    memoryPct: justStarted ? null : (sample?.memoryPct ?? null),
    verdict: justStarted ? null : (sample?.verdict ?? null),
    stageDurationMs: justStarted ? 0 : stage?.startedAt != null ? Math.max(0, event.at - stage.startedAt) : null,
  };
}

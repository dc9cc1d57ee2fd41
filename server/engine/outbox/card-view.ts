/**
 * What a card shows, read in the transaction that wrote the event: the rollout, its artifact, the region's
 * rollout and its latest canary sample (the breaching one, for a rollback, since the sample is saved with it).
 */
import type { Store } from "@/db/client";
import type { ArtifactRow } from "@/db/store/repositories/artifacts";
import type { RegionRolloutRow } from "@/db/store/repositories/region-rollouts";
import { formatMinutes } from "@/lib/format";
import { actorName, namesFor, withActorNames } from "@/server/actor-names";
import { linkWindow } from "@/server/config/links";
import type { FleetConfig } from "@/server/config/schema";
import { PHASE_WORDS } from "@/server/engine/machine/messages";
import { BATCH_EVENT_TYPES, BATCH_WINDOW_MS, openBatchOf } from "@/server/engine/machine/emergency-batch";
import { readEvent, rollbackTrigger, type EmergencyOutcome } from "@/server/engine/machine/events";
import { liveReleaseOf, schemaVerdict } from "@/server/engine/machine/schema-compat";
import type { Colour } from "@/server/engine/machine/types";
import type { WrittenEvent } from "@/server/engine/store/event-consumers";
import type { CardKind, NotificationView } from "@/server/providers/notify-types";
import { anchorForCause, approvalsLink, GUIDE_ANCHORS, guideLink, regionLinks, rolloutLink, type GuideAnchor } from "./card-links";

/** An event as written, the outbox's input (the store's type: the store hands written events to the outbox). */
export type OutboxEvent = WrittenEvent;

const num = (v: unknown) => (typeof v === "number" ? v : null);
const FINISHED_WORDS: Record<string, string> = { succeeded: "succeeded", rolled_back: "rolled back", blocked: "blocked", aborted: "aborted" };

export async function buildNotificationView(tx: Store, config: FleetConfig, event: OutboxEvent, kind: CardKind): Promise<NotificationView | null> {
  // People by name on the card ("Rollback by Sam"), resolved as the card is built: the event keeps the reference.
  const names = await namesFor(tx, [event.actor], [event.message]);
  const by = actorName(event.actor, names);
  const message = withActorNames(event.message, names);
  if (kind === "emergency-rollback") return emergencyRollbackView(config, event, by);
  if (!event.rolloutId) return null;
  const rollout = await tx.rollouts.byId(event.rolloutId);
  if (!rollout) return null;
  const artifact = await tx.artifacts.byId(rollout.artifactId);
  const ev = readEvent(event);
  const service = config.services.find((s) => s.id === rollout.serviceId)?.name ?? rollout.serviceId;
  const region = config.regions.find((r) => r.id === event.regionId);
  const rr = event.regionId ? await tx.regionRollouts.ofRolloutInRegion(rollout.id, event.regionId) : undefined;
  const sample = rr ? await tx.samples.latestCanary(rr.id) : undefined;
  const from = rr?.startedAt ?? rollout.createdAt;
  const linkCtx = { rolloutId: rollout.id, serviceId: rollout.serviceId, correlationId: rollout.correlationId, ...linkWindow(from, event.at) };
  const view: NotificationView = {
    kind,
    rolloutId: rollout.id,
    correlationId: rollout.correlationId,
    service,
    version: artifact?.version ?? "?",
    ...(region ? { regionName: region.name, regionId: region.id } : {}),
    ...(rr ? { oldColour: rr.fromColour as Colour, newColour: rr.toColour as Colour } : {}),
    stagePercent: num(ev?.data.percent),
    detail: message,
    links: { rollout: rolloutLink(config, rollout.id), ...regionLinks(region, linkCtx) },
  };
  const withGuide = (anchor: GuideAnchor) => ({ ...view.links, guide: guideLink(config, anchor) });
  const measured = sample ? { errorRatePct: sample.errorRatePct, latencyP95Ms: sample.latencyP95Ms } : {};

  switch (kind) {
    case "incident": {
      // A person's rollback: an emergency one (after success, no stage) or one during the canary (at its stage).
      const trigger = ev?.type === "region.rolled_back" ? rollbackTrigger(ev.data) : "breach";
      const emergency = trigger === "emergency";
      const byPerson = trigger !== "breach";
      // A region of an emergency rollback of every region: the batch's summary is its card (service.rolled_back).
      if (byPerson && rr && (await inOpenEmergencyBatch(tx, rr.id, event.at))) return null;
      const cause = ev?.type === "region.rolled_back" && Array.isArray(ev.data.cause) ? ev.data.cause : [];
      return {
        ...view,
        ...(emergency ? { stagePercent: null } : measured),
        ...(byPerson ? { triggeredBy: by } : {}),
        ...(trigger !== "manual" && config.escalation ? { oncall: config.escalation.oncall } : {}),
        cause,
        rollbackTookMs: !byPerson && sample ? Math.max(0, event.at - sample.takenAt) : null,
        links: withGuide(byPerson ? GUIDE_ANCHORS.traffic : anchorForCause(cause)),
      };
    }
    case "analysis-inconclusive": {
      const anchor =
        event.type === "analysis.environment_problem"
          ? GUIDE_ANCHORS.environment
          : sample && sample.requests === null
            ? GUIDE_ANCHORS.prometheus
            : GUIDE_ANCHORS.inconclusive;
      return { ...view, ...measured, links: withGuide(anchor) };
    }
    case "provider-failure": {
      const deploy = ev?.type === "deploy.failed";
      const traffic = ev?.type === "traffic.failed" ? ev.data : {};
      const what = deploy
        ? `Deploy to ${rr?.toColour ?? "the new colour"} failed; no traffic moved`
        : `Traffic could not be moved (now ${num(traffic.canaryPct) ?? "?"}% on the new colour)`;
      const error = ev?.type === "deploy.failed" || ev?.type === "traffic.failed" ? ev.data.error : undefined;
      return {
        ...view,
        detail: what,
        error: typeof error === "string" ? error : null,
        links: withGuide(deploy ? GUIDE_ANCHORS.deploy : typeof traffic.rollbackAttempts === "number" ? GUIDE_ANCHORS.rollbackRetrying : GUIDE_ANCHORS.traffic),
      };
    }
    case "approval-needed":
      return {
        ...view,
        detail: describeRequired(ev?.type === "gate.opened" ? ev.data.required : undefined),
        ...(await schemaOnCard(tx, artifact, rr, rollout.schemaOverrideReason)),
        links: { ...view.links, approvals: approvalsLink(config) },
      };
    case "quarantine":
      return {
        ...view,
        stagePercent: null,
        detail: ev?.type === "rollout.quarantine_notice" ? `rolled back in ${ev.data.quarantinedIn} after ${ev.data.causeText}` : message,
      };
    case "region-succeeded":
      return { ...view, durationMs: rr?.startedAt != null ? event.at - rr.startedAt : null };
    case "rollout-started":
      return {
        ...view,
        strategy: rollout.delayMinutes ? `${rollout.strategy}, ${formatMinutes(rollout.delayMinutes)} between regions` : rollout.strategy,
        detail: message,
      };
    case "rollout-finished": {
      const rows = await tx.regionRollouts.listForRollout(rollout.id);
      const outcome = event.type.split(".")[1] as NotificationView["outcome"];
      return {
        ...view,
        outcome,
        durationMs: event.at - rollout.createdAt,
        regions: rows.map((r) => ({
          name: config.regions.find((c) => c.id === r.regionId)?.name ?? r.regionId,
          outcome: FINISHED_WORDS[r.phase] ?? PHASE_WORDS[r.phase],
          durationMs: r.startedAt != null && r.finishedAt != null ? r.finishedAt - r.startedAt : null,
        })),
      };
    }
  }
}

/**
 * The release's migrations on its approval card, judged as the approval page judges them (`schemaVerdict`) over
 * what the region served when the rollout started; nothing for a release without a manifest.
 */
async function schemaOnCard(
  tx: Store,
  artifact: ArtifactRow | undefined,
  rr: RegionRolloutRow | undefined,
  overrideReason: string | null,
): Promise<Pick<NotificationView, "schema">> {
  if (!artifact?.manifest || !rr) return {};
  const live = liveReleaseOf(rr.previousArtifactId ? await tx.artifacts.byId(rr.previousArtifactId) : null);
  const verdict = schemaVerdict({ artifactId: artifact.id, version: artifact.version, manifest: artifact.manifest }, [
    { regionId: rr.regionId, release: live },
  ]);
  const [region] = verdict.regions;
  return {
    schema: {
      migrations: verdict.migrations.map((m) => ({ id: m.id, class: m.class })),
      liveVersion: region.liveVersion,
      tolerated: region.ok,
      overridden: overrideReason !== null,
    },
  };
}

/** Whether the region rollout is part of an emergency rollback of every region still waiting for its summary. */
async function inOpenEmergencyBatch(tx: Store, regionRolloutId: string, now: number): Promise<boolean> {
  const rows = [];
  for (const type of BATCH_EVENT_TYPES) rows.push(...(await tx.events.auditPage({ type, from: now - BATCH_WINDOW_MS }, 200)));
  return openBatchOf(rows, regionRolloutId) !== null;
}

/** The one card of an emergency rollback of every region: each region's outcome, verified or still retrying, and those left alone. */
function emergencyRollbackView(config: FleetConfig, event: OutboxEvent, by: string): NotificationView | null {
  const ev = readEvent(event);
  if (ev?.type !== "service.rolled_back") return null;
  const service = config.services.find((s) => s.id === ev.data.serviceId);
  const nameOf = (regionId: string) => config.regions.find((r) => r.id === regionId)?.name ?? regionId;
  const outcomes = ev.data.outcomes ?? [];
  const back = outcomes.filter((o) => o.outcome === "rolled_back").length;
  const retrying = outcomes.filter((o) => o.outcome === "retrying").length;
  return {
    kind: "emergency-rollback",
    ...(config.escalation ? { oncall: config.escalation.oncall } : {}),
    correlationId: ev.data.batchId ?? event.correlationId ?? "",
    service: service?.name ?? ev.data.serviceId ?? "?",
    version: "",
    triggeredBy: by,
    regions: [
      ...outcomes.map((o) => ({ name: nameOf(o.regionId), outcome: emergencyOutcomeWords(o), durationMs: o.tookMs })),
      ...(ev.data.skipped ?? []).map((s) => ({ name: nameOf(s.regionId), outcome: `left alone: ${s.reason}`, durationMs: null })),
    ],
    detail:
      back === outcomes.length
        ? `✅ ${back === 1 ? "The region" : `All ${back} regions`} rolled back, each verified by its load balancer`
        : `⚠️ ${back} of ${outcomes.length} regions rolled back; ${retrying} still retrying (each alerts on its own)`,
    links: { overview: `${config.baseUrl.replace(/\/+$/, "")}/`, guide: guideLink(config, GUIDE_ANCHORS.traffic) },
  };
}

function emergencyOutcomeWords(o: EmergencyOutcome): string {
  if (o.outcome === "rolled_back") return `✅ 100 % back on ${o.colour}, ${o.release ? `release ${o.release}` : "its previous release"}, verified`;
  if (o.outcome === "retrying") return `❌ not back yet: ${o.detail}`;
  return o.detail;
}

function describeRequired(required: unknown): string {
  const r = (required ?? {}) as { functional?: number; sre?: number };
  const parts = [r.functional ? `${r.functional} reviewer${r.functional > 1 ? "s" : ""}` : null, r.sre ? `${r.sre} SRE${r.sre > 1 ? "s" : ""}` : null].filter(
    Boolean,
  );
  return parts.length > 0 ? `approval by ${parts.join(" and ")}` : "approval";
}

/**
 * The spec's support path as outbox rows (docs/notifications.md#escalation), written in the transaction of the
 * event that causes them, so every step is durable, exactly once per incident (one row per event and channel)
 * and its due time survives a restart; the existing sender delivers them when due (./escalation-deliver.ts).
 * Reserved channel ids:
 * - `escalation-ticket`: a Jira ticket, due `ticketAfterMinutes` after the rollback that opened the incident;
 * - `escalation-page`: a PagerDuty trigger, due `pageAfterMinutes` after it;
 * - `escalation-resolve`: the page's resolve, when a person resolves the incident or the region recovers.
 * A step found unneeded when due (acknowledged, resolved, never paged) is settled without a request.
 */
import type { Store } from "@/db/client";
import type { FleetConfig } from "@/server/config/schema";
import type { IncidentFacts } from "@/server/providers/escalate-jira/payload";
import { cardContent } from "@/server/providers/notify-content";
import { readEvent } from "@/server/engine/machine/events";
import { buildNotificationView, type OutboxEvent } from "./card-view";
import { incidentIdOf, opensIncident, type IncidentRef } from "./incidents";

export const ESCALATION_CHANNELS = { ticket: "escalation-ticket", page: "escalation-page", resolve: "escalation-resolve" } as const;
const CHANNEL_IDS: ReadonlySet<string> = new Set(Object.values(ESCALATION_CHANNELS));
export const isEscalationChannel = (channelId: string) => CHANNEL_IDS.has(channelId);

/** A ticket's or a page's row: the incident and what the ticket and the page say about it. */
export type EscalationJob = { incident: IncidentRef; facts: IncidentFacts; afterMinutes: number; rolloutUrl?: string };
/** A resolve's row: which incident's page to resolve, and why. */
export type ResolveJob = { incident: Pick<IncidentRef, "incidentId" | "rolloutId" | "regionId">; why: string };

const minute = 60_000;

export async function enqueueEscalation(tx: Store, config: FleetConfig, event: OutboxEvent): Promise<void> {
  const esc = config.escalation;
  if (!esc || (!esc.jira && !esc.pagerduty) || !event.rolloutId || !event.regionId) return;
  const groupKey = `${event.rolloutId}/${event.regionId}`;
  const write = (channelId: string, kind: string, payload: unknown, dueAt: number, key = groupKey) =>
    tx.outbox.insertIfAbsent({ eventId: event.id, channelId, kind, payload, groupKey: key, status: "pending", nextAttemptAt: dueAt, createdAt: event.at });

  if (opensIncident(event)) {
    const rollout = await tx.rollouts.byId(event.rolloutId);
    if (!rollout) return;
    const incident: IncidentRef = {
      incidentId: incidentIdOf(event.id),
      rolloutId: rollout.id,
      regionId: event.regionId,
      serviceId: rollout.serviceId,
      openedAt: event.at,
    };
    const facts = await incidentFacts(tx, config, event, incident, rollout.correlationId);
    // Grouped by service and region: a later rollout live there resolves the page (recovery).
    const key = `${rollout.serviceId}/${event.regionId}`;
    if (esc.jira)
      await write(
        ESCALATION_CHANNELS.ticket,
        "ticket",
        { incident, facts, afterMinutes: esc.ticketAfterMinutes } satisfies EscalationJob,
        event.at + esc.ticketAfterMinutes * minute,
        key,
      );
    if (esc.pagerduty) {
      const job: EscalationJob = { incident, facts, afterMinutes: esc.pageAfterMinutes, rolloutUrl: facts.links.find((l) => l.text.includes("Rollout"))?.href };
      await write(ESCALATION_CHANNELS.page, "page", job, event.at + esc.pageAfterMinutes * minute, key);
    }
    return;
  }
  if (!esc.pagerduty) return;
  const ev = readEvent(event);
  if (ev?.type === "incident.resolved" && ev.data.incidentId) {
    const job: ResolveJob = { incident: { incidentId: ev.data.incidentId, rolloutId: event.rolloutId, regionId: event.regionId }, why: event.message };
    await write(ESCALATION_CHANNELS.resolve, "resolve", job, event.at);
  }
  if (ev?.type === "region.succeeded") {
    // Recovery: the latest page of this service in this region, unless it was never going to page.
    const rollout = await tx.rollouts.byId(event.rolloutId);
    const page =
      rollout && (await tx.outbox.latestInGroupBefore(ESCALATION_CHANNELS.page, "page", `${rollout.serviceId}/${event.regionId}`, Number.MAX_SAFE_INTEGER));
    if (!page || page.status === "failed") return;
    const { incident } = page.payload as EscalationJob;
    const job: ResolveJob = { incident, why: `recovered: rollout ${event.rolloutId} succeeded in ${event.regionId}` };
    await write(ESCALATION_CHANNELS.resolve, "resolve", job, event.at);
  }
}

/** The incident card's words (cause, stage, measures, release), links and ids: what the ticket and the page say. */
async function incidentFacts(tx: Store, config: FleetConfig, event: OutboxEvent, incident: IncidentRef, correlationId: string): Promise<IncidentFacts> {
  const view = await buildNotificationView(tx, config, event, "incident");
  const card = view ? cardContent(view) : null;
  return {
    incidentId: incident.incidentId,
    summary: card ? card.summary.replace(/^🚨 /, "") : event.message,
    lines: card ? card.facts.map((f) => `${f.label}: ${f.value}`) : [event.message],
    links: card ? card.links.map((l) => ({ text: l.label.replace(/^\W+\s*/u, ""), href: l.url })) : [],
    correlationId,
    rolloutId: incident.rolloutId,
    regionId: incident.regionId,
    serviceId: incident.serviceId,
  };
}

/**
 * PagerDuty's Events API v2 (`POST /v2/enqueue`) as Flightdeck's escalation uses it: a trigger for an incident
 * nobody acknowledged, and its resolve, both keyed by `dedup_key` = the incident id, so a repeat never pages
 * twice and the resolve closes the very alert the trigger opened. Pure.
 */
import type { IncidentFacts } from "../escalate-jira/payload";

const SUMMARY_MAX = 1024;

export function buildTrigger(routingKey: string, facts: IncidentFacts, afterMinutes: number, clientUrl: string | undefined) {
  return {
    routing_key: routingKey,
    event_action: "trigger" as const,
    dedup_key: facts.incidentId,
    payload: {
      summary: facts.summary.slice(0, SUMMARY_MAX),
      source: `flightdeck/${facts.serviceId}/${facts.regionId}`,
      severity: "critical" as const,
      component: facts.serviceId,
      group: facts.regionId,
      class: "rollback",
      custom_details: {
        unacknowledgedFor: `${afterMinutes} min`,
        details: facts.lines,
        rolloutId: facts.rolloutId,
        correlationId: facts.correlationId,
        acknowledge: `flightdeck ack ${facts.rolloutId} --region ${facts.regionId}`,
      },
    },
    links: facts.links,
    client: "Flightdeck",
    ...(clientUrl ? { client_url: clientUrl } : {}),
  };
}

export function buildResolve(routingKey: string, dedupKey: string) {
  return { routing_key: routingKey, event_action: "resolve" as const, dedup_key: dedupKey };
}

export const enqueueUrl = (eventsUrl: string) => `${eventsUrl.replace(/\/+$/, "")}/v2/enqueue`;

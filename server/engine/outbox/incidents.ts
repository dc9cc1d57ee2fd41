/**
 * Incidents, as the spec's support path knows them (docs/notifications.md#escalation): a region rolled back for a
 * breach or in an emergency (a person's rollback during the canary is their own decision, not an incident). Its
 * id is the rollback event's, stable across processes and restarts: PagerDuty's dedup_key and the Jira label.
 * Whether it is still open is read from the events (acknowledged, resolved by a person) and the region's rollouts
 * (a later rollout of the service live in the region: recovered), never from memory.
 */
import type { Store } from "@/db/client";
import type { EventRow } from "@/db/store/repositories/events";
import { readEvent, rollbackTrigger } from "@/server/engine/machine/events";

export type IncidentRef = { incidentId: string; rolloutId: string; regionId: string; serviceId: string; openedAt: number };
/** `why`: in words (the acknowledging or resolving event's message, or the recovery). */
export type IncidentState = { state: "open" } | { state: "acknowledged" | "resolved"; why: string; at: number };

export const incidentIdOf = (rolledBackEventId: number) => `flightdeck-incident-${rolledBackEventId}`;

/** Whether a region's rollback event opens an incident: a breach or an emergency rollback, not a person's rollback during the canary. */
export function opensIncident(event: { type: string; data: unknown }): boolean {
  const ev = readEvent(event);
  return ev?.type === "region.rolled_back" && rollbackTrigger(ev.data) !== "manual";
}

/** The incidents a rollout opened, oldest first (a region retried after its rollback may have two). */
export async function incidentsOfRollout(db: Store, rolloutId: string, serviceId: string): Promise<IncidentRef[]> {
  const rows = await db.events.listForRolloutsOfType([rolloutId], "region.rolled_back");
  return rows.filter((row) => row.regionId && opensIncident(row)).map((row) => refOf(row, serviceId));
}

function refOf(row: Pick<EventRow, "id" | "at" | "rolloutId" | "regionId">, serviceId: string): IncidentRef {
  return { incidentId: incidentIdOf(row.id), rolloutId: row.rolloutId ?? "", regionId: row.regionId ?? "", serviceId, openedAt: row.at };
}

/** Resolved (by a person, or recovered) wins over acknowledged: a resolved incident needs nobody. */
export async function incidentState(db: Store, incident: IncidentRef): Promise<IncidentState> {
  const mine = (rows: EventRow[]) => rows.filter((r) => readEvent(r)?.data.incidentId === incident.incidentId);
  const [resolved] = mine(await db.events.listForRolloutsOfType([incident.rolloutId], "incident.resolved"));
  if (resolved) return { state: "resolved", why: resolved.message, at: resolved.at };
  const latest = await db.regionRollouts.latestForServiceRegion(incident.serviceId, incident.regionId);
  if (latest?.phase === "succeeded" && (latest.finishedAt ?? 0) > incident.openedAt)
    return { state: "resolved", why: `recovered: rollout ${latest.rolloutId} succeeded in ${incident.regionId}`, at: latest.finishedAt ?? incident.openedAt };
  const [acked] = mine(await db.events.listForRolloutsOfType([incident.rolloutId], "incident.acknowledged"));
  if (acked) return { state: "acknowledged", why: acked.message, at: acked.at };
  return { state: "open" };
}

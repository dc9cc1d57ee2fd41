/**
 * Incidents as people meet them (docs/notifications.md#escalation): a region rolled back for a breach or in an
 * emergency opens one; its card mentions the on-call; an sre or admin acknowledges it (dashboard, CLI, REST,
 * the Slack button), which stops the escalation (no ticket, no page), or resolves it with a reason, which also
 * resolves a page already sent. The escalation itself is the outbox's (server/engine/outbox/escalation-*.ts).
 */
import { z } from "zod";
import { actorRef } from "@/server/actor";
import { actorCan } from "@/server/auth/roles";
import { eventValues } from "@/server/engine/machine/events";
import { incidentsOfRollout, incidentState, type IncidentRef, type IncidentState } from "@/server/engine/outbox/incidents";
import type { Store } from "@/db/client";
import { eventConsumersOf, parseInput, type ServiceContext } from "./context";
import { forbidden, notFound, preconditionFailed } from "./errors";
import { requireRead } from "./rollout-status";

const rolloutId = z.string().min(1);
const regionId = z.string().min(1).optional();

export const ListIncidentsInput = z.strictObject({ rolloutId });
export const AcknowledgeIncidentInput = z.strictObject({ rolloutId, regionId });
export type AcknowledgeIncidentInput = z.input<typeof AcknowledgeIncidentInput>;
export const ResolveIncidentInput = z.strictObject({
  rolloutId,
  regionId,
  reason: z.string().trim().min(3, { error: "give a reason of at least 3 characters: it is recorded with the resolution" }).max(500),
});
export type ResolveIncidentInput = z.input<typeof ResolveIncidentInput>;

export type IncidentView = { incidentId: string; rolloutId: string; regionId: string; openedAt: number } & (
  { state: "open"; why: null; at: null } | { state: "acknowledged" | "resolved"; why: string; at: number }
);
export type IncidentsAnswer = { incidents: IncidentView[]; canAcknowledge: boolean };
export type IncidentChange = { changed: IncidentView[]; message: string };

const ACKNOWLEDGE = "incident.acknowledge" as const;

function viewOf(ref: IncidentRef, state: IncidentState): IncidentView {
  const base = { incidentId: ref.incidentId, rolloutId: ref.rolloutId, regionId: ref.regionId, openedAt: ref.openedAt };
  return state.state === "open" ? { ...base, state: "open", why: null, at: null } : { ...base, ...state };
}

/** A rollout's incidents and where each stands (the rollout page). */
export async function listIncidents(ctx: ServiceContext, raw: z.input<typeof ListIncidentsInput>): Promise<IncidentsAnswer> {
  const input = parseInput(ListIncidentsInput, raw);
  requireRead(ctx);
  const rollout = await ctx.db.rollouts.byId(input.rolloutId);
  if (!rollout) throw notFound(`There is no rollout ${input.rolloutId}.`);
  const refs = await incidentsOfRollout(ctx.db, rollout.id, rollout.serviceId);
  const incidents = await Promise.all(refs.map(async (ref) => viewOf(ref, await incidentState(ctx.db, ref))));
  return { incidents, canAcknowledge: actorCan(ctx.actor, ACKNOWLEDGE) };
}

/** An sre or admin takes the rollout's open incidents (or the region's): no ticket, no page follows. */
export async function acknowledgeIncident(ctx: ServiceContext, raw: AcknowledgeIncidentInput): Promise<IncidentChange> {
  const input = parseInput(AcknowledgeIncidentInput, raw);
  if (!actorCan(ctx.actor, ACKNOWLEDGE)) throw forbidden("Acknowledging an incident needs the sre or admin role.");
  const by = actorRef(ctx.actor);
  return change(ctx, input, "acknowledge", (ref, now) =>
    eventValues({
      at: now,
      type: "incident.acknowledged",
      actor: by,
      message: `${ctx.actor.name} acknowledged the incident in ${ref.regionId}: no ticket or page follows.`,
      serviceId: ref.serviceId,
      rolloutId: ref.rolloutId,
      regionId: ref.regionId,
      data: { incidentId: ref.incidentId, actor: by },
    }),
  );
}

/** An sre or admin resolves the rollout's incidents (or the region's) with a reason: the chain stops, a page sent is resolved. */
export async function resolveIncident(ctx: ServiceContext, raw: ResolveIncidentInput): Promise<IncidentChange> {
  const input = parseInput(ResolveIncidentInput, raw);
  if (!actorCan(ctx.actor, ACKNOWLEDGE)) throw forbidden("Resolving an incident needs the sre or admin role.");
  const by = actorRef(ctx.actor);
  return change(ctx, input, "resolve", (ref, now) =>
    eventValues({
      at: now,
      type: "incident.resolved",
      actor: by,
      message: `${ctx.actor.name} resolved the incident in ${ref.regionId}: "${input.reason}".`,
      serviceId: ref.serviceId,
      rolloutId: ref.rolloutId,
      regionId: ref.regionId,
      data: { incidentId: ref.incidentId, actor: by, reason: input.reason },
    }),
  );
}

type Verb = "acknowledge" | "resolve";

/**
 * One transaction, held against a second acknowledgement of the same rollout at once: the incidents still
 * needing it get their event (and, through the context's consumers, their outbox rows); none left is refused
 * with each incident's state, and nothing is written.
 */
async function change(
  ctx: ServiceContext,
  input: { rolloutId: string; regionId?: string },
  verb: Verb,
  draft: (ref: IncidentRef, now: number) => Parameters<typeof eventValues>[0],
): Promise<IncidentChange> {
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    await tx.exclusive(`incidents:${input.rolloutId}`);
    const rollout = await tx.rollouts.byId(input.rolloutId);
    if (!rollout) throw notFound(`There is no rollout ${input.rolloutId}.`);
    const refs = (await incidentsOfRollout(tx, rollout.id, rollout.serviceId)).filter((r) => !input.regionId || r.regionId === input.regionId);
    const where = input.regionId ? `in ${input.regionId} ` : "";
    if (refs.length === 0)
      throw preconditionFailed(`Rollout ${rollout.id} has no incident ${where}to ${verb}: no region of it was rolled back for a breach or in an emergency.`);
    const states = await statesOf(tx, refs);
    const todo = states.filter(({ state }) => state.state === "open" || (verb === "resolve" && state.state === "acknowledged"));
    if (todo.length === 0)
      throw preconditionFailed(
        `Nothing to ${verb} ${where}in rollout ${rollout.id}: ${states.map(({ ref, state }) => `${ref.regionId} is ${state.state} (${state.state === "open" ? "" : state.why})`).join("; ")}.`,
      );
    const written = await tx.events.insertAll(todo.map(({ ref }) => draft(ref, now)));
    await eventConsumersOf(ctx).enqueue(tx, written);
    const changed = written.map((w, i) => viewOf(todo[i].ref, { state: verb === "acknowledge" ? "acknowledged" : "resolved", why: w.message, at: now }));
    return { changed, message: written.map((w) => w.message).join(" ") };
  });
}

async function statesOf(db: Store, refs: IncidentRef[]) {
  return Promise.all(refs.map(async (ref) => ({ ref, state: await incidentState(db, ref) })));
}

/**
 * Quarantine, as people meet it: the start refusal (dashboard, REST, webhook, CLI: one message, mapped by each
 * transport), the list of quarantined releases and why (artifact list, `flightdeck quarantine list`), and the
 * lift an sre or admin gives with a reason (audited). The engine writes the quarantine with the breach rollback
 * (server/engine/store/quarantine.ts); docs/policies.md#quarantine.
 */
import { z } from "zod";
import type { Store } from "@/db/client";
import type { QuarantineRow } from "@/db/store/repositories/quarantines";
import { actorRef } from "@/server/actor";
import { actorCan } from "@/server/auth/roles";
import { eventValues } from "@/server/engine/machine/events";
import { parseInput, type ServiceContext } from "./context";
import { forbidden, notFound, preconditionFailed } from "./errors";
import { requireRead } from "./rollout-status";

export const ListQuarantinesInput = z.strictObject({
  serviceId: z.string().min(1).optional(),
  /** Lifted ones too (newest first), for the audit. */
  all: z.boolean().optional(),
});
export type ListQuarantinesInput = z.input<typeof ListQuarantinesInput>;

export const LiftQuarantineInput = z.strictObject({
  id: z.string().min(1),
  reason: z.string().trim().min(3, { error: "give a reason of at least 3 characters: it is recorded with the lift" }).max(500),
});
export type LiftQuarantineInput = z.input<typeof LiftQuarantineInput>;

/** A quarantine as the artifact list, the CLI and the API show it. */
export type QuarantineView = {
  id: string;
  serviceId: string;
  version: string;
  digest: string;
  artifactId: string;
  /** The breach, in the rollback's words. */
  cause: string;
  regionId: string;
  rolloutId: string;
  at: number;
  active: boolean;
  liftedBy: string | null;
  liftReason: string | null;
  liftedAt: number | null;
  /** In words: what, why, and how to lift it. */
  description: string;
};

export const liftCommand = (id: string) => `flightdeck quarantine lift ${id} --reason "…"`;

function describe(row: QuarantineRow): string {
  const what = `${row.serviceId} ${row.version} (${row.digest.slice(0, 19)}…)`;
  if (row.liftedAt !== null)
    return `${what} was quarantined after ${row.regionId} rolled it back (${row.cause}); lifted by ${row.liftedBy}: "${row.liftReason}".`;
  return `${what} is quarantined: rollout ${row.rolloutId} rolled it back in ${row.regionId} after ${row.cause}.`;
}

export function quarantineView(row: QuarantineRow): QuarantineView {
  return {
    id: row.id,
    serviceId: row.serviceId,
    version: row.version,
    digest: row.digest,
    artifactId: row.artifactId,
    cause: row.cause,
    regionId: row.regionId,
    rolloutId: row.rolloutId,
    at: row.at,
    active: row.liftedAt === null,
    liftedBy: row.liftedBy,
    liftReason: row.liftReason,
    liftedAt: row.liftedAt,
    description: describe(row),
  };
}

/** The quarantines in force (or every one, `all`), newest first. */
export async function listQuarantines(ctx: ServiceContext, raw: ListQuarantinesInput = {}): Promise<{ quarantines: QuarantineView[]; canLift: boolean }> {
  const input = parseInput(ListQuarantinesInput, raw);
  requireRead(ctx);
  const rows = await ctx.db.quarantines.list({ activeOnly: !input.all, serviceId: input.serviceId, limit: 200 });
  return { quarantines: rows.map(quarantineView), canLift: actorCan(ctx.actor, "quarantine.lift") };
}

/** The quarantines in force among these artifacts' digests, by digest (the artifact list marks them). */
export async function quarantinedDigests(db: Store, serviceId: string, digests: string[]): Promise<Map<string, QuarantineView>> {
  const rows = await db.quarantines.activeAmong(serviceId, [...new Set(digests)]);
  return new Map(rows.map((r) => [r.digest, quarantineView(r)]));
}

/** An sre or admin lifts a quarantine with a reason: the release may be started again; the lift is audited. */
export async function liftQuarantine(ctx: ServiceContext, raw: LiftQuarantineInput): Promise<QuarantineView> {
  const now = ctx.clock.now();
  const { id, reason } = parseInput(LiftQuarantineInput, raw);
  if (!actorCan(ctx.actor, "quarantine.lift")) throw forbidden("Lifting a quarantine needs the sre or admin role.");
  const by = actorRef(ctx.actor);
  return ctx.db.transaction(async (tx) => {
    const lifted = await tx.quarantines.lift(id, by, reason, now);
    if (!lifted) {
      const row = await tx.quarantines.byId(id);
      if (!row) throw notFound(`There is no quarantine "${id}" (flightdeck quarantine list shows those in force).`);
      throw preconditionFailed(`Quarantine ${id} was already lifted by ${row.liftedBy}: "${row.liftReason}".`);
    }
    await tx.events.insertAll([
      eventValues({
        at: now,
        type: "quarantine.lifted",
        actor: by,
        message: `${ctx.actor.name} lifted the quarantine of ${lifted.serviceId} ${lifted.version} (rolled back in ${lifted.regionId} after ${lifted.cause}): "${reason}". It may be started again.`,
        serviceId: lifted.serviceId,
        rolloutId: lifted.rolloutId,
        data: {
          actor: by,
          reason,
          quarantineId: lifted.id,
          artifactId: lifted.artifactId,
          version: lifted.version,
          digest: lifted.digest,
          causeText: lifted.cause,
          rolledBackRolloutId: lifted.rolloutId,
        },
      }),
    ]);
    return quarantineView(lifted);
  });
}

/**
 * Inside a start's transaction, before it writes anything: a quarantined digest of this service refuses the
 * start, saying which rollback caused it and how to lift it.
 */
export async function checkQuarantine(tx: Store, serviceId: string, digest: string): Promise<void> {
  const row = await tx.quarantines.activeFor(serviceId, digest);
  if (!row) return;
  throw preconditionFailed(
    `${describe(row)} No rollout of it starts anywhere until an sre or admin lifts the quarantine with a reason: ${liftCommand(row.id)} (or the artifact list on the dashboard).`,
  );
}

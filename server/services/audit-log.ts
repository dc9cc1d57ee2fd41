/**
 * The append-only event log for /audit: filter by actor, region, type and time, newest first, paged by id.
 * Readers without `audit.internal` (everyone below sre) get each event without its internal data fields.
 */
import { and, desc, eq, gte, like, lt, lte, type SQL } from "drizzle-orm";
import { z } from "zod";
import { events } from "@/db/schema";
import { actorCan } from "@/server/auth/roles";
import { parseInput, type ServiceContext } from "./context";
import { forbidden } from "./errors";

export const AuditListInput = z.strictObject({
  /** Exact actor (`user:ada`, `engine`) or a prefix ending in `:` (`user:`). */
  actor: z.string().trim().max(200).optional(),
  regionId: z.string().trim().max(100).optional(),
  /** Exact type (`approval.granted`) or a prefix ending in `.` (`approval.`). */
  type: z.string().trim().max(100).optional(),
  from: z.number().int().nonnegative().optional(),
  to: z.number().int().nonnegative().optional(),
  /** Show events with an id below this one (the previous page's `nextCursor`). */
  cursor: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type AuditListInput = z.input<typeof AuditListInput>;

/**
 * Event data fields that only sre and admin read in the audit log: deploy logs (user@host:port, command
 * output), provider errors (hosts, raw stderr), host addresses, sign-in addresses and emails. The one list:
 * a new event that records such a field uses one of these names.
 */
export const INTERNAL_EVENT_FIELDS = ["log", "error", "metricsError", "stderr", "stdout", "host", "hosts", "address", "email"] as const;

const INTERNAL = new Set<string>(INTERNAL_EVENT_FIELDS);

export type AuditEvent = typeof events.$inferSelect;
export type AuditPage = { items: AuditEvent[]; nextCursor: number | null };

/** `ctx.actor` reads (any role); the internal data fields are left out unless they may read them (`audit.internal`). */
export function listAuditEvents(ctx: Pick<ServiceContext, "db" | "actor">, raw: AuditListInput): AuditPage {
  const { db, actor: reader } = ctx;
  if (!actorCan(reader, "read")) throw forbidden("Reading the audit log needs a role (viewer or above).");
  const input = parseInput(AuditListInput, raw);
  const where: SQL[] = [];
  if (input.actor) where.push(input.actor.endsWith(":") ? like(events.actor, `${escapeLike(input.actor)}%`) : eq(events.actor, input.actor));
  if (input.regionId) where.push(eq(events.regionId, input.regionId));
  if (input.type) where.push(input.type.endsWith(".") ? like(events.type, `${escapeLike(input.type)}%`) : eq(events.type, input.type));
  if (input.from !== undefined) where.push(gte(events.at, input.from));
  if (input.to !== undefined) where.push(lte(events.at, input.to));
  if (input.cursor !== undefined) where.push(lt(events.id, input.cursor));
  // One more than asked tells whether there is a next page without a count.
  const rows = db
    .select()
    .from(events)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(events.id))
    .limit(input.limit + 1)
    .all();
  const page = rows.slice(0, input.limit);
  const items = actorCan(reader, "audit.internal") ? page : page.map((e) => ({ ...e, data: withoutInternal(e.data) }));
  return { items, nextCursor: rows.length > input.limit ? items[items.length - 1].id : null };
}

/** The data without internal fields, at any depth (a field inside a nested object is left out too). */
export function withoutInternal(data: unknown): unknown {
  if (Array.isArray(data)) return data.map(withoutInternal);
  if (data === null || typeof data !== "object") return data;
  return Object.fromEntries(
    Object.entries(data)
      .filter(([key]) => !INTERNAL.has(key))
      .map(([key, value]) => [key, withoutInternal(value)]),
  );
}

/** Prefix filters use LIKE; `%` and `_` never occur in actor or type names, so they are dropped rather than escaped. */
function escapeLike(value: string): string {
  return value.replace(/[%_]/g, "");
}

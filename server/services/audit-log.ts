/**
 * The append-only event log for /audit: filter by actor, region, type and time, newest first, paged by id.
 * Readers without `audit.internal` (everyone below sre) get each event without its internal data fields.
 */
import { z } from "zod";
import type { EventRow } from "@/db/store/repositories/events";
import { actorName, namesFor, withActorNames } from "@/server/actor-names";
import { actorCan } from "@/server/auth/roles";
import { parseInput, type ServiceContext } from "./context";
import { forbidden } from "./errors";

export const AuditListInput = z.strictObject({
  /** A person's or token's name ("Ada", "ci-lab"), an exact actor (`user:<id>`, `engine`) or a prefix ending in `:` (`user:`). */
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

/** A stored event with its actor's name, and the people in its message by name (the reference stays in `actor`). */
export type AuditEvent = EventRow & { actorName: string };
export type AuditPage = { items: AuditEvent[]; nextCursor: number | null };

/** `ctx.actor` reads (any role); the internal data fields are left out unless they may read them (`audit.internal`). */
export async function listAuditEvents(ctx: Pick<ServiceContext, "db" | "actor">, raw: AuditListInput): Promise<AuditPage> {
  const { db, actor: reader } = ctx;
  if (!actorCan(reader, "read")) throw forbidden("Reading the audit log needs a role (viewer or above).");
  const input = parseInput(AuditListInput, raw);
  // An empty filter (a cleared form field) filters nothing; a prefix ends in its separator.
  const actor = input.actor ? await actorRefOf(db, input.actor) : undefined;
  const type = input.type || undefined;
  const filter = {
    actor: actor?.endsWith(":") ? undefined : actor,
    actorPrefix: actor?.endsWith(":") ? actor : undefined,
    regionId: input.regionId || undefined,
    type: type?.endsWith(".") ? undefined : type,
    typePrefix: type?.endsWith(".") ? type : undefined,
    from: input.from,
    to: input.to,
    beforeId: input.cursor,
  };
  // One more than asked tells whether there is a next page without a count.
  const rows = await db.events.auditPage(filter, input.limit + 1);
  const page = rows.slice(0, input.limit);
  const names = await namesFor(
    db,
    page.map((e) => e.actor),
    page.map((e) => e.message),
  );
  const internal = actorCan(reader, "audit.internal");
  const items = page.map((e) => ({
    ...e,
    actorName: actorName(e.actor, names),
    message: withActorNames(e.message, names),
    data: internal ? e.data : withoutInternal(e.data),
  }));
  return { items, nextCursor: rows.length > input.limit ? items[items.length - 1].id : null };
}

/**
 * The actor a filter names: a reference (`user:<id>`, `engine`, a `user:` prefix) as it is; else a person's name or
 * email, then a token's name, compared without case ("ada" finds `user:<Ada's id>`). A name nobody has stays as
 * typed, so it matches nothing.
 */
async function actorRefOf(db: ServiceContext["db"], wanted: string): Promise<string> {
  if (wanted.includes(":") || wanted === "engine" || wanted === "system") return wanted;
  const lower = wanted.toLowerCase();
  const user = (await db.users.listByName()).find((u) => u.name.toLowerCase() === lower || u.email.toLowerCase() === lower);
  if (user) return `user:${user.id}`;
  const token = (await db.apiTokens.listNewestFirst()).find((t) => t.name.toLowerCase() === lower);
  return token ? `token:${token.id}` : wanted;
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

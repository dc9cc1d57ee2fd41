/** The append-only event log for /audit: filter by actor, region, type and time, newest first, paged by id. */
import { and, desc, eq, gte, like, lt, lte, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { events } from "@/db/schema";
import { parseInput } from "./context";

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

export type AuditEvent = typeof events.$inferSelect;
export type AuditPage = { items: AuditEvent[]; nextCursor: number | null };

export function listAuditEvents(db: Db, raw: AuditListInput): AuditPage {
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
  const items = rows.slice(0, input.limit);
  return { items, nextCursor: rows.length > input.limit ? items[items.length - 1].id : null };
}

/** Prefix filters use LIKE; `%` and `_` never occur in actor or type names, so they are dropped rather than escaped. */
function escapeLike(value: string): string {
  return value.replace(/[%_]/g, "");
}

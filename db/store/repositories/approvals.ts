/** Approvals of the gate before a production environment (append-only). */
import { asc, eq, inArray, sql } from "drizzle-orm";
import type { approvals } from "../../schema";
import { perHandle, prepare } from "../prepared";
import type { Query, Tables } from "../query";

export type ApprovalRow = typeof approvals.$inferSelect;

// --- engine: a gate's decisions, read on every pass of a waiting region (store) ---
const engineStatements = perHandle((q, { approvals }) => ({
  forRegionRollout: prepare(
    q
      .select()
      .from(approvals)
      .where(eq(approvals.regionRolloutId, sql.placeholder("regionRolloutId")))
      // In decision order; decisions of one millisecond by reviewer (unique per gate), never by the random id.
      .orderBy(asc(approvals.at), asc(approvals.reviewerId)),
    "approvals.forRegionRollout",
  ),
}));

export function approvalRepository(q: Query, t: Tables) {
  const { approvals, users } = t;
  return {
    // --- read models: rollout page (dashboard) ---
    /** The approvals of these region rollouts with their reviewer's name, oldest first. */
    async listWithReviewerForRegionRollouts(regionRolloutIds: readonly string[]) {
      if (regionRolloutIds.length === 0) return [];
      return q
        .select({ approval: approvals, reviewerName: users.name })
        .from(approvals)
        .innerJoin(users, eq(users.id, approvals.reviewerId))
        .where(inArray(approvals.regionRolloutId, [...regionRolloutIds]))
        .orderBy(asc(approvals.at));
    },

    // --- gate decisions and the approvals page (services: approvals, approvals-pending) ---
    /** The decisions on one gate (append-only), oldest first. */
    async listForRegionRollout(regionRolloutId: string): Promise<ApprovalRow[]> {
      // Prepared: the engine reads a waiting gate's decisions on every pass.
      return engineStatements(q, t).forRegionRollout.execute({ regionRolloutId });
    },

    async insert(row: typeof approvals.$inferInsert): Promise<void> {
      await q.insert(approvals).values(row);
    },
  };
}

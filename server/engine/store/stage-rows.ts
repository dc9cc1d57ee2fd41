/** The stage rows follow the region rollout: running, passed, failed, or skipped when the region stopped early. */
import { and, eq, gt, inArray } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { stages } from "@/db/schema";
import type { RegionRolloutRow } from "./load";

const byIndex = (regionRolloutId: string, index: number) => and(eq(stages.regionRolloutId, regionRolloutId), eq(stages.index, index));

export function updateStageRows(tx: Tx, before: RegionRolloutRow, after: RegionRolloutRow, now: number): void {
  const id = after.id;
  if (after.stageIndex < before.stageIndex) {
    // A retry starts the canary over.
    tx.update(stages).set({ status: "pending", startedAt: null, finishedAt: null }).where(eq(stages.regionRolloutId, id)).run();
    return;
  }
  if (after.stageIndex > before.stageIndex) {
    if (before.stageIndex >= 0) tx.update(stages).set({ status: "passed", finishedAt: now }).where(byIndex(id, before.stageIndex)).run();
    tx.update(stages)
      .set({ status: "running", startedAt: after.stageStartedAt ?? now, finishedAt: null })
      .where(byIndex(id, after.stageIndex))
      .run();
  }
  if (after.phase === before.phase) return;
  if (after.phase === "succeeded" && after.stageIndex >= 0) {
    tx.update(stages).set({ status: "passed", finishedAt: now }).where(byIndex(id, after.stageIndex)).run();
  } else if ((after.phase === "rolled_back" || after.phase === "aborted") && before.phase === "canary" && after.stageIndex >= 0) {
    tx.update(stages).set({ status: "failed", finishedAt: now }).where(byIndex(id, after.stageIndex)).run();
  }
  if (after.phase === "rolled_back" || after.phase === "aborted" || after.phase === "blocked") {
    tx.update(stages)
      .set({ status: "skipped" })
      .where(and(eq(stages.regionRolloutId, id), gt(stages.index, after.stageIndex), inArray(stages.status, ["pending"])))
      .run();
  }
}

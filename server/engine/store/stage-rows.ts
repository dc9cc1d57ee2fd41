/** The stage rows follow the region rollout: running, passed, failed, or skipped when the region stopped early. */
import type { Store } from "@/db/client";
import type { RegionRolloutRow } from "./load";

export async function updateStageRows(tx: Store, before: RegionRolloutRow, after: RegionRolloutRow, now: number): Promise<void> {
  const id = after.id;
  if (after.stageIndex < before.stageIndex) {
    // A retry starts the canary over.
    await tx.stages.resetAll(id);
    return;
  }
  if (after.stageIndex > before.stageIndex) {
    if (before.stageIndex >= 0) await tx.stages.setStatus(id, before.stageIndex, { status: "passed", finishedAt: now });
    await tx.stages.setStatus(id, after.stageIndex, { status: "running", startedAt: after.stageStartedAt ?? now, finishedAt: null });
  }
  if (after.phase === before.phase) return;
  if (after.phase === "succeeded" && after.stageIndex >= 0) {
    await tx.stages.setStatus(id, after.stageIndex, { status: "passed", finishedAt: now });
  } else if ((after.phase === "rolled_back" || after.phase === "aborted") && before.phase === "canary" && after.stageIndex >= 0) {
    await tx.stages.setStatus(id, after.stageIndex, { status: "failed", finishedAt: now });
  }
  if (after.phase === "rolled_back" || after.phase === "aborted" || after.phase === "blocked") {
    await tx.stages.skipPendingAfter(id, after.stageIndex);
  }
}

import type { ActiveRegionRollout } from "@/server/services/overview";

/** One line saying where the region's rollout stands: "Canary at 25 % · stage 2 of 5". */
export function describeRollout(rollout: ActiveRegionRollout): string {
  const version = rollout.artifactVersion;
  switch (rollout.phase) {
    case "pending":
      return `${version} waiting for its turn`;
    case "awaiting_approval":
      return `${version} awaiting approval`;
    case "deploying":
      return `Deploying ${version} to ${rollout.toColour}`;
    case "canary":
      return rollout.stagePercent === null
        ? `Canary of ${version} starting`
        : `Canary of ${version} at ${rollout.stagePercent} % · stage ${rollout.stageIndex + 1} of ${rollout.stageCount}`;
    case "succeeded":
      return `${version} rolled out`;
    case "rolled_back":
      return `${version} rolled back`;
    case "blocked":
      return `${version} blocked by an upstream region`;
    case "aborted":
      return `${version} aborted`;
  }
}

export function PhaseLabel({ rollout, neverRolledOut }: { rollout: ActiveRegionRollout | null; neverRolledOut: boolean }) {
  if (!rollout) {
    return <span className="text-slate-500">{neverRolledOut ? "Blue is live, no rollout yet" : "No rollout running"}</span>;
  }
  return (
    <span className="flex min-w-0 items-center gap-2">
      <span className="truncate font-medium text-slate-800">{describeRollout(rollout)}</span>
      {rollout.paused ? (
        <span title={rollout.pauseReason ?? undefined} className="shrink-0 rounded bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-900">
          Paused
        </span>
      ) : null}
    </span>
  );
}

import Link from "next/link";
import { gateAnchor } from "@/components/approvals/gate-row";
import type { ActiveRegionRollout } from "@/server/services/overview";

const validating = (r: ActiveRegionRollout) => r.stagePercent === 100 && r.stageIndex === r.stageCount - 1;

/** Where the region's rollout stands, in a few words: "Canary 25 % · stage 2 of 5", "Validation at 100 % · stage 5 of 5". */
export function describePhase(rollout: ActiveRegionRollout): string {
  switch (rollout.phase) {
    case "pending":
      return "Waiting for its turn";
    case "awaiting_approval":
      return "Awaiting approval";
    case "deploying":
      return "Deploying";
    case "canary":
      if (rollout.stagePercent === null) return "Canary starting";
      // The last stage at 100 % is the validation stage (docs/glossary.md), as the plan calls it.
      return `${validating(rollout) ? "Validation at" : "Canary"} ${rollout.stagePercent} % · stage ${rollout.stageIndex + 1} of ${rollout.stageCount}`;
    case "succeeded":
      return "Rolled out";
    case "rolled_back":
      return "Rolled back";
    case "blocked":
      return "Blocked by an upstream region";
    case "aborted":
      return "Aborted";
  }
}

/** Two lines, always: the phase (a link to its rollout, with a pause marker), then what is being rolled out to which colour. */
export function PhaseLabel({ regionId, rollout, neverRolledOut }: { regionId: string; rollout: ActiveRegionRollout | null; neverRolledOut: boolean }) {
  if (!rollout) {
    return (
      <span className="flex flex-col">
        <span className="truncate text-slate-600">{neverRolledOut ? "Blue is live, no rollout yet" : "No rollout running"}</span>
        <span className="truncate text-xs text-slate-400">&nbsp;</span>
      </span>
    );
  }
  return (
    <span className="flex min-w-0 flex-col">
      <span className="flex min-w-0 items-center gap-2">
        <Link
          href={`/rollouts/${rollout.rolloutId}`}
          data-testid={`rollout-link-${regionId}`}
          title="Open its rollout"
          className="truncate rounded-sm font-medium text-blue-800 underline underline-offset-2 hover:text-blue-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600"
        >
          {describePhase(rollout)}
        </Link>
        {rollout.phase === "awaiting_approval" ? (
          <Link
            href={`/approvals#${gateAnchor(rollout.rolloutId, regionId)}`}
            className="shrink-0 rounded-sm text-xs text-amber-900 underline underline-offset-2 focus-visible:outline-2 focus-visible:outline-blue-600"
          >
            Open its gate
          </Link>
        ) : null}
        {rollout.paused ? (
          <span title={rollout.pauseReason ?? undefined} className="shrink-0 rounded bg-amber-100 px-1.5 text-xs leading-5 font-medium text-amber-900">
            Paused
          </span>
        ) : null}
      </span>
      <span className="truncate text-xs text-slate-500">
        {rollout.artifactVersion} to {rollout.toColour}
      </span>
    </span>
  );
}

/** A rollout's status from its regions' phases. */
import type { RolloutStatus } from "@/db/schema/rollouts";
import { TERMINAL_PHASES, type RegionPhase } from "./types";

export function isTerminalPhase(phase: RegionPhase): boolean {
  return TERMINAL_PHASES.includes(phase);
}

/** Running while any region is; succeeded when all did; failed if any rolled back or was blocked; else aborted. */
export function rolloutStatus(phases: readonly RegionPhase[]): RolloutStatus {
  if (phases.some((p) => !isTerminalPhase(p))) return "running";
  if (phases.every((p) => p === "succeeded")) return "succeeded";
  if (phases.some((p) => p === "rolled_back" || p === "blocked")) return "failed";
  return "aborted";
}

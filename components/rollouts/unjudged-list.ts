/** The samples of a region that were not judged (inconclusive), newest first, with the stage and the reasons. */
import type { SamplePoint } from "@/server/services/rollout-view";

export type UnjudgedSample = { at: number; stageIndex: number; reasons: string[] };

export function unjudgedSamples(points: readonly SamplePoint[]): UnjudgedSample[] {
  return points
    .filter((p) => p.verdict === "inconclusive")
    .map((p) => ({ at: p.at, stageIndex: p.stageIndex, reasons: p.reasons && p.reasons.length > 0 ? p.reasons : ["no reason recorded"] }))
    .reverse();
}

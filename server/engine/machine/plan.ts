/**
 * The plan of a rollout: regions in the config's order, when each is expected to start and end, and the
 * expected duration. A region takes its deploy time plus the sum of its stage durations (at least: a stage
 * ends at its first passing sample after the deadline). Approval gates wait for people and are not counted.
 */
import type { Plan, PlanInput, PlannedRegion, Strategy } from "./types";

export const DELAY_MINUTES = { min: 30, max: 240 } as const;

/** A plan the engine refuses to run; `field` names the input to fix. */
export class PlanError extends Error {
  constructor(
    readonly field: "delayMinutes" | "regions",
    message: string,
  ) {
    super(message);
    this.name = "PlanError";
  }
}

/** The problem with a strategy's delay in words, or null when it is fine. */
export function delayProblem(strategy: Strategy, delayMinutes: number | null | undefined): string | null {
  const given = delayMinutes !== null && delayMinutes !== undefined;
  if (strategy !== "delayed") {
    return given ? `delayMinutes applies only to the delayed strategy; the ${strategy} strategy got ${delayMinutes}` : null;
  }
  const { min, max } = DELAY_MINUTES;
  if (!given) return `delayMinutes must be from ${min} to ${max} for the delayed strategy, got nothing`;
  if (!Number.isInteger(delayMinutes)) return `delayMinutes must be a whole number from ${min} to ${max} for the delayed strategy, got ${delayMinutes}`;
  if (delayMinutes < min || delayMinutes > max) return `delayMinutes must be from ${min} to ${max} for the delayed strategy, got ${delayMinutes}`;
  return null;
}

/** Deploy time plus every stage's duration. */
export function expectedRegionMs(region: PlanInput["regions"][number]): number {
  return region.deployMs + region.stages.reduce((sum, stage) => sum + stage.durationMs, 0);
}

/** Throws PlanError for a bad delay or no regions. */
export function planRollout(input: PlanInput): Plan {
  const problem = delayProblem(input.strategy, input.delayMinutes);
  if (problem) throw new PlanError("delayMinutes", problem);
  if (input.regions.length === 0) throw new PlanError("regions", "a rollout needs at least one region");
  const delayMs = input.strategy === "delayed" ? (input.delayMinutes as number) * 60_000 : 0;
  const ordered = [...input.regions].sort((a, b) => a.order - b.order);

  const regions: PlannedRegion[] = [];
  let previousEnd = 0;
  ordered.forEach((region, position) => {
    const chained = input.strategy !== "parallel" && position > 0;
    const expectedStartMs = chained ? previousEnd + delayMs : 0;
    const expectedEndMs = expectedStartMs + expectedRegionMs(region);
    regions.push({ regionId: region.id, position, expectedStartMs, expectedEndMs });
    previousEnd = expectedEndMs;
  });
  const expectedDurationMs = Math.max(...regions.map((r) => r.expectedEndMs));
  return { strategy: input.strategy, delayMs, regions, expectedDurationMs };
}

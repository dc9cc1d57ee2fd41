/** How a rollout's status reads in a terminal: one line for the rollout, one per region. */
import { actorName, withActorNames, type ActorNames } from "@/server/actor-names";
import type { RegionStatus, RolloutStatusView } from "@/server/services/rollout-status";
import { formatMinutes } from "@/lib/format";
import { paint, type CliIo, type Colour } from "./io";

const STATUS_COLOUR: Record<string, Colour> = { running: "blue", succeeded: "green", failed: "red", aborted: "yellow" };
const PHASE_COLOUR: Record<string, Colour> = {
  succeeded: "green",
  rolled_back: "red",
  blocked: "yellow",
  aborted: "yellow",
  canary: "blue",
  deploying: "blue",
};

/** A region in one line, people by name (`names`: the view's `actorNames`; a server older than it sends none). */
export function describeRegion(r: RegionStatus, names: ActorNames = new Map()): string {
  const parts = [r.phase.replace("_", " ")];
  if (r.stagePercent !== null && r.phase === "canary") parts.push(`stage ${r.stagePercent} %`, `traffic ${r.canaryPct} %`);
  const pauseReason = withActorNames(r.pauseReason, names);
  // "paused by Sam: look at logs" already says it is paused; the engine's own reasons do not.
  if (r.paused) parts.push(pauseReason && /^paused\b/.test(pauseReason) ? pauseReason : `paused${pauseReason ? ` (${pauseReason})` : ""}`);
  if (r.outcomeReason) parts.push(withActorNames(r.outcomeReason, names));
  return parts.join(", ");
}

export function formatRollout(io: Pick<CliIo, "tty">, view: RolloutStatusView): string[] {
  const names: ActorNames = new Map(Object.entries(view.actorNames ?? {}));
  const head = `${view.id}  ${view.serviceId} ${view.version}  ${view.strategy}${view.delayMinutes ? ` (${formatMinutes(view.delayMinutes)} between regions)` : ""}  ${paint(io, STATUS_COLOUR[view.status] ?? "bold", view.status)}  by ${actorName(view.initiator, names)}`;
  return [head, ...view.regions.map((r) => `  ${r.regionId.padEnd(10)} ${paint(io, PHASE_COLOUR[r.phase] ?? "grey", describeRegion(r, names))}`)];
}

/**
 * Which controls a region offers in its phase, to whom, and what each will do in words. The server decides
 * again on every press; this only keeps buttons that cannot work out of the way.
 */
import type { RegionPhase } from "@/db/schema/region-rollouts";
import type { Colour } from "@/db/schema/region-states";

export type ControlAction = "pause" | "resume" | "promote" | "abort" | "retry" | "rollback";

export type ControlRegion = {
  regionId: string;
  regionName: string;
  phase: RegionPhase;
  paused: boolean;
  fromColour: Colour;
  toColour: Colour;
  canaryPct: number;
  stagePercent: number | null;
  /** The current stage and the plan's stages: the last one is the validation stage at 100 %. */
  stageIndex?: number;
  stages?: readonly unknown[];
};

const ACTIVE: RegionPhase[] = ["pending", "awaiting_approval", "deploying", "canary"];

/** What the user's roles allow, worked out on the server (so the role table stays out of the browser bundle). */
export type ControlPermissions = {
  control: boolean;
  rollback: boolean;
  /** The sre role: may skip the validation stage with a reason. */ skipValidation?: boolean;
  /** An sre or admin: may lift the quarantine of this rollout's release with a reason. */ liftQuarantine?: boolean;
};

/** The shortest reason the server accepts for skipping the validation stage (engine MIN_REASON_CHARS). */
export const MIN_REASON_CHARS = 10;

/** In the validation stage at 100 % (the plan's last stage), where promote needs the sre role and a reason. */
export function inValidationStage(region: ControlRegion): boolean {
  return region.phase === "canary" && region.stages !== undefined && region.stageIndex !== undefined && region.stageIndex === region.stages.length - 1;
}

/** The actions that ask for a typed reason before they are sent. */
export function needsReason(action: ControlAction, region: ControlRegion): boolean {
  return action === "promote" && inValidationStage(region);
}

export function availableActions(region: ControlRegion, may: ControlPermissions): ControlAction[] {
  const out: ControlAction[] = [];
  if (may.control) {
    if (ACTIVE.includes(region.phase) && !region.paused) out.push("pause");
    if (region.paused && ACTIVE.includes(region.phase)) out.push("resume");
    if (region.phase === "canary" && (!inValidationStage(region) || may.skipValidation)) out.push("promote");
    // While deploying, "Roll back" below is the abort, named as people say it.
    if (region.phase === "pending" || region.phase === "awaiting_approval") out.push("abort");
    if (region.phase === "rolled_back" || region.phase === "aborted") out.push("retry");
  }
  if (may.rollback && (region.phase === "deploying" || region.phase === "canary" || region.phase === "succeeded")) out.push("rollback");
  return out;
}

/** While deploying no traffic has moved yet, so "Roll back" is the engine's abort there; in the canary and after success it is a rollback. */
export function rollbackIsAbort(region: ControlRegion): boolean {
  return region.phase === "deploying";
}

export const ACTION_LABELS: Record<ControlAction, string> = {
  pause: "Pause",
  resume: "Resume",
  promote: "Promote",
  abort: "Abort",
  retry: "Retry",
  rollback: "Roll back",
};

/** The confirmation's words: exactly what pressing the button will do to traffic and the rollout. */
export function describeAction(action: ControlAction, region: ControlRegion): { title: string; body: string; danger: boolean } {
  const name = region.regionId;
  switch (action) {
    case "pause":
      return {
        title: `Pause ${name}`,
        body: `${name} stays at ${region.canaryPct} % on ${region.toColour}; the stage clock stops until someone resumes it. Analysis keeps running and can still roll it back.`,
        danger: false,
      };
    case "resume":
      return { title: `Resume ${name}`, body: `${name} continues from where it was paused, with the stage time that was left.`, danger: false };
    case "promote":
      if (inValidationStage(region)) {
        return {
          title: `Skip validation of ${name}`,
          body: `${name} skips the rest of its validation stage at 100 % on ${region.toColour} and is marked succeeded now. Say why: the reason is recorded in the event log and shown on this page.`,
          danger: true,
        };
      }
      return {
        title: `Promote ${name}`,
        body: `${name} skips the rest of the current stage's wait and moves to the next stage now${region.stagePercent !== null ? ` (it is at ${region.stagePercent} %)` : ""}.`,
        danger: false,
      };
    case "abort":
      return {
        title: `Abort ${name}`,
        body: `${name} stops before its canary: its traffic stays 100 % on ${region.fromColour}, and the regions after it do not start.`,
        danger: true,
      };
    case "retry":
      return {
        title: `Retry ${name}`,
        body: `${name} starts a new attempt from the first canary stage; the regions its failure blocked wait for it again.`,
        danger: false,
      };
    case "rollback":
      return region.phase === "succeeded"
        ? {
            title: `Emergency rollback of ${name}`,
            body: `Roll ${name} back: 100 % of traffic returns to ${region.fromColour}, the previous release, although this rollout succeeded there.`,
            danger: true,
          }
        : rollbackIsAbort(region)
          ? {
              title: `Roll ${name} back`,
              body: `Stop ${name}'s deploy: no traffic has moved yet, so 100 % stays on ${region.fromColour}. The regions after it do not start.`,
              danger: true,
            }
          : {
              title: `Roll ${name} back`,
              body: `Roll ${name} back: its ${region.canaryPct} % on ${region.toColour} returns to ${region.fromColour}, which then serves 100 % of traffic. The region ends rolled back and the regions after it do not start.`,
              danger: true,
            };
  }
}

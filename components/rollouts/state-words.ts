/**
 * The words and colours of a rollout's, a region's and a stage's state, as docs/glossary.md defines them: green for
 * success, red for what went wrong (a breach, a failure), amber for a person's decision (a manual rollback, a
 * pause), grey for what did not run. The stored status stays as the API has it ("failed"); these are the words.
 */
import type { StageStatus } from "@/db/schema/stages";
import type { RolloutView } from "@/server/services/rollout-view";

type Region = RolloutView["regions"][number];
type Stage = Region["stages"][number];

const LOOK = {
  info: "bg-sky-50 text-sky-800 ring-sky-200",
  good: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  bad: "bg-red-50 text-red-800 ring-red-200",
  decided: "bg-amber-50 text-amber-900 ring-amber-200",
  quiet: "bg-slate-100 text-slate-700 ring-slate-300",
} as const;

/** A region rolled back by a person (during its canary or an emergency rollback), not by a breach. */
export const rolledBackByHand = (region: Pick<Region, "phase" | "rollback">) =>
  region.phase === "rolled_back" && region.rollback !== null && region.rollback.trigger !== "breach";

/**
 * The rollout's badge: "running", "succeeded", "failed", "aborted", and "rolled back" when it failed only because
 * people rolled regions back (no breach, no region that failed on its own).
 */
export function rolloutStatusWords(view: { status: RolloutView["status"]; regions: Pick<Region, "phase" | "rollback">[] }): { words: string; look: string } {
  switch (view.status) {
    case "running":
      return { words: "running", look: LOOK.info };
    case "succeeded":
      return { words: "succeeded", look: LOOK.good };
    case "aborted":
      return { words: "aborted", look: LOOK.quiet };
    case "failed": {
      const back = view.regions.filter((r) => r.phase === "rolled_back");
      return back.length > 0 && back.every(rolledBackByHand) ? { words: "rolled back", look: LOOK.decided } : { words: "failed", look: LOOK.bad };
    }
  }
  return { words: view.status, look: LOOK.quiet };
}

/** "rolled back by Sam (manual)", "emergency rollback by Sam", or null for a breach or no rollback. */
export function rollbackByWords(region: Pick<Region, "phase" | "rollback">): string | null {
  if (!rolledBackByHand(region) || !region.rollback) return null;
  const who = region.rollback.byName ?? "someone";
  return region.rollback.trigger === "emergency" ? `emergency rollback by ${who}` : `rolled back by ${who} (manual)`;
}

const STAGE: Record<StageStatus, { words: string; box: string }> = {
  pending: { words: "waiting", box: "border-slate-200 bg-white text-slate-500" },
  running: { words: "running", box: "border-sky-300 bg-sky-50 text-sky-900" },
  passed: { words: "passed", box: "border-emerald-200 bg-emerald-50 text-emerald-900" },
  failed: { words: "failed", box: "border-red-300 bg-red-50 text-red-900" },
  skipped: { words: "skipped", box: "border-slate-200 bg-slate-50 text-slate-500" },
};
const DECIDED_BOX = "border-amber-300 bg-amber-50 text-amber-900";

/** A stage's state: "paused" while its region is paused, "rolled back by Sam (manual)" where a person ended it. */
export function stageWords(stage: Pick<Stage, "status">, region: Pick<Region, "phase" | "rollback" | "paused">): { words: string; box: string } {
  if (stage.status === "running" && region.paused) return { words: "paused", box: DECIDED_BOX };
  const byHand = stage.status === "failed" ? rollbackByWords(region) : null;
  if (byHand) return { words: byHand, box: DECIDED_BOX };
  return STAGE[stage.status];
}

/** The colour of a region's outcome line: green when it succeeded, amber for a person's rollback, grey when stopped, red for a breach. */
export function outcomeTone(region: Pick<Region, "phase" | "rollback">): string {
  if (region.phase === "succeeded") return "bg-emerald-50 text-emerald-900";
  if (rolledBackByHand(region)) return "bg-amber-50 text-amber-950";
  if (region.phase === "aborted" || region.phase === "blocked") return "bg-slate-100 text-slate-800";
  return "bg-red-50 text-red-900";
}

/** "Paused by Sam: look at logs" (the engine's reason already says who), or "Paused: <why>" for the engine's own pause. */
export function pauseWords(reason: string | null): string {
  if (!reason) return "Paused";
  return /^paused\b/i.test(reason) ? `P${reason.slice(1)}` : `Paused: ${reason}`;
}

/** A step of the engine and its attempts in a reader's words (the rollout page's step history). */
import type { StepHistory } from "@/server/services/step-history";
import { formatDuration } from "./format";

type Attempt = StepHistory["attempts"][number];

/** "Deploy to green", "Traffic: 50 % on green", "Rollback: 0 % on green"; the key's last part for rows without an effect. */
export function stepWords(step: Pick<StepHistory, "key" | "effect">): string {
  const { effect } = step;
  if (!effect) return step.key.split("/").slice(2).join(" / ") || step.key;
  if (effect.kind === "deploy") return `Deploy to ${effect.colour}`;
  const what = effect.reason === "stage" ? "Traffic" : effect.reason === "abort" ? "Abort" : "Rollback";
  return `${what}: ${effect.canaryPct} % on ${effect.colour}`;
}

/** "interrupted after 3 s", "found done after restart", "done in 20 s", "failed after 2 s: lb unreachable", "in progress". */
export function attemptWords(attempt: Attempt): string {
  const took = attempt.endedAt === null ? null : formatDuration(attempt.endedAt - attempt.startedAt);
  if (attempt.outcome === "started") return "in progress";
  if (attempt.outcome === "done") return `done in ${took}`;
  if (attempt.outcome === "interrupted") return `interrupted (the process stopped; found ${took} later)`;
  if (attempt.outcome.startsWith("failed: ")) return `failed after ${took}: ${attempt.outcome.slice("failed: ".length)}`;
  return attempt.outcome;
}

/** Whether a step needs a second look: tried more than once, or left unfinished. */
export function wasRetried(step: Pick<StepHistory, "attempts">): boolean {
  return step.attempts.length > 1 || step.attempts.some((a) => a.outcome === "interrupted");
}

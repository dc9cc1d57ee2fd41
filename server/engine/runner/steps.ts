/**
 * Idempotent effects. Each side effect of the engine runs under a stable key; once a step is `done` its stored
 * result is returned and the effect is not run again (a restarted runner neither deploys nor shifts twice).
 * A `started` step was interrupted (the process died during it, or after it and before its record): before it
 * runs again the world is asked (`findDone`), and a step whose target already holds is recorded done without
 * acting. A `failed` one runs again: effects are safe to repeat. Every attempt is kept with its outcome, so the
 * record shows what happened even when the world was ahead of it. The step's rows are written around the
 * effect, never in a transaction held open across it.
 */
import type { Store } from "@/db/client";
import type { StepAttempt } from "@/db/schema/steps";
import { crashPointOfStep } from "@/server/engine/crash-points";

export type StepOutcome<T> = { result: T; replayed: boolean };

export type StepSpec<T> = {
  key: string;
  regionRolloutId: string;
  /** What the step does, kept with it: the rollout page names the step by it, the traffic check reads its target. */
  effect?: unknown;
  run: () => Promise<T>;
  /** Asked before repeating an interrupted attempt: the step's result when the world already holds its target, else null. */
  findDone?: () => Promise<T | null>;
};

export const FOUND_DONE = "found done after restart";

export async function runStep<T>(db: Store, step: StepSpec<T>, now: () => number): Promise<StepOutcome<T>> {
  const existing = await db.steps.byKey(step.key);
  if (existing?.status === "done") return { result: existing.result as T, replayed: true };

  const startedAt = now();
  const past = pastAttempts(existing, startedAt);
  const ended = (outcome: string, at: number): StepAttempt[] => [...past, { startedAt, endedAt: at, outcome }];
  await db.steps.start(step.key, step.regionRolloutId, startedAt, [...past, { startedAt, endedAt: null, outcome: "started" }], step.effect ?? null);
  try {
    const found = existing?.status === "started" && step.findDone ? await step.findDone() : null;
    if (found === null) crashPointOfStep(step.effect, "before-effect");
    const result = found ?? (await step.run());
    crashPointOfStep(step.effect, "after-effect");
    const at = now();
    await db.steps.finish(step.key, (result ?? null) as unknown, at, ended(found !== null ? FOUND_DONE : "done", at));
    crashPointOfStep(step.effect, "after-record");
    return { result, replayed: false };
  } catch (err) {
    // A shutdown leaves the step `started`: the next runner asks the world rather than trusting a half-done effect.
    if (!(err instanceof Error && err.name === "AbortError")) {
      const message = err instanceof Error ? err.message : String(err);
      const at = now();
      await db.steps.fail(step.key, message, at, ended(`failed: ${message}`, at));
    }
    throw err;
  }
}

/** The attempts before this one; one still `started` was interrupted (found so at `foundAt`). Rows older than the history count as one. */
function pastAttempts(
  row: { status: string; startedAt: number; finishedAt: number | null; error: string | null; attempts: StepAttempt[] | null } | undefined,
  foundAt: number,
): StepAttempt[] {
  if (!row) return [];
  const attempts = row.attempts ?? [
    { startedAt: row.startedAt, endedAt: row.finishedAt, outcome: row.status === "failed" ? `failed: ${row.error ?? ""}` : row.status },
  ];
  return attempts.map((a) => (a.outcome === "started" ? { ...a, endedAt: foundAt, outcome: "interrupted" } : a));
}

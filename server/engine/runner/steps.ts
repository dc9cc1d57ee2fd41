/**
 * Idempotent effects. Each side effect of the engine runs under a stable key; once a step is `done` its stored
 * result is returned and the effect is not run again (a restarted runner neither deploys nor shifts twice).
 * A `started` step (the process died during it) or a `failed` one runs again: effects are safe to repeat.
 * The step's rows are written around the effect, never in a transaction held open across it.
 */
import type { Store } from "@/db/client";

export type StepOutcome<T> = { result: T; replayed: boolean };

export async function runStep<T>(db: Store, key: string, regionRolloutId: string, fn: () => Promise<T>, now: () => number): Promise<StepOutcome<T>> {
  const existing = await db.steps.byKey(key);
  if (existing?.status === "done") return { result: existing.result as T, replayed: true };

  await db.steps.start(key, regionRolloutId, now());
  try {
    const result = await fn();
    await db.steps.finish(key, (result ?? null) as unknown, now());
    return { result, replayed: false };
  } catch (err) {
    // A shutdown leaves the step `started`: the next runner repeats it rather than trusting a half-done effect.
    if (!(err instanceof Error && err.name === "AbortError")) await db.steps.fail(key, err instanceof Error ? err.message : String(err), now());
    throw err;
  }
}

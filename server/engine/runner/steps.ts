/**
 * Idempotent effects. Each side effect of the engine runs under a stable key; once a step is `done` its stored
 * result is returned and the effect is not run again (a restarted runner neither deploys nor shifts twice).
 * A `started` step (the process died during it) or a `failed` one runs again: effects are safe to repeat.
 */
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { steps } from "@/db/schema";

export type StepOutcome<T> = { result: T; replayed: boolean };

export async function runStep<T>(db: Db, key: string, regionRolloutId: string, fn: () => Promise<T>, now: () => number): Promise<StepOutcome<T>> {
  const existing = db.select().from(steps).where(eq(steps.key, key)).get();
  if (existing?.status === "done") return { result: existing.result as T, replayed: true };

  const startedAt = now();
  db.insert(steps)
    .values({ key, regionRolloutId, status: "started", startedAt })
    .onConflictDoUpdate({ target: steps.key, set: { status: "started", error: null, startedAt, finishedAt: null } })
    .run();
  try {
    const result = await fn();
    db.update(steps)
      .set({ status: "done", result: (result ?? null) as unknown, finishedAt: now() })
      .where(eq(steps.key, key))
      .run();
    return { result, replayed: false };
  } catch (err) {
    // A shutdown leaves the step `started`: the next runner repeats it rather than trusting a half-done effect.
    if (!(err instanceof Error && err.name === "AbortError")) {
      db.update(steps)
        .set({ status: "failed", error: err instanceof Error ? err.message : String(err), finishedAt: now() })
        .where(eq(steps.key, key))
        .run();
    }
    throw err;
  }
}

/**
 * A region rollout's steps as the rollout page shows them: what each effect did and every attempt of it, so an
 * attempt cut short by a crash stays visible beside the one that found its target already held.
 */
import type { StepAttempt } from "@/db/schema/steps";
import type { StepRow } from "@/db/store/repositories/steps";
import type { Effect } from "@/server/engine/machine/types";

export type StepHistory = { key: string; status: StepRow["status"]; effect: Effect | null; error: string | null; attempts: StepAttempt[] };

/** The steps in the order they were first tried; a row from before attempts were kept counts as one attempt. */
export function stepHistories(rows: StepRow[]): StepHistory[] {
  return rows
    .map((row) => ({
      key: row.key,
      status: row.status,
      effect: (row.effect as Effect | null) ?? null,
      error: row.error,
      attempts: row.attempts ?? [
        { startedAt: row.startedAt, endedAt: row.finishedAt, outcome: row.status === "failed" ? `failed: ${row.error ?? ""}` : row.status },
      ],
    }))
    .sort((a, b) => a.attempts[0].startedAt - b.attempts[0].startedAt);
}

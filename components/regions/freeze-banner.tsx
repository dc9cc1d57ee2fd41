"use client";
/**
 * The freeze banner of the overview: what is frozen now and when it ends (a config window, or a stop-all until
 * someone lifts it). An sre or admin declares a stop-all from here, with a reason and the word FREEZE typed in
 * full, and lifts it; the server checks the role again and records both in the audit log.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { CALM_BUTTON, DANGER_BUTTON, TypedConfirmDialog } from "@/components/ui/typed-confirm-dialog";

const CONFIRM_WORD = "FREEZE";

export function FreezeBanner() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery({ ...trpc.freeze.status.queryOptions(), refetchInterval: 15_000 });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.freeze.status.queryKey() });
  const declare = useMutation(trpc.freeze.declare.mutationOptions({ onSuccess: refresh }));
  const lift = useMutation(trpc.freeze.lift.mutationOptions({ onSuccess: refresh }));
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState("");

  const data = status.data;
  if (!data) return null;
  const stopAll = data.freezes.find((f) => f.kind === "stop-all");
  const error = declare.error ?? lift.error;
  const open = () => {
    setReason("");
    declare.reset();
    dialog.current?.showModal();
  };

  return (
    <section aria-label="Freezes" className="mb-6 flex flex-col gap-2">
      {data.freezes.map((f) => (
        <div
          key={`${f.kind}-${f.id}`}
          role="status"
          data-testid="freeze-banner"
          className="rounded-md border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900"
        >
          <p className="font-semibold">
            {f.kind === "stop-all"
              ? "Stop-all: every rollout holds before its next step; none starts."
              : "Freeze window: no rollout starts here; running ones hold."}
          </p>
          <p>
            {f.reason}
            {f.environments ? ` (${f.environments.join(", ")})` : " (every environment)"}.{" "}
            <span data-testid="freeze-until">{f.untilText ? `Ends ${f.untilText}.` : "Until someone lifts it."}</span>
          </p>
        </div>
      ))}
      {error ? (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {error.message}
        </p>
      ) : null}
      {data.canManage ? (
        <div className="flex justify-end">
          {stopAll ? (
            <button type="button" data-testid="lift-freeze" disabled={lift.isPending} onClick={() => lift.mutate()} className={CALM_BUTTON}>
              Lift the stop-all
            </button>
          ) : (
            <button type="button" data-testid="declare-freeze" onClick={open} className={DANGER_BUTTON}>
              Stop all rollouts
            </button>
          )}
        </div>
      ) : null}
      <TypedConfirmDialog
        dialogRef={dialog}
        titleId="freeze-title"
        title="Stop all rollouts?"
        word={CONFIRM_WORD}
        ready={reason.trim().length >= 3}
        confirmLabel="Stop all rollouts"
        confirmTestId="confirm-freeze"
        inputTestId="freeze-confirm-text"
        onConfirm={() => declare.mutate({ reason })}
      >
        <p className="text-sm text-slate-800">
          Every running rollout holds before its next step, on every replica, at once; no rollout starts until the stop-all is lifted. Samples go on being
          judged, so a breach still rolls back, and rollbacks stay allowed. Recorded under your name.
        </p>
        <label className="flex flex-col gap-1 text-sm text-slate-800">
          <span>Reason (shown to everyone it stops)</span>
          <input
            data-testid="freeze-reason"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            className="rounded-md border border-slate-300 px-2 py-1 focus-visible:outline-2 focus-visible:outline-sky-600"
          />
        </label>
      </TypedConfirmDialog>
    </section>
  );
}

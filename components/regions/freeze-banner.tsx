"use client";
/**
 * The freeze banner of the overview: what is frozen now and when it ends (a config window, or a stop-all until
 * someone lifts it). An sre or admin declares a stop-all from here, with a reason and the word FREEZE typed in
 * full, and lifts it; the server checks the role again and records both in the audit log.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useTRPC } from "@/components/trpc/client";

const BUTTON =
  "rounded-md px-3 py-1.5 text-sm font-medium ring-1 ring-inset focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600";
const CALM = `${BUTTON} bg-white text-slate-800 ring-slate-300 hover:bg-slate-50`;
const DANGER = `${BUTTON} bg-red-700 text-white ring-red-800 hover:bg-red-800 disabled:bg-slate-100 disabled:text-slate-500 disabled:ring-slate-300`;
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
  const [typed, setTyped] = useState("");

  const data = status.data;
  if (!data) return null;
  const stopAll = data.freezes.find((f) => f.kind === "stop-all");
  const error = declare.error ?? lift.error;
  const open = () => {
    setReason("");
    setTyped("");
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
            <button type="button" data-testid="lift-freeze" disabled={lift.isPending} onClick={() => lift.mutate()} className={CALM}>
              Lift the stop-all
            </button>
          ) : (
            <button type="button" data-testid="declare-freeze" onClick={open} className={DANGER}>
              Stop all rollouts
            </button>
          )}
        </div>
      ) : null}
      <dialog ref={dialog} aria-labelledby="freeze-title" className="m-auto w-[min(34rem,calc(100vw-2rem))] rounded-lg p-0 shadow-xl backdrop:bg-slate-900/40">
        <form
          className="flex flex-col gap-4 p-5"
          onSubmit={(e) => {
            e.preventDefault();
            if (typed !== CONFIRM_WORD) return;
            dialog.current?.close();
            declare.mutate({ reason });
          }}
        >
          <h2 id="freeze-title" className="text-lg font-semibold text-slate-900">
            Stop all rollouts?
          </h2>
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
          <label className="flex flex-col gap-1 text-sm text-slate-800">
            <span>
              Type <code className="rounded bg-slate-100 px-1 font-mono">{CONFIRM_WORD}</code> to confirm
            </span>
            <input
              data-testid="freeze-confirm-text"
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              autoComplete="off"
              spellCheck={false}
              className="rounded-md border border-slate-300 px-2 py-1 font-mono focus-visible:outline-2 focus-visible:outline-sky-600"
            />
          </label>
          <div className="flex justify-end gap-2">
            <button type="button" onClick={() => dialog.current?.close()} className={CALM}>
              Cancel
            </button>
            <button type="submit" data-testid="confirm-freeze" disabled={typed !== CONFIRM_WORD || reason.trim().length < 3} className={DANGER}>
              Stop all rollouts
            </button>
          </div>
        </form>
      </dialog>
    </section>
  );
}

"use client";
/**
 * "Lift quarantine" where the quarantine is shown, for an sre or admin: the button opens a confirmation that asks
 * for the reason (recorded with the lift, as `flightdeck quarantine lift --reason` does), then the caller is told
 * the release was lifted, since the quarantine notice itself goes away with the next read.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useRef, useState } from "react";
import { useTRPC } from "@/components/trpc/client";

/** The shortest reason the server accepts for a lift (LiftQuarantineInput). */
export const MIN_LIFT_REASON_CHARS = 3;

const BUTTON =
  "rounded-md px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:cursor-not-allowed disabled:opacity-60";
const TEXTAREA = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-2 py-1 text-sm focus-visible:outline-2 focus-visible:outline-sky-600";
const focusOnMount = (el: HTMLElement | null) => el?.focus();

export function QuarantineLift({ quarantineId, release, onLifted }: { quarantineId: string; release: string; onLifted: (description: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const reasonId = useId();
  const confirmId = useId();
  const [reason, setReason] = useState<string | null>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const lift = useMutation(
    trpc.quarantine.lift.mutationOptions({
      onSuccess: (lifted) => onLifted(lifted.description),
      onSettled: () =>
        Promise.all([
          // The rollout view, the start options and the plan preview all say whether the release is quarantined.
          queryClient.invalidateQueries({ queryKey: trpc.rollouts.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.quarantine.list.pathKey() }),
        ]),
    }),
  );
  const cancel = () => {
    setReason(null);
    lift.reset();
    opener.current?.focus();
  };
  const short = reason === null || reason.trim().length < MIN_LIFT_REASON_CHARS;

  return (
    <div className="mt-3">
      <button
        ref={opener}
        type="button"
        data-testid="lift-quarantine"
        aria-expanded={reason !== null}
        aria-controls={confirmId}
        onClick={() => setReason((open) => open ?? "")}
        className={`${BUTTON} border border-red-300 bg-white text-red-800 hover:bg-red-100`}
      >
        Lift quarantine…
      </button>
      {reason !== null ? (
        <div id={confirmId} role="group" aria-label="Lift the quarantine" className="mt-3 rounded-md border border-red-200 bg-white p-3">
          <p className="font-medium">Lift the quarantine of {release}?</p>
          <p className="mt-1 text-xs">Rollouts of this release may be started again anywhere. The reason is recorded with the lift in the audit log.</p>
          <label htmlFor={reasonId} className="mt-2 block text-xs">
            Reason (required, at least {MIN_LIFT_REASON_CHARS} characters)
          </label>
          <textarea
            id={reasonId}
            data-testid="lift-quarantine-reason"
            rows={2}
            maxLength={500}
            autoFocus
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            onKeyDown={(e) => e.key === "Escape" && cancel()}
            className={TEXTAREA}
          />
          <div className="mt-2 flex flex-wrap items-center gap-2">
            <button
              type="button"
              data-testid="confirm-lift-quarantine"
              disabled={lift.isPending || short}
              onClick={() => lift.mutate({ id: quarantineId, reason: reason.trim() })}
              className={`${BUTTON} bg-red-700 text-white hover:bg-red-600`}
            >
              {lift.isPending ? "Lifting…" : "Lift quarantine"}
            </button>
            <button type="button" onClick={cancel} className={`${BUTTON} border border-slate-300 bg-white text-slate-800 hover:bg-slate-50`}>
              Cancel
            </button>
            {lift.error ? (
              // The pressed button was disabled while the call ran, so the focus fell away: the refusal takes it.
              <span role="alert" tabIndex={-1} ref={focusOnMount} className="text-xs text-red-800 outline-none">
                {lift.error.message}
              </span>
            ) : null}
          </div>
        </div>
      ) : null}
    </div>
  );
}

"use client";
/**
 * "Roll back" where the on-call looks: a region card on the overview and a service's row on the region page.
 * One line says what a rollback would do ("100 % of us-east back to blue, release 1.4.1") or why it cannot; the
 * button opens a confirmation with exactly those words and asks the server for the one-region rollback (the
 * same request as the rollout page's). The server decides again; its refusal is shown in its own words.
 */
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import type { RollbackOption } from "@/server/services/overview";

const BUTTON =
  "rounded-md px-3 py-1.5 text-sm font-medium ring-1 ring-inset focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600";
const CALM = `${BUTTON} bg-white text-slate-800 ring-slate-300 hover:bg-slate-50`;
const DANGER = `${BUTTON} bg-red-700 text-white ring-red-800 hover:bg-red-800 disabled:bg-slate-100 disabled:text-slate-500 disabled:ring-slate-300`;

/** `refreshPage`: a server-rendered page (the region page) reloads its data after the request; the overview follows its live feed. */
export function RollbackControl({ option, refreshPage = false }: { option: RollbackOption; refreshPage?: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const dialog = useRef<HTMLDialogElement>(null);
  const words = useRef<HTMLParagraphElement>(null);
  const [error, setError] = useState<string | null>(null);
  // What the dialog shows and confirms: the option as it was when the button was pressed (live data may move on).
  const [asked, setAsked] = useState<RollbackOption | null>(null);
  const key = `${option.serviceId}-${option.regionId}`;
  const rollback = useMutation(trpc.rollouts.rollback.mutationOptions());

  const confirm = () => {
    dialog.current?.close();
    if (!asked) return;
    rollback.mutate(
      { serviceId: asked.serviceId, regionId: asked.regionId },
      {
        onSuccess: () => {
          if (refreshPage) router.refresh();
          // The button is disabled now (a rollback is under way): the line beside it says so, and takes the focus.
          words.current?.focus();
        },
        onError: (err) => {
          setError(err.message);
          words.current?.focus();
        },
      },
    );
  };

  return (
    <div className="flex h-12 items-center gap-3">
      <p
        ref={words}
        id={`rollback-words-${key}`}
        tabIndex={-1}
        role={error ? "alert" : undefined}
        data-testid={`rollback-words-${key}`}
        title={error ?? (option.possible ? option.summary : option.reason)}
        className={`line-clamp-2 min-w-0 flex-1 text-xs leading-4 outline-none ${error ? "text-red-800" : "text-slate-600"}`}
      >
        {error ?? (option.possible ? option.summary : option.reason)}
      </p>
      <button
        type="button"
        data-testid={`rollback-${key}`}
        aria-describedby={`rollback-words-${key}`}
        disabled={!option.possible || rollback.isPending}
        onClick={() => {
          setError(null);
          setAsked(option);
          dialog.current?.showModal();
        }}
        className={`shrink-0 ${DANGER}`}
      >
        Roll back
      </button>
      <dialog
        ref={dialog}
        aria-labelledby={`rollback-title-${key}`}
        className="m-auto w-[min(30rem,calc(100vw-2rem))] rounded-lg p-0 shadow-xl backdrop:bg-slate-900/40"
      >
        {asked?.possible ? (
          <div className="flex flex-col gap-4 p-5">
            <h2 id={`rollback-title-${key}`} className="text-lg font-semibold text-slate-900">
              Roll back {asked.regionId}?
            </h2>
            <p className="text-base font-medium text-slate-900" data-testid="rollback-summary">
              {asked.summary}.
            </p>
            <p className="text-sm text-slate-700">{asked.detail}</p>
            <p className="text-xs text-slate-600">The load balancer is checked after the move; it is recorded in the event log under your name.</p>
            <div className="flex justify-end gap-2">
              <button type="button" autoFocus onClick={() => dialog.current?.close()} className={CALM}>
                Cancel
              </button>
              <button type="button" data-testid="confirm-rollback" onClick={confirm} className={DANGER}>
                Roll back {asked.regionId}
              </button>
            </div>
          </div>
        ) : null}
      </dialog>
    </div>
  );
}

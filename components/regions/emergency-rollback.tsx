"use client";
/**
 * The emergency rollback of every region of a service, from the overview: the dialog lists what happens in each
 * region (or why it is left alone) and asks for the service's id typed in full before it sends anything. The
 * regions roll back in parallel on the server, each verified; one incident card summarises them.
 */
import { useMutation } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import type { RollbackOption } from "@/server/services/overview";

const BUTTON =
  "rounded-md px-3 py-1.5 text-sm font-medium ring-1 ring-inset focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600";
const CALM = `${BUTTON} bg-white text-slate-800 ring-slate-300 hover:bg-slate-50`;
const DANGER = `${BUTTON} bg-red-700 text-white ring-red-800 hover:bg-red-800 disabled:bg-slate-100 disabled:text-slate-500 disabled:ring-slate-300`;

export function EmergencyRollback({ serviceId, serviceName, options }: { serviceId: string; serviceName: string; options: RollbackOption[] }) {
  const trpc = useTRPC();
  const dialog = useRef<HTMLDialogElement>(null);
  const result = useRef<HTMLDivElement>(null);
  const [typed, setTyped] = useState("");
  const [asked, setAsked] = useState<RollbackOption[]>([]);
  const rollback = useMutation(trpc.services.rollback.mutationOptions());
  const possible = options.filter((o) => o.possible).length;

  const open = () => {
    setTyped("");
    setAsked(options);
    rollback.reset();
    dialog.current?.showModal();
  };
  const confirm = () => {
    dialog.current?.close();
    rollback.mutate({ serviceId }, { onSettled: () => result.current?.focus() });
  };

  return (
    <div className="flex flex-col items-end gap-2">
      <button
        type="button"
        data-testid={`emergency-rollback-${serviceId}`}
        disabled={possible === 0 || rollback.isPending}
        title={possible === 0 ? `Nothing to roll back in any region of ${serviceName}.` : undefined}
        onClick={open}
        className={DANGER}
      >
        Emergency rollback of every region
      </button>
      <div ref={result} tabIndex={-1} className="outline-none" data-testid={`emergency-result-${serviceId}`}>
        {rollback.error ? (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
            {rollback.error.message}
          </p>
        ) : rollback.data ? (
          <div role="status" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-950">
            <p className="font-medium">Emergency rollback of {serviceName} requested; the regions move back in parallel, each verified.</p>
            <ul className="mt-1 list-disc pl-5">
              {rollback.data.requested.map((r) => (
                <li key={r.regionId}>{r.summary}</li>
              ))}
              {rollback.data.skipped.map((s) => (
                <li key={s.regionId}>
                  {s.regionId} left alone: {s.reason}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </div>
      <dialog
        ref={dialog}
        aria-labelledby={`emergency-title-${serviceId}`}
        className="m-auto w-[min(34rem,calc(100vw-2rem))] rounded-lg p-0 shadow-xl backdrop:bg-slate-900/40"
      >
        <form
          className="flex flex-col gap-4 p-5"
          onSubmit={(e) => {
            e.preventDefault();
            if (typed === serviceId) confirm();
          }}
        >
          <h2 id={`emergency-title-${serviceId}`} className="text-lg font-semibold text-slate-900">
            Emergency rollback of every region of {serviceName}?
          </h2>
          <ul className="flex flex-col gap-1 text-sm text-slate-800" data-testid="emergency-plan">
            {asked.map((o) => (
              <li key={o.regionId} className={o.possible ? "font-medium" : "text-slate-600"}>
                {o.possible ? `${o.summary}.` : `${o.regionId} is left alone: ${o.reason}`}
              </li>
            ))}
          </ul>
          <p className="text-xs text-slate-600">
            All at once, each verified on its load balancer; one incident card summarises them. Recorded under your name.
          </p>
          <label className="flex flex-col gap-1 text-sm text-slate-800">
            <span>
              Type <code className="rounded bg-slate-100 px-1 font-mono">{serviceId}</code> to confirm
            </span>
            <input
              data-testid="emergency-confirm-text"
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
            <button type="submit" data-testid="confirm-emergency-rollback" disabled={typed !== serviceId} className={DANGER}>
              Roll back every region
            </button>
          </div>
        </form>
      </dialog>
    </div>
  );
}

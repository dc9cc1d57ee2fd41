"use client";
/**
 * The emergency rollback of every region of a service, from the overview: the dialog lists what happens in each
 * region (or why it is left alone) and asks for the service's id typed in full before it sends anything. The
 * regions roll back in parallel on the server, each verified; one incident card summarises them.
 */
import { useMutation } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { DANGER_BUTTON, TypedConfirmDialog } from "@/components/ui/typed-confirm-dialog";
import type { RollbackOption } from "@/server/services/overview";

export function EmergencyRollback({ serviceId, serviceName, options }: { serviceId: string; serviceName: string; options: RollbackOption[] }) {
  const trpc = useTRPC();
  const dialog = useRef<HTMLDialogElement>(null);
  const result = useRef<HTMLDivElement>(null);
  const [asked, setAsked] = useState<RollbackOption[]>([]);
  const rollback = useMutation(trpc.services.rollback.mutationOptions());
  const possible = options.filter((o) => o.possible).length;

  const open = () => {
    setAsked(options);
    rollback.reset();
    dialog.current?.showModal();
  };
  const confirm = () => {
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
        className={DANGER_BUTTON}
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
      <TypedConfirmDialog
        dialogRef={dialog}
        titleId={`emergency-title-${serviceId}`}
        title={`Emergency rollback of every region of ${serviceName}?`}
        word={serviceId}
        confirmLabel="Roll back every region"
        confirmTestId="confirm-emergency-rollback"
        inputTestId="emergency-confirm-text"
        onConfirm={confirm}
      >
        <ul className="flex flex-col gap-1 text-sm text-slate-800" data-testid="emergency-plan">
          {asked.map((o) => (
            <li key={o.regionId} className={o.possible ? "font-medium" : "text-slate-600"}>
              {o.possible ? `${o.summary}.` : `${o.regionId} is left alone: ${o.reason}`}
            </li>
          ))}
        </ul>
        <p className="text-xs text-slate-600">All at once, each verified on its load balancer; one incident card summarises them. Recorded under your name.</p>
      </TypedConfirmDialog>
    </div>
  );
}

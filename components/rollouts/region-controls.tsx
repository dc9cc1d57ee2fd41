"use client";
/**
 * A region's controls: one button per action the user's roles and the region's phase allow, each behind a
 * confirmation that says what will happen. The server checks again; its refusal is shown in its own words.
 */
import { useMutation } from "@tanstack/react-query";
import { useId, useRef, useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import {
  ACTION_LABELS,
  availableActions,
  describeAction,
  MIN_REASON_CHARS,
  needsReason,
  rollbackIsAbort,
  type ControlAction,
  type ControlPermissions,
  type ControlRegion,
} from "./control-actions";

type Props = { rolloutId: string; serviceId: string; region: ControlRegion; may: ControlPermissions; onDone: () => void };

const BUTTON =
  "rounded-md px-3 py-1.5 text-sm font-medium ring-1 ring-inset focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:opacity-50";
const CALM = `${BUTTON} bg-white text-slate-800 ring-slate-300 hover:bg-slate-50`;
const DANGER = `${BUTTON} bg-red-600 text-white ring-red-700 hover:bg-red-700`;
/** What the region's line says once the server accepted the action. */
const DONE: Record<ControlAction, string> = {
  pause: "paused",
  resume: "resumed",
  promote: "promoted",
  abort: "aborted",
  retry: "retrying",
  rollback: "rolling back: all traffic is moving to the old colour",
};

export function RegionControls({ rolloutId, serviceId, region, may, onDone }: Props) {
  const trpc = useTRPC();
  const dialog = useRef<HTMLDialogElement>(null);
  const [pending, setPending] = useState<ControlAction | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [reason, setReason] = useState("");
  // After an action the pressed button is disabled or gone: the outcome line takes the focus, so the keyboard
  // and a screen reader stay beside the region instead of falling to the top of the page.
  const outcomeId = useId();
  const ref = { rolloutId, regionId: region.regionId };
  const options = {
    onSuccess: () => onDone(),
    onError: (err: { message: string }) => setError(err.message),
    onSettled: () => requestAnimationFrame(() => document.getElementById(outcomeId)?.focus()),
  };
  const mutations = {
    pause: useMutation(trpc.rollouts.pause.mutationOptions(options)),
    resume: useMutation(trpc.rollouts.resume.mutationOptions(options)),
    promote: useMutation(trpc.rollouts.promote.mutationOptions(options)),
    abort: useMutation(trpc.rollouts.abort.mutationOptions(options)),
    retry: useMutation(trpc.rollouts.retry.mutationOptions(options)),
    rollback: useMutation(trpc.rollouts.rollback.mutationOptions(options)),
  };
  const actions = availableActions(region, may);
  if (actions.length === 0 && done === null && error === null) return null;
  const busy = Object.values(mutations).some((m) => m.isPending);

  const ask = (action: ControlAction) => {
    setError(null);
    setDone(null);
    setReason("");
    setPending(action);
    dialog.current?.showModal();
  };
  const confirm = () => {
    dialog.current?.close();
    if (!pending) return;
    setDone(`${region.regionId} ${DONE[pending]}.`);
    if (pending === "rollback" && !rollbackIsAbort(region)) mutations.rollback.mutate({ serviceId, regionId: region.regionId });
    else if (pending === "rollback") mutations.abort.mutate(ref);
    else if (pending === "promote") mutations.promote.mutate(reason.trim() ? { ...ref, reason: reason.trim() } : ref);
    else mutations[pending].mutate(ref);
  };
  const words = pending ? describeAction(pending, region) : null;
  const askReason = pending !== null && needsReason(pending, region);
  const reasonShort = askReason && reason.trim().length < MIN_REASON_CHARS;

  return (
    <div className="flex flex-col gap-2">
      <div className="flex flex-wrap gap-2">
        {actions.map((action) => (
          <button
            key={action}
            type="button"
            data-testid={`control-${action}-${region.regionId}`}
            disabled={busy}
            onClick={() => ask(action)}
            className={action === "rollback" || action === "abort" ? DANGER : CALM}
          >
            {action === "rollback" && region.phase === "succeeded" ? "Emergency rollback" : ACTION_LABELS[action]}
          </button>
        ))}
      </div>
      <div
        id={outcomeId}
        tabIndex={-1}
        data-testid={`control-outcome-${region.regionId}`}
        className="rounded-md outline-none focus-visible:ring-2 focus-visible:ring-sky-600"
      >
        {error ? (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
            {error}
          </p>
        ) : done && !busy ? (
          <p role="status" className="text-sm text-slate-700">
            {done}
          </p>
        ) : null}
      </div>
      <dialog
        ref={dialog}
        aria-labelledby={`confirm-title-${region.regionId}`}
        onClose={() => setPending(null)}
        className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-lg p-0 shadow-xl backdrop:bg-slate-900/40"
      >
        {words ? (
          <div className="flex flex-col gap-4 p-5">
            <h2 id={`confirm-title-${region.regionId}`} className="text-lg font-semibold text-slate-900">
              {words.title}
            </h2>
            <p className="text-sm text-slate-700">{words.body}</p>
            {askReason ? (
              <label className="flex flex-col gap-1 text-sm text-slate-800">
                Reason (at least {MIN_REASON_CHARS} characters)
                <textarea
                  data-testid="action-reason"
                  value={reason}
                  onChange={(e) => setReason(e.target.value)}
                  maxLength={500}
                  rows={3}
                  className="rounded-md border border-slate-300 px-2 py-1 focus-visible:outline-2 focus-visible:outline-sky-600"
                />
              </label>
            ) : null}
            <p className="text-xs text-slate-500">It is recorded in the event log under your name.</p>
            <div className="flex justify-end gap-2">
              <button type="button" autoFocus onClick={() => dialog.current?.close()} className={CALM}>
                Cancel
              </button>
              <button
                type="button"
                data-testid="confirm-action"
                onClick={confirm}
                disabled={reasonShort}
                className={words.danger ? DANGER : `${BUTTON} bg-sky-600 text-white ring-sky-700 hover:bg-sky-700`}
              >
                {words.title}
              </button>
            </div>
          </div>
        ) : null}
      </dialog>
    </div>
  );
}

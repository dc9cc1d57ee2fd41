"use client";
/**
 * One region's gate: the rule, the decisions so far and who is still needed, then approve, or reject after a
 * confirmation that asks for the reason. A gate not reached yet (pre-approval) may only be approved. Once this
 * reviewer decided, the buttons stay disabled; what happened is said by the list above (`onDecided`), which
 * outlives the row when the gate leaves the list.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useRef, useState } from "react";
import { useTRPC, type RouterOutputs } from "@/components/trpc/client";
import { RelativeTime } from "@/components/regions/relative-time";

type Gate = RouterOutputs["approvals"]["pending"][number]["gates"][number];

const BUTTON =
  "rounded-md px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 disabled:cursor-not-allowed disabled:opacity-50";
/** A ref that focuses its element once, when it appears (a stable function, so re-renders do not steal the focus back). */
const focusOnMount = (el: HTMLElement | null) => el?.focus();
const TEXTAREA = "mt-1 block w-full rounded-md border border-slate-300 px-2 py-1 text-sm focus-visible:outline-2 focus-visible:outline-blue-600";

/** The anchor of a gate on /approvals, which the rollout page links to. */
export const gateAnchor = (rolloutId: string, regionId: string) => `gate-${rolloutId}-${regionId}`;

export function GateRow({
  rolloutId,
  gate,
  mayDecide,
  onDecided,
}: {
  rolloutId: string;
  gate: Gate;
  mayDecide: boolean;
  onDecided: (message: string) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const commentId = useId();
  const reasonId = useId();
  const confirmId = useId();
  const [comment, setComment] = useState("");
  const [reason, setReason] = useState<string | null>(null);
  const rejectButton = useRef<HTMLButtonElement>(null);
  const settle = {
    onSuccess: (decided: { message: string }) => onDecided(decided.message),
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: trpc.approvals.pending.queryKey() }),
        queryClient.invalidateQueries({ queryKey: trpc.approvals.waitingForMe.queryKey() }),
      ]),
  };
  const approve = useMutation(trpc.approvals.approve.mutationOptions(settle));
  const reject = useMutation(trpc.approvals.reject.mutationOptions(settle));
  const busy = approve.isPending || reject.isPending;
  const locked = busy || approve.isSuccess || reject.isSuccess || gate.cannotDecide !== null;
  const error = approve.error ?? reject.error;
  const input = { rolloutId, regionId: gate.regionId, comment: comment.trim() || undefined };
  const rule = [
    gate.required.functional ? `${gate.required.functional} reviewer${gate.required.functional === 1 ? "" : "s"}` : null,
    gate.required.sre ? `${gate.required.sre} SRE` : null,
  ]
    .filter(Boolean)
    .join(" + ");
  const cancelReject = () => {
    setReason(null);
    rejectButton.current?.focus();
  };

  return (
    <li
      id={gateAnchor(rolloutId, gate.regionId)}
      className="grid scroll-mt-4 grid-cols-1 gap-3 px-5 py-4 target:bg-amber-50 md:grid-cols-[minmax(0,1fr)_minmax(0,1.2fr)]"
      data-testid={`gate-${rolloutId}-${gate.regionId}`}
    >
      <div className="min-w-0">
        <p className="font-medium text-slate-900">{gate.regionName}</p>
        <p className="font-mono text-xs text-slate-600">
          {gate.environment} · needs {rule || "no reviewer"}
        </p>
        {gate.ahead ? (
          <p className="mt-1 text-xs text-sky-900">Not reached yet: an approval given now counts when {gate.regionName} gets to its gate.</p>
        ) : null}
        {gate.decisions.length ? (
          <ul className="mt-2 space-y-1 text-xs text-slate-700">
            {gate.decisions.map((d) => (
              <li key={`${d.reviewer}-${d.at}`}>
                <span className={d.decision === "approved" ? "text-emerald-800" : "text-red-800"}>{d.decision}</span> by {d.reviewer} as{" "}
                {d.kind === "sre" ? "SRE" : "reviewer"} <RelativeTime at={d.at} />
                {d.comment ? <span className="block text-slate-600">“{d.comment}”</span> : null}
              </li>
            ))}
          </ul>
        ) : (
          <p className="mt-2 text-xs text-slate-600">No decision yet.</p>
        )}
        {gate.stillNeeded ? <p className="mt-1 text-xs font-medium text-amber-900">Still needed: {gate.stillNeeded}</p> : null}
      </div>
      {mayDecide ? (
        <div className="min-w-0">
          {gate.cannotDecide ? <p className="mb-2 text-xs text-amber-900">{gate.cannotDecide}</p> : null}
          <label htmlFor={commentId} className="text-xs text-slate-700">
            Comment (optional)
          </label>
          <textarea
            id={commentId}
            rows={2}
            maxLength={1000}
            value={comment}
            disabled={locked}
            onChange={(e) => setComment(e.target.value)}
            className={TEXTAREA}
          />
          <div className="mt-2 flex flex-wrap items-center gap-2">
            <button
              type="button"
              data-testid={`approve-${rolloutId}-${gate.regionId}`}
              disabled={locked}
              onClick={() => approve.mutate(input)}
              className={`${BUTTON} bg-emerald-700 text-white hover:bg-emerald-600`}
            >
              {approve.isPending ? "Approving…" : approve.isSuccess ? "Approved" : gate.ahead ? "Approve ahead" : "Approve"}
            </button>
            {gate.ahead ? null : (
              <button
                ref={rejectButton}
                type="button"
                data-testid={`reject-${rolloutId}-${gate.regionId}`}
                disabled={locked}
                aria-expanded={reason !== null}
                aria-controls={confirmId}
                onClick={() => setReason((open) => open ?? comment.trim())}
                className={`${BUTTON} border border-red-300 bg-white text-red-800 hover:bg-red-50`}
              >
                {reject.isPending ? "Rejecting…" : reject.isSuccess ? "Rejected" : "Reject…"}
              </button>
            )}
            {error ? (
              // The pressed button was disabled while the call ran, so the focus fell away: the refusal takes it.
              <span role="alert" tabIndex={-1} ref={focusOnMount} className="text-xs text-red-800 outline-none">
                {error.message}
              </span>
            ) : null}
          </div>
          {reason !== null && !reject.isSuccess ? (
            <div id={confirmId} role="group" aria-label={`Reject ${gate.regionName}`} className="mt-3 rounded-md border border-red-200 bg-red-50 p-3">
              <p className="text-sm font-medium text-red-900">Reject {gate.regionName}?</p>
              <p className="mt-1 text-xs text-red-900">It is aborted and the regions after it are blocked; this cannot be undone.</p>
              <label htmlFor={reasonId} className="mt-2 block text-xs text-red-900">
                Reason (required)
              </label>
              <textarea
                id={reasonId}
                rows={2}
                maxLength={1000}
                autoFocus
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                onKeyDown={(e) => e.key === "Escape" && cancelReject()}
                className={TEXTAREA}
              />
              <div className="mt-2 flex flex-wrap gap-2">
                <button
                  type="button"
                  data-testid={`confirm-reject-${rolloutId}-${gate.regionId}`}
                  disabled={busy || reason.trim() === ""}
                  onClick={() => reject.mutate({ ...input, comment: reason.trim() })}
                  className={`${BUTTON} bg-red-700 text-white hover:bg-red-600`}
                >
                  {reject.isPending ? "Rejecting…" : `Reject ${gate.regionName}`}
                </button>
                <button type="button" onClick={cancelReject} className={`${BUTTON} border border-slate-300 bg-white text-slate-800 hover:bg-slate-50`}>
                  Cancel
                </button>
              </div>
            </div>
          ) : null}
        </div>
      ) : null}
    </li>
  );
}

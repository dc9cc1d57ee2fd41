"use client";
/** One region's gate: the rule, the decisions so far, and approve / reject with a comment. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useTRPC, type RouterOutputs } from "@/components/trpc/client";
import { RelativeTime } from "@/components/regions/relative-time";

type Gate = RouterOutputs["approvals"]["pending"][number]["gates"][number];

const BUTTON =
  "rounded-md px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 disabled:cursor-not-allowed disabled:opacity-50";

export function GateRow({ rolloutId, gate, mayDecide }: { rolloutId: string; gate: Gate; mayDecide: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const commentId = useId();
  const [comment, setComment] = useState("");
  const refresh = { onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.approvals.pending.queryKey() }) };
  const approve = useMutation(trpc.approvals.approve.mutationOptions(refresh));
  const reject = useMutation(trpc.approvals.reject.mutationOptions(refresh));
  const busy = approve.isPending || reject.isPending;
  const error = approve.error ?? reject.error;
  const input = { rolloutId, regionId: gate.regionId, comment: comment.trim() || undefined };
  const rule = [gate.required.functional ? `${gate.required.functional} functional` : null, gate.required.sre ? `${gate.required.sre} SRE` : null]
    .filter(Boolean)
    .join(" + ");

  return (
    <li className="grid grid-cols-1 gap-3 px-5 py-4 md:grid-cols-[minmax(0,1fr)_minmax(0,1.2fr)]" data-testid={`gate-${rolloutId}-${gate.regionId}`}>
      <div className="min-w-0">
        <p className="font-medium text-slate-900">{gate.regionName}</p>
        <p className="font-mono text-xs text-slate-500">
          {gate.environment} · needs {rule || "no reviewer"}
        </p>
        {gate.decisions.length ? (
          <ul className="mt-2 space-y-1 text-xs text-slate-700">
            {gate.decisions.map((d) => (
              <li key={`${d.reviewer}-${d.at}`}>
                <span className={d.decision === "approved" ? "text-emerald-800" : "text-red-800"}>{d.decision}</span> by {d.reviewer} as{" "}
                {d.kind === "sre" ? "SRE" : "functional reviewer"} <RelativeTime at={d.at} />
                {d.comment ? <span className="block text-slate-500">“{d.comment}”</span> : null}
              </li>
            ))}
          </ul>
        ) : (
          <p className="mt-2 text-xs text-slate-500">No decision yet.</p>
        )}
      </div>
      {mayDecide ? (
        <div className="min-w-0">
          {gate.cannotDecide ? <p className="mb-2 text-xs text-amber-800">{gate.cannotDecide}</p> : null}
          <label htmlFor={commentId} className="text-xs text-slate-600">
            Comment (optional)
          </label>
          <textarea
            id={commentId}
            rows={2}
            maxLength={1000}
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1 text-sm focus-visible:outline-2 focus-visible:outline-blue-600"
          />
          <div className="mt-2 flex flex-wrap items-center gap-2">
            <button
              type="button"
              data-testid={`approve-${rolloutId}-${gate.regionId}`}
              disabled={busy}
              onClick={() => approve.mutate(input)}
              className={`${BUTTON} bg-emerald-700 text-white hover:bg-emerald-600`}
            >
              {approve.isPending ? "Approving…" : "Approve"}
            </button>
            <button
              type="button"
              data-testid={`reject-${rolloutId}-${gate.regionId}`}
              disabled={busy}
              onClick={() => reject.mutate(input)}
              className={`${BUTTON} border border-red-300 bg-white text-red-800 hover:bg-red-50`}
            >
              {reject.isPending ? "Rejecting…" : "Reject"}
            </button>
            {error ? (
              <span role="alert" className="text-xs text-red-800">
                {error.message}
              </span>
            ) : null}
          </div>
        </div>
      ) : null}
    </li>
  );
}

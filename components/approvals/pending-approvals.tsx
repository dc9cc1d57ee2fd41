"use client";
/**
 * The rollouts waiting at a gate, refreshed every few seconds so a gate someone else decided disappears. What
 * the reviewer's last decision did is said above the list (a polite live region, focused after the decision),
 * so it stays readable when the decided gate leaves the list.
 */
import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { useTRPC, type RouterOutputs } from "@/components/trpc/client";
import { RelativeTime } from "@/components/regions/relative-time";
import { SchemaCheckPanel } from "@/components/rollouts/schema-check-panel";
import { GateRow } from "./gate-row";
import { ProvenanceMark } from "@/components/rollouts/provenance-mark";

type PendingRollout = RouterOutputs["approvals"]["pending"][number];

const REFRESH_MS = 5_000;

export function PendingApprovals({ mayDecide }: { mayDecide: boolean }) {
  const trpc = useTRPC();
  const { data } = useSuspenseQuery({ ...trpc.approvals.pending.queryOptions(), refetchInterval: REFRESH_MS });
  const [notice, setNotice] = useState<{ message: string; at: number } | null>(null);
  const noticeRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (notice) noticeRef.current?.focus();
  }, [notice]);
  const onDecided = (message: string) => setNotice({ message, at: Date.now() });

  return (
    <>
      <p
        ref={noticeRef}
        role="status"
        tabIndex={-1}
        data-testid="approval-notice"
        className={
          notice ? "mt-6 rounded-lg border border-emerald-200 bg-emerald-50 p-4 text-sm text-emerald-900 outline-none focus-visible:ring-2" : "sr-only"
        }
      >
        {notice?.message}
      </p>
      {data.length === 0 ? (
        <p className="mt-6 rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">No gate is waiting for approval.</p>
      ) : (
        <ul className="mt-6 space-y-6">
          {data.map((r) => (
            <li key={r.rolloutId}>
              <RolloutGates rollout={r} mayDecide={mayDecide} onDecided={onDecided} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

const PHASE_STYLE: Record<string, string> = {
  succeeded: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  awaiting_approval: "bg-amber-50 text-amber-900 ring-amber-200",
  rolled_back: "bg-red-50 text-red-800 ring-red-200",
  aborted: "bg-red-50 text-red-800 ring-red-200",
  blocked: "bg-slate-100 text-slate-700 ring-slate-200",
};

function RolloutGates({ rollout, mayDecide, onDecided }: { rollout: PendingRollout; mayDecide: boolean; onDecided: (message: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const approveAll = useMutation(
    trpc.approvals.approveAll.mutationOptions({
      onSuccess: (outcomes) => {
        const approved = outcomes.filter((o) => o.ok).length;
        onDecided(`${rollout.serviceName} ${rollout.artifact.version}: ${approved} of ${outcomes.length} gates approved; each outcome is listed below.`);
      },
      onSettled: () =>
        Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.approvals.pending.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.approvals.waitingForMe.queryKey() }),
        ]),
    }),
  );
  const decidable = rollout.gates.filter((g) => !g.cannotDecide).length;
  const { artifact } = rollout;

  return (
    <article aria-labelledby={`rollout-${rollout.rolloutId}`} className="rounded-xl border border-slate-200 bg-white shadow-sm">
      <header className="flex flex-wrap items-start justify-between gap-3 border-b border-slate-100 px-5 py-4">
        <div className="min-w-0">
          <h2 id={`rollout-${rollout.rolloutId}`} className="text-base font-semibold text-slate-900">
            <Link
              href={`/rollouts/${rollout.rolloutId}`}
              className="rounded-sm underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600"
            >
              {rollout.serviceName} {artifact.version}
            </Link>
          </h2>
          <p className="mt-1 text-xs text-slate-600">
            {rollout.strategy} · started by <span title={rollout.initiator}>{rollout.initiatorName}</span> <RelativeTime at={rollout.startedAt} />
            {rollout.ciActor ? <span> · CI named {rollout.ciActor} as the author</span> : null}
          </p>
          <p className="mt-1 break-all font-mono text-xs text-slate-500" title="Artifact digest">
            {artifact.digest}
          </p>
          <p className="mt-1 text-xs text-slate-600">
            {artifact.commitUrl ? (
              <a
                href={artifact.commitUrl}
                target="_blank"
                rel="noreferrer"
                className="text-blue-700 underline hover:text-blue-600 focus-visible:outline-2 focus-visible:outline-blue-600"
              >
                commit {artifact.commitSha?.slice(0, 12)}
              </a>
            ) : (
              <span>{artifact.commitSha ? `commit ${artifact.commitSha.slice(0, 12)}` : "no source commit recorded"}</span>
            )}
            {artifact.sourceRef ? <span className="ml-2 font-mono">{artifact.sourceRef}</span> : null}
            <ProvenanceMark provenance={artifact.provenance} />
          </p>
        </div>
        {mayDecide && decidable > 1 ? (
          <div className="flex flex-col items-end gap-1">
            <button
              type="button"
              data-testid={`approve-all-${rollout.rolloutId}`}
              disabled={decidable === 0 || approveAll.isPending}
              onClick={() => approveAll.mutate({ rolloutId: rollout.rolloutId })}
              className="rounded-md bg-emerald-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-emerald-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 disabled:cursor-not-allowed disabled:opacity-50"
            >
              {approveAll.isPending ? "Approving…" : `Approve the ${decidable} gates I may`}
            </button>
            {approveAll.error ? (
              <p role="alert" className="text-xs text-red-800">
                {approveAll.error.message}
              </p>
            ) : null}
          </div>
        ) : null}
      </header>

      {approveAll.data ? (
        <ul role="status" className="space-y-1 border-b border-slate-100 px-5 py-3 text-xs">
          {approveAll.data.map((o) => (
            <li key={o.regionId} className={o.ok ? "text-emerald-800" : "text-red-800"}>
              {o.ok ? o.message : `${o.regionId}: ${o.message}`}
            </li>
          ))}
        </ul>
      ) : null}

      <div className="px-5 py-3">
        <h3 className="text-xs font-medium uppercase tracking-wide text-slate-500">Plan</h3>
        <ol className="mt-2 flex flex-wrap gap-2">
          {rollout.plan.map((p) => (
            <li
              key={p.regionId}
              className={`rounded-full px-2.5 py-0.5 text-xs ring-1 ring-inset ${PHASE_STYLE[p.phase] ?? "bg-sky-50 text-sky-800 ring-sky-200"}`}
            >
              {p.position + 1}. {p.regionId}: {p.phase.replaceAll("_", " ")}
            </li>
          ))}
        </ol>
      </div>

      <SchemaCheckPanel check={rollout.schemaCheck} className="border-t border-slate-100 px-5 py-3" />

      <ul className="divide-y divide-slate-100 border-t border-slate-100">
        {rollout.gates.map((g) => (
          <GateRow key={g.regionId} rolloutId={rollout.rolloutId} gate={g} mayDecide={mayDecide} onDecided={onDecided} />
        ))}
      </ul>
    </article>
  );
}

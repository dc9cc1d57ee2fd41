"use client";
/**
 * The rollout's incidents (regions rolled back for a breach or in an emergency) and the escalation they are on
 * (docs/notifications.md#escalation): an sre or admin acknowledges one (no Jira ticket, no page follows) or
 * resolves it with a reason (a page already sent is resolved). Nothing shows for a rollout without one.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { RelativeTime } from "@/components/regions/relative-time";
import { useTRPC } from "@/components/trpc/client";
import type { IncidentView } from "@/server/services/incidents";

const STATE_LOOK: Record<IncidentView["state"], string> = {
  open: "bg-red-100 text-red-900 ring-red-300",
  acknowledged: "bg-amber-100 text-amber-900 ring-amber-300",
  resolved: "bg-emerald-100 text-emerald-900 ring-emerald-300",
};

export function IncidentsPanel({ rolloutId }: { rolloutId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const incidents = useQuery(trpc.incidents.list.queryOptions({ rolloutId }));
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [reason, setReason] = useState("");
  const options = {
    onSuccess: (answer: { message: string }) => {
      setError(null);
      setDone(answer.message);
      void queryClient.invalidateQueries({ queryKey: trpc.incidents.list.queryKey({ rolloutId }) });
    },
    onError: (err: { message: string }) => setError(err.message),
  };
  const acknowledge = useMutation(trpc.incidents.acknowledge.mutationOptions(options));
  const resolve = useMutation(trpc.incidents.resolve.mutationOptions(options));
  const list = incidents.data?.incidents ?? [];
  if (list.length === 0) return null;
  const may = incidents.data?.canAcknowledge ?? false;
  const busy = acknowledge.isPending || resolve.isPending;

  return (
    <section aria-labelledby="incidents" data-testid="incidents-panel" className="rounded-lg border border-red-200 bg-white p-4 text-sm sm:p-5">
      <h2 id="incidents" className="text-lg font-semibold text-slate-900">
        Incidents
      </h2>
      <p className="mt-1 text-slate-600">
        Unacknowledged, an incident escalates as the support path says: the on-call is mentioned, then a P1 ticket, then a page.
      </p>
      <ul className="mt-3 flex flex-col gap-3">
        {list.map((incident) => (
          <li key={incident.incidentId} data-testid={`incident-${incident.regionId}`} className="flex flex-col gap-2 rounded border border-slate-200 p-3">
            <div className="flex flex-wrap items-center gap-2">
              <span className="font-medium text-slate-900">{incident.regionId}</span>
              <span className={`rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${STATE_LOOK[incident.state]}`}>{incident.state}</span>
              <span className="text-slate-500">
                rolled back <RelativeTime at={incident.openedAt} />
              </span>
              <span className="font-mono text-xs text-slate-500">{incident.incidentId}</span>
            </div>
            {incident.why ? <p className="text-slate-700">{incident.why}</p> : null}
            {may && incident.state !== "resolved" ? (
              <div className="flex flex-wrap items-end gap-2">
                {incident.state === "open" ? (
                  <button
                    type="button"
                    disabled={busy}
                    onClick={() => acknowledge.mutate({ rolloutId, regionId: incident.regionId })}
                    className="rounded bg-red-700 px-3 py-1.5 font-medium text-white hover:bg-red-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-700 disabled:opacity-50"
                  >
                    Acknowledge
                  </button>
                ) : null}
                <label className="flex flex-col text-xs text-slate-600">
                  Reason to resolve
                  <input
                    value={reason}
                    onChange={(e) => setReason(e.target.value)}
                    className="mt-1 rounded border border-slate-300 px-2 py-1 text-sm text-slate-900"
                    placeholder="fixed by 1.4.3"
                  />
                </label>
                <button
                  type="button"
                  disabled={busy || reason.trim().length < 3}
                  onClick={() => resolve.mutate({ rolloutId, regionId: incident.regionId, reason: reason.trim() })}
                  className="rounded border border-slate-300 px-3 py-1.5 font-medium text-slate-800 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:opacity-50"
                >
                  Resolve
                </button>
              </div>
            ) : null}
          </li>
        ))}
      </ul>
      {error ? (
        <p role="alert" className="mt-2 text-red-800">
          {error}
        </p>
      ) : null}
      {done && !error ? (
        <p role="status" className="mt-2 text-emerald-800">
          {done}
        </p>
      ) : null}
    </section>
  );
}

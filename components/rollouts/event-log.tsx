/** The rollout's events, newest first, each with who did it. */
import { RelativeTime } from "@/components/regions/relative-time";
import type { RouterOutputs } from "@/components/trpc/client";

type Event = RouterOutputs["rollouts"]["events"][number];

export function EventLog({ events }: { events: Event[] }) {
  if (events.length === 0) return <p className="text-sm text-slate-500">No events yet.</p>;
  return (
    <ol className="flex flex-col divide-y divide-slate-100 text-sm">
      {events.map((e) => (
        <li key={e.id} className="grid grid-cols-1 gap-x-4 gap-y-0.5 py-2 sm:grid-cols-[7rem_1fr_auto]">
          <span className="text-xs text-slate-500 tabular-nums">
            <RelativeTime at={e.at} />
          </span>
          <span className="min-w-0 break-words text-slate-800">
            {/* Most messages name their region already; say it only when they do not. */}
            {e.regionId && !e.message.startsWith(e.regionId) ? <span className="mr-1.5 font-medium text-slate-600">{e.regionId}</span> : null}
            {e.message}
          </span>
          <span className="text-xs text-slate-500" title={e.actor}>
            by {e.actorName}
          </span>
        </li>
      ))}
    </ol>
  );
}

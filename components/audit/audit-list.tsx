/**
 * The events of one audit page. A grid rather than a table: one line per event from tablet width up, a small
 * stacked card on a phone, so the message is never hidden behind a horizontal scroll.
 */
import Link from "next/link";
import { RelativeTime } from "@/components/regions/relative-time";
import type { AuditEvent } from "@/server/services/audit-log";

const COLUMNS = "lg:grid lg:grid-cols-[3.5rem_6.5rem_9rem_15rem_6rem_minmax(0,1fr)] lg:gap-3";

export function AuditList({ items }: { items: AuditEvent[] }) {
  return (
    <div className="mt-6 rounded-xl border border-slate-200 bg-white text-sm" data-testid="audit-table">
      <div aria-hidden="true" className={`hidden bg-slate-50 px-3 py-2 text-xs font-medium text-slate-500 ${COLUMNS}`}>
        <span>#</span>
        <span>When</span>
        <span>Actor</span>
        <span>Type</span>
        <span>Region</span>
        <span>What happened</span>
      </div>
      <ol>
        {items.map((e) => (
          <li key={e.id} data-testid={`audit-event-${e.id}`} className={`border-t border-slate-100 px-3 py-2 first:border-t-0 lg:first:border-t ${COLUMNS}`}>
            <span className="mr-2 tabular-nums text-slate-500 lg:mr-0">#{e.id}</span>
            <span className="mr-2 text-slate-600 lg:mr-0">
              <RelativeTime at={e.at} />
            </span>
            <span className="mr-2 break-words text-xs lg:mr-0" title={e.actor}>
              {e.actorName}
            </span>
            <span className="mr-2 break-all font-mono text-xs lg:mr-0">{e.type}</span>
            <span className="text-slate-600">{e.regionId ?? <span className="hidden lg:inline">–</span>}</span>
            <p className="mt-1 min-w-0 text-slate-800 [overflow-wrap:anywhere] lg:mt-0">
              {e.message}
              {e.rolloutId ? (
                <Link
                  href={`/rollouts/${e.rolloutId}`}
                  className="ml-2 rounded-sm text-xs text-blue-700 underline hover:text-blue-600 focus-visible:outline-2 focus-visible:outline-blue-600"
                >
                  rollout
                </Link>
              ) : null}
            </p>
          </li>
        ))}
      </ol>
    </div>
  );
}

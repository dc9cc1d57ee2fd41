/** The rollout history: newest first, each linking to its page, with how each region ended. */
import Link from "next/link";
import { RelativeTime } from "@/components/regions/relative-time";
import type { RouterOutputs } from "@/components/trpc/client";
import { formatDuration } from "./format";
import { rolloutStatusWords } from "./state-words";

type Item = RouterOutputs["rollouts"]["list"]["items"][number];

export function HistoryList({ items }: { items: Item[] }) {
  if (items.length === 0) return <p className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-600">No rollout matches these filters.</p>;
  return (
    <ul className="flex flex-col divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white">
      {items.map((item) => (
        <HistoryItem key={item.id} item={item} />
      ))}
    </ul>
  );
}

function HistoryItem({ item }: { item: Item }) {
  const status = rolloutStatusWords(item);
  return (
    <li>
      <Link
        href={`/rollouts/${item.id}`}
        className="grid grid-cols-1 gap-1 px-4 py-3 hover:bg-slate-50 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-sky-600 sm:grid-cols-[1fr_auto] sm:items-center"
      >
        <span className="min-w-0">
          <span className="font-medium text-slate-900">
            {item.serviceId} {item.version}
          </span>
          <span className={`ml-2 inline-block rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${status.look}`}>{status.words}</span>
          <span className="mt-0.5 block truncate text-xs text-slate-500">
            {item.strategy} · {item.regions.map((r) => `${r.regionId} ${r.phase.replace("_", " ")}`).join(", ")}
          </span>
        </span>
        <span className="text-xs text-slate-500 sm:text-right">
          by <span title={item.initiator}>{item.initiatorName}</span> · <RelativeTime at={item.createdAt} />
          {item.finishedAt ? ` · took ${formatDuration(item.finishedAt - item.createdAt)}` : ""}
        </span>
      </Link>
    </li>
  );
}

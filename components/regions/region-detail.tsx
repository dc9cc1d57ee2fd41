/** A region's page body (server-rendered): live state per service with its running rollout and "Roll back", rollout history, chart, reviewer rule. */
import Link from "next/link";
import { formatDuration as formatDurationOnce } from "@/lib/format";
import type { RegionPage } from "@/server/services/region-page";
import { LiveColourBadge } from "./colour-badge";
import { RelativeTime } from "./relative-time";
import { RollbackControl } from "./rollback-control";
import { SamplesChart } from "./samples-chart";
import { TrafficSplit } from "./traffic-split";

const OUTCOME_STYLE: Record<string, string> = {
  succeeded: "text-emerald-800",
  rolled_back: "text-red-800",
  aborted: "text-red-800",
  blocked: "text-slate-600",
};

/** A past rollout's length ("6 s", "1 h 30 min"), or a dash when it has not finished. */
export function formatDuration(ms: number | null): string {
  return ms === null ? "–" : formatDurationOnce(ms);
}

const SECTION = "rounded-xl border border-slate-200 bg-white p-5 shadow-sm";
const LINK = "rounded-sm text-blue-700 underline hover:text-blue-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600";

/** `mayRollback`: the user's roles allow region.rollback (the server checks again). */
export function RegionDetail({ page, mayRollback = false }: { page: RegionPage; mayRollback?: boolean }) {
  return (
    <div className="mt-6 grid grid-cols-1 gap-6 lg:grid-cols-3">
      <section aria-labelledby="live-state" className={`${SECTION} lg:col-span-2`}>
        <h2 id="live-state" className="text-base font-semibold text-slate-900">
          Live state
        </h2>
        <ul className="mt-3 divide-y divide-slate-100">
          {page.live.map((l) => (
            <li key={l.serviceId} className="grid grid-cols-1 gap-2 py-3 sm:grid-cols-[10rem_minmax(0,1fr)_12rem] sm:items-center">
              <div>
                <p className="font-medium text-slate-900">{l.serviceName}</p>
                <p className="text-xs text-slate-500">
                  {l.artifact ? (
                    <>
                      {l.artifact.version} <code title={l.artifact.digest}>{l.artifact.shortDigest}</code>
                    </>
                  ) : (
                    "no artifact recorded"
                  )}
                </p>
              </div>
              <TrafficSplit regionId={`${page.regionId}-${l.serviceId}`} greenPct={l.greenPct} bluePct={l.bluePct} />
              <div className="sm:justify-self-end">
                <LiveColourBadge colour={l.liveColour} />
              </div>
              <div className="flex flex-col gap-1 sm:col-span-3" data-testid={`service-actions-${l.serviceId}`}>
                <p className="text-sm text-slate-700">
                  {l.runningRolloutId ? (
                    <Link className={LINK} href={`/rollouts/${l.runningRolloutId}`} data-testid={`running-rollout-${l.serviceId}`}>
                      Open the running rollout
                    </Link>
                  ) : (
                    "No rollout running."
                  )}
                </p>
                {mayRollback ? <RollbackControl option={l.rollback} refreshPage /> : null}
              </div>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="reviewer-rule" className={SECTION}>
        <h2 id="reviewer-rule" className="text-base font-semibold text-slate-900">
          Reviewer rule
        </h2>
        {page.reviewerRule ? (
          <dl className="mt-3 grid grid-cols-[auto_minmax(0,1fr)] gap-x-4 gap-y-1 text-sm">
            <dt className="text-slate-500">Policy</dt>
            <dd className="font-mono">{page.reviewerRule.match}</dd>
            <dt className="text-slate-500">Reviewers</dt>
            <dd>{page.reviewerRule.functional}</dd>
            <dt className="text-slate-500">SRE</dt>
            <dd>{page.reviewerRule.sre}</dd>
            <dt className="text-slate-500">Protected</dt>
            <dd>{page.reviewerRule.protected ? "yes" : "no"}</dd>
          </dl>
        ) : (
          <p className="mt-3 text-sm text-slate-600">{page.environment} matches no policy: no approval is needed.</p>
        )}
        <p className="mt-3 text-xs text-slate-500">Two different people, and never whoever started the rollout.</p>
        {page.links.dashboard || page.links.logs ? (
          <p className="mt-3 flex gap-4 text-sm">
            {page.links.dashboard ? (
              <a className={LINK} href={page.links.dashboard} target="_blank" rel="noreferrer">
                Dashboard
              </a>
            ) : null}
            {page.links.logs ? (
              <a className={LINK} href={page.links.logs} target="_blank" rel="noreferrer">
                Logs
              </a>
            ) : null}
          </p>
        ) : null}
      </section>

      <section aria-labelledby="samples" className={`${SECTION} lg:col-span-3`}>
        <h2 id="samples" className="text-base font-semibold text-slate-900">
          Recent canary samples
        </h2>
        <div className="mt-3">
          <SamplesChart samples={page.samples} />
        </div>
      </section>

      <section aria-labelledby="history" className={`${SECTION} lg:col-span-3`}>
        <h2 id="history" className="text-base font-semibold text-slate-900">
          Rollouts in this region
        </h2>
        {page.rollouts.length === 0 ? (
          <p className="mt-3 text-sm text-slate-600">No rollout has reached this region yet.</p>
        ) : (
          <div className="relative mt-3 overflow-x-auto">
            <table className="min-w-full text-sm">
              <thead className="text-left text-xs text-slate-500">
                <tr>
                  <th scope="col" className="py-2 pr-4 font-medium">
                    Rollout
                  </th>
                  <th scope="col" className="py-2 pr-4 font-medium">
                    Outcome
                  </th>
                  <th scope="col" className="py-2 pr-4 font-medium">
                    Started
                  </th>
                  <th scope="col" className="py-2 pr-4 font-medium">
                    Duration
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.rollouts.map((r) => (
                  <tr key={r.rolloutId} className="border-t border-slate-100 align-top">
                    <td className="py-2 pr-4">
                      <Link className={LINK} href={`/rollouts/${r.rolloutId}`}>
                        {r.serviceId} {r.version}
                      </Link>
                    </td>
                    <td className={`py-2 pr-4 ${OUTCOME_STYLE[r.phase] ?? "text-sky-800"}`}>
                      {r.phase.replaceAll("_", " ")}
                      {r.active && r.canaryPct > 0 ? ` · ${r.canaryPct} %` : ""}
                      {r.outcomeReason ? <span className="block max-w-md text-xs text-slate-500">{r.outcomeReason}</span> : null}
                    </td>
                    <td className="py-2 pr-4 text-slate-600">{r.startedAt ? <RelativeTime at={r.startedAt} /> : "not started"}</td>
                    <td className="py-2 pr-4 tabular-nums text-slate-600">
                      {formatDuration(r.durationMs)}
                      {r.active && r.durationMs !== null ? " so far" : ""}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

"use client";
/**
 * The regions overview, kept live: the page starts with the data the server prefetched, subscribes to the event
 * feed from the cursor of that data, and refetches the overview whenever an event arrives. No page refresh.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useEffect, useState } from "react";
import { ChangeAnnouncer } from "@/components/change-announcer";
import { useTRPC } from "@/components/trpc/client";
import { coalesce } from "./coalesce";
import { EmergencyRollback } from "./emergency-rollback";
import { LiveStatus } from "./live-status";
import { describePhase } from "./phase-label";
import { RegionCard } from "./region-card";

/** A burst of live events (a stage change writes several) costs one refetch, not one each. */
const REFETCH_COALESCE_MS = 150;

/** A region rollout deploying, in its canary or at its gate: what an on-call looks for first. */
const isUnderWay = (phase: string | undefined) => phase === "deploying" || phase === "canary" || phase === "awaiting_approval";

/** `mayRollback`: the user's roles allow region.rollback (worked out on the server; it checks again on every press). */
export function RegionsOverview({ mayRollback = false }: { mayRollback?: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const overview = useQuery(trpc.regions.overview.queryOptions());

  // The first cursor seen, kept: later the SSE link itself resumes from the last event id it received.
  const [since, setSince] = useState<string | null>(overview.data ? String(overview.data.cursor) : null);
  if (since === null && overview.data) setSince(String(overview.data.cursor));

  // Stable for the component's life: queryClient and trpc are per page, not per render.
  const [refetchSoon] = useState(() => coalesce(() => void queryClient.invalidateQueries({ queryKey: trpc.regions.overview.queryKey() }), REFETCH_COALESCE_MS));
  useEffect(() => refetchSoon.cancel, [refetchSoon]);

  const live = useSubscription(trpc.regions.live.subscriptionOptions({ lastEventId: since }, { enabled: since !== null, onData: refetchSoon }));

  if (!overview.data) {
    return (
      <p role={overview.isError ? "alert" : "status"} className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-600">
        {overview.isError ? `The overview could not be loaded: ${overview.error.message}` : "Loading the regions…"}
      </p>
    );
  }

  const { services } = overview.data;
  // One line per region for the live region: a phase or stage change is read out as it happens.
  const lines = Object.fromEntries(
    services.flatMap((s) =>
      s.regions.map((r) => [
        `${s.serviceId}/${r.regionId}`,
        `${s.name} in ${r.name}: ${r.activeRollout ? `${describePhase(r.activeRollout)}${r.activeRollout.paused ? ", paused" : ""}` : `${r.liveColour} is live`}`,
      ]),
    ),
  );
  const nothingYet = services.every((s) => s.regions.every((r) => r.neverRolledOut));

  return (
    <div className="flex flex-col gap-8">
      <div>
        <div className="flex items-center justify-between gap-3">
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Regions</h1>
          <LiveStatus status={live.status} error={live.error} />
          <ChangeAnnouncer lines={lines} label="Region changes" />
        </div>
        <p className="mt-1 text-sm text-slate-600">What every region serves right now, updated as it changes.</p>
      </div>

      {nothingYet ? (
        <p className="rounded-lg border border-sky-200 bg-sky-50 px-4 py-3 text-sm text-sky-900">
          Blue is live in every region, no rollout yet. A rollout starts from CI&apos;s webhook or the CLI; its progress shows here as it happens.
        </p>
      ) : null}

      {services.map((service) => (
        <section key={service.serviceId} aria-labelledby={`service-${service.serviceId}`} className="flex flex-col gap-3">
          <div className="flex flex-wrap items-start justify-between gap-3">
            <h2 id={`service-${service.serviceId}`} className="text-sm font-semibold tracking-wide text-slate-600 uppercase">
              {service.name}
            </h2>
            {mayRollback ? (
              <EmergencyRollback serviceId={service.serviceId} serviceName={service.name} options={service.regions.map((r) => r.rollback)} />
            ) : null}
          </div>
          <div className="grid grid-cols-1 gap-4 md:grid-cols-2 xl:grid-cols-3">
            {/* On a phone, where cards stack, a region with a rollout under way comes first. One column of minmax(0, 1fr): a card no wider than its column, however long its latest event line. */}
            {service.regions.map((region) => (
              <div key={region.regionId} className={`grid min-w-0 grid-cols-1 ${isUnderWay(region.activeRollout?.phase) ? "max-md:order-first" : ""}`}>
                <RegionCard region={region} mayRollback={mayRollback} />
              </div>
            ))}
          </div>
        </section>
      ))}
    </div>
  );
}

"use client";
/**
 * The rollout page, kept live: it starts with what the server prefetched, follows the event feed, and refetches
 * this rollout's queries whenever one of its events arrives. No reload.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import Link from "next/link";
import { useEffect, useState } from "react";
import { ChangeAnnouncer } from "@/components/change-announcer";
import { coalesce } from "@/components/regions/coalesce";
import { LiveStatus } from "@/components/regions/live-status";
import { RelativeTime } from "@/components/regions/relative-time";
import { useTRPC } from "@/components/trpc/client";
import type { ControlPermissions } from "./control-actions";
import { EventLog } from "./event-log";
import { IncidentsPanel } from "./incidents-panel";
import { formatMinutes } from "@/lib/format";
import { rolloutStatusWords } from "./state-words";
import { NotificationsPanel } from "./notifications-panel";
import { RegionSection } from "./region-section";
import { useNow } from "./use-now";
import { ProvenanceMark } from "./provenance-mark";
import { QuarantineLift } from "./quarantine-lift";
import { SchemaCheckPanel } from "./schema-check-panel";
import type { RolloutView } from "@/server/services/rollout-view";

const REFETCH_COALESCE_MS = 150;
/** Delivery status changes without a new event: poll while a card is still on its way. */
const NOTIFICATIONS_POLL_MS = 3_000;

export function RolloutPage({ rolloutId, may, since }: { rolloutId: string; may: ControlPermissions; since: string | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const rollout = useQuery(trpc.rollouts.get.queryOptions({ id: rolloutId }));
  const samples = useQuery(trpc.rollouts.samples.queryOptions({ id: rolloutId }));
  const events = useQuery(trpc.rollouts.events.queryOptions({ id: rolloutId }));
  const notifications = useQuery(
    trpc.notifications.forRollout.queryOptions(
      { rolloutId },
      { refetchInterval: (query) => (query.state.data?.awaitingDelivery ? NOTIFICATIONS_POLL_MS : false) },
    ),
  );

  const [refetchSoon] = useState(() =>
    coalesce(() => {
      const keys = [
        trpc.rollouts.get.queryKey({ id: rolloutId }),
        trpc.rollouts.samples.queryKey({ id: rolloutId }),
        trpc.rollouts.events.queryKey({ id: rolloutId }),
        trpc.notifications.forRollout.queryKey({ rolloutId }),
        trpc.incidents.list.queryKey({ rolloutId }),
      ];
      for (const key of keys) {
        void queryClient.invalidateQueries({ queryKey: key });
      }
    }, REFETCH_COALESCE_MS),
  );
  useEffect(() => refetchSoon.cancel, [refetchSoon]);
  const live = useSubscription(
    trpc.regions.live.subscriptionOptions(
      { lastEventId: since },
      {
        onData: (envelope) => {
          const { rolloutId: about, regions } = envelope.data;
          if (about === rolloutId || regions?.some((r) => r.rolloutId === rolloutId)) refetchSoon();
        },
      },
    ),
  );

  // "Time in stage" of a running stage ticks after hydration only (the server cannot know the viewer's now).
  const now = useNow();
  // What the lift returned: the notice goes away with the next read, this says it was lifted.
  const [lifted, setLifted] = useState<{ id: string; description: string } | null>(null);

  if (!rollout.data) {
    return (
      <p role={rollout.isError ? "alert" : "status"} className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-600">
        {rollout.isError ? `The rollout could not be loaded: ${rollout.error.message}` : "Loading the rollout…"}
      </p>
    );
  }
  const view = rollout.data;
  const pointsOf = (regionId: string) => samples.data?.find((s) => s.regionId === regionId)?.points ?? [];
  const refresh = () => refetchSoon();

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-2">
        <Link href="/rollouts" className="w-fit rounded text-sm text-sky-700 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600">
          ← All rollouts
        </Link>
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">
            {view.serviceName} {view.artifact.version}
            <span
              data-testid="rollout-status"
              title={view.status === rolloutStatusWords(view).words ? undefined : `status: ${view.status}`}
              className={`ml-3 inline-block rounded-full px-2.5 py-0.5 align-middle text-xs font-medium ring-1 ring-inset ${rolloutStatusWords(view).look}`}
            >
              {rolloutStatusWords(view).words}
            </span>
          </h1>
          <LiveStatus status={live.status} error={live.error} />
          <ChangeAnnouncer lines={announcedLines(view)} label="Rollout changes" />
        </div>
        <p className="text-sm text-slate-600">
          {view.strategy}
          {view.delayMinutes ? ` (${formatMinutes(view.delayMinutes)} between regions)` : ""} · started by{" "}
          <span title={view.initiator}>{view.initiatorName}</span> <RelativeTime at={view.createdAt} />
          {view.finishedAt ? (
            <>
              {" "}
              · finished <RelativeTime at={view.finishedAt} />
            </>
          ) : null}
        </p>
        <dl className="grid grid-cols-1 gap-x-6 gap-y-1 text-xs text-slate-600 sm:grid-cols-[auto_1fr]">
          <dt className="font-medium text-slate-500">Correlation id</dt>
          <dd className="font-mono break-all" data-testid="correlation-id">
            {view.correlationId}
          </dd>
          <dt className="font-medium text-slate-500">Digest</dt>
          <dd className="font-mono break-all">{view.artifact.digest}</dd>
          <dt className="font-medium text-slate-500">Commit</dt>
          <dd className="font-mono break-all">
            {view.artifact.commitUrl ? (
              <a
                href={view.artifact.commitUrl}
                target="_blank"
                rel="noreferrer"
                className="rounded text-sky-700 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600"
              >
                {view.artifact.commitSha}
              </a>
            ) : (
              (view.artifact.commitSha ?? "not given")
            )}
            {view.artifact.sourceRef ? <span className="ml-2 font-sans text-slate-500">from {view.artifact.sourceRef}</span> : null}
            <ProvenanceMark provenance={view.artifact.provenance} />
          </dd>
        </dl>
      </div>

      {view.quarantine && view.quarantine.id !== lifted?.id ? (
        <QuarantineNotice view={view} mayLift={may.liftQuarantine === true} onLifted={(description) => setLifted({ id: view.quarantine!.id, description })} />
      ) : null}
      {lifted ? (
        <p role="status" data-testid="quarantine-lifted" className="rounded-lg border border-emerald-200 bg-emerald-50 p-4 text-sm text-emerald-900">
          Quarantine lifted: {lifted.description}
        </p>
      ) : null}
      <IncidentsPanel rolloutId={rolloutId} />

      {view.schemaCheck && view.schemaCheck.outcome !== "none-declared" ? (
        <SchemaCheckPanel check={view.schemaCheck} className="rounded-lg border border-slate-200 bg-white p-4 sm:p-5" />
      ) : null}

      {/* On a phone a region under way comes first, above the finished ones. */}
      <div className="flex flex-col gap-6">
        {view.regions.map((region) => (
          <div key={region.regionId} className={`grid ${UNDER_WAY.includes(region.phase) ? "max-md:order-first" : ""}`}>
            <RegionSection
              rolloutId={view.id}
              serviceId={view.serviceId}
              region={region}
              points={pointsOf(region.regionId)}
              may={may}
              now={now}
              onChanged={refresh}
            />
          </div>
        ))}
      </div>

      <section aria-labelledby="event-log" className="rounded-lg border border-slate-200 bg-white p-4 sm:p-5">
        <h2 id="event-log" className="mb-2 text-lg font-semibold text-slate-900">
          Event log
        </h2>
        <EventLog events={events.data ?? []} />
      </section>

      <NotificationsPanel data={notifications.data} error={notifications.isError ? notifications.error.message : null} now={now} />
    </div>
  );
}

const FINISHED = ["succeeded", "rolled_back", "blocked", "aborted"];
const UNDER_WAY = ["deploying", "canary", "awaiting_approval"];

/** One line per region and one for the rollout, read out politely when one changes: "eu-west: canary at 25 %, stage 2 of 5". */
function announcedLines(view: RolloutView): Record<string, string> {
  const lines: Record<string, string> = { rollout: `Rollout ${rolloutStatusWords(view).words}` };
  for (const region of view.regions) {
    const stage = region.phase === "canary" ? region.stages[region.stageIndex] : undefined;
    const where = stage ? ` at ${stage.percent} %, stage ${region.stageIndex + 1} of ${region.stages.length}` : "";
    lines[region.regionId] = `${region.regionName}: ${region.phase.replace(/_/g, " ")}${where}${region.paused ? ", paused" : ""}`;
  }
  return lines;
}

/**
 * The release is quarantined: say why, and that the regions of this rollout still running it may be rolled back
 * (each region's Roll back, linked), not that they must: nothing rolls them back for it.
 */
function QuarantineNotice({ view, mayLift, onLifted }: { view: RolloutView; mayLift: boolean; onLifted: (description: string) => void }) {
  const running = view.regions.filter((r) => !FINISHED.includes(r.phase));
  return (
    <section role="status" data-testid="quarantine-notice" className="rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-900">
      <h2 className="font-semibold">This release is quarantined</h2>
      <p className="mt-1">{view.quarantine!.description} No rollout of it starts anywhere until an sre or admin lifts the quarantine.</p>
      {running.length > 0 ? (
        <p className="mt-1">
          Still running it here: rolling back is your call, nothing rolls it back for you.{" "}
          {running.map((r, i) => (
            <span key={r.regionId}>
              {i > 0 ? ", " : ""}
              <a href={`#region-${r.regionId}`} className="rounded font-medium underline focus-visible:outline-2 focus-visible:outline-red-700">
                Roll back {r.regionName}
              </a>
            </span>
          ))}
        </p>
      ) : null}
      {mayLift ? <QuarantineLift quarantineId={view.quarantine!.id} release={`${view.serviceName} ${view.artifact.version}`} onLifted={onLifted} /> : null}
    </section>
  );
}

import Link from "next/link";
import type { RegionOverview, RegionSamples } from "@/server/services/overview";
import { LiveColourBadge } from "./colour-badge";
import { PhaseLabel } from "./phase-label";
import { RollbackControl } from "./rollback-control";
import { RelativeTime } from "./relative-time";
import { Sparkline } from "./sparkline";
import { TrafficSplit } from "./traffic-split";

/** Where the sparklines' samples come from, in a few words (the version last: it is what truncation may cut). */
function samplesCaption(series: RegionSamples | null): string {
  if (!series || series.samples.length === 0) return "";
  const n = series.samples.length;
  const count = n === 1 ? "1 canary sample" : `${series.past ? "" : "last "}${n} canary samples`;
  return series.past ? `${count} of the finished rollout of ${series.version}` : `${count} of this rollout`;
}

/**
 * One region of one service. Every row is always rendered at a fixed height (with a placeholder when empty),
 * so data arriving live changes text, never the layout.
 */
export function RegionCard({ region, mayRollback = false }: { region: RegionOverview; mayRollback?: boolean }) {
  const { liveArtifact, lastEvent } = region;
  const series = region.samples;
  const points = series?.samples ?? [];
  const past = series?.past ?? false;
  const caption = samplesCaption(series);
  return (
    <article
      data-testid={`region-card-${region.regionId}`}
      aria-labelledby={`region-${region.regionId}-name`}
      className="flex flex-col rounded-xl border border-slate-200 bg-white shadow-sm"
    >
      <header className="flex items-start justify-between gap-3 px-5 pt-4">
        <div className="min-w-0">
          <h3 id={`region-${region.regionId}-name`} className="truncate text-base font-semibold text-slate-900">
            <Link
              href={`/regions/${region.regionId}`}
              className="rounded-sm underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600"
            >
              {region.name}
            </Link>
          </h3>
          <p className="truncate font-mono text-xs text-slate-500">{region.environment}</p>
        </div>
        <LiveColourBadge colour={region.liveColour} />
      </header>

      <dl className="grid grid-cols-[4.5rem_minmax(0,1fr)] items-start gap-x-3 gap-y-3 px-5 py-4 text-sm">
        <dt className="text-slate-500">Artifact</dt>
        <dd className="flex h-5 min-w-0 items-baseline gap-2">
          {liveArtifact ? (
            <>
              <span className="truncate font-medium text-slate-900">{liveArtifact.version}</span>
              <code title={liveArtifact.digest} className="shrink-0 text-xs text-slate-500">
                {liveArtifact.shortDigest}
              </code>
            </>
          ) : (
            <span className="text-slate-400">none recorded</span>
          )}
        </dd>

        <dt className="text-slate-500">Traffic</dt>
        <dd className="h-9 min-w-0">
          <TrafficSplit regionId={region.regionId} greenPct={region.greenPct} bluePct={region.bluePct} />
        </dd>

        <dt className="text-slate-500">Rollout</dt>
        <dd className="h-9 min-w-0">
          <PhaseLabel regionId={region.regionId} rollout={region.activeRollout} neverRolledOut={region.neverRolledOut} />
        </dd>

        <dt className="flex h-7 items-center text-slate-500">Errors</dt>
        <dd className="min-w-0">
          <Sparkline
            testId={`errors-${region.regionId}`}
            metric="Error rate"
            unit="%"
            points={points.map((s) => ({ value: s.errorRatePct, threshold: s.maxErrorRatePct }))}
            max={series?.maxErrorRatePct ?? null}
            past={past}
          />
        </dd>

        <dt className="flex h-7 items-center text-slate-500">p95</dt>
        <dd className="min-w-0">
          <Sparkline
            testId={`p95-${region.regionId}`}
            metric="p95 latency"
            unit="ms"
            points={points.map((s) => ({ value: s.latencyP95Ms, threshold: s.maxLatencyP95Ms }))}
            max={series?.maxLatencyP95Ms ?? null}
            past={past}
          />
        </dd>
        <dt className="sr-only">Samples</dt>
        <dd title={caption} className="col-start-2 -mt-2 h-4 min-w-0 truncate text-[11px] leading-4 text-slate-400">
          {caption}
        </dd>
      </dl>

      {mayRollback ? (
        <div className="border-t border-slate-100 px-5">
          <RollbackControl option={region.rollback} />
        </div>
      ) : null}

      <footer className="mt-auto flex h-10 items-center gap-2 border-t border-slate-100 px-5 text-xs text-slate-500">
        {lastEvent ? (
          <>
            <span className="min-w-0 flex-1 truncate" title={lastEvent.message}>
              {lastEvent.message}
            </span>
            <span className="shrink-0 tabular-nums">
              <RelativeTime at={lastEvent.at} />
            </span>
          </>
        ) : (
          <span>No events yet</span>
        )}
      </footer>
    </article>
  );
}

"use client";
/** One region of a rollout: where it stands, its stages, its charts, the cause of a rollback, approvals, links, controls. */
import Link from "next/link";
import { gateAnchor } from "@/components/approvals/gate-row";
import { describePhase } from "@/components/regions/phase-label";
import { RelativeTime } from "@/components/regions/relative-time";
import type { RolloutView, SamplePoint } from "@/server/services/rollout-view";
import { causeWords } from "./cause-words";
import type { ControlPermissions } from "./control-actions";
import { chartedMetrics, judgedAt } from "./judged-metrics";
import { MetricPanel } from "./metric-panel";
import { RegionControls } from "./region-controls";
import { StageTimeline } from "./stage-timeline";
import { outcomeTone, pauseWords } from "./state-words";
import { StepHistory } from "./step-history";
import { UnjudgedSamples } from "./unjudged-samples";

type Region = RolloutView["regions"][number];

const LINK = "rounded text-sky-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600";

function phaseWords(region: Region, rolloutId: string): string {
  return describePhase({ ...region, rolloutId, stageCount: region.stages.length, artifactVersion: "" });
}

/** "Rollback retrying (attempt 4, last error: timeout after 2 s)": the move back failed and is being tried again. */
export function rollbackRetryWords(retry: NonNullable<Region["rollbackRetry"]>): string {
  return `Rollback retrying (attempt ${retry.attempts + 1}, last error: ${retry.lastError ?? "unknown"})`;
}

export function RegionSection(props: {
  rolloutId: string;
  serviceId: string;
  region: Region;
  points: SamplePoint[];
  may: ControlPermissions;
  now: number | null;
  onChanged: () => void;
}) {
  const { region } = props;
  const cause = causeWords(region.cause);
  if (region.standby !== null && props.points.length === 0) return <StandbyRegion {...props} why={region.standby} />;
  return (
    <section
      aria-labelledby={`region-${region.regionId}`}
      data-testid={`region-${region.regionId}`}
      className="flex flex-col gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:p-5"
    >
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h2 id={`region-${region.regionId}`} className="text-lg font-semibold text-slate-900">
            {region.regionName} <span className="text-sm font-normal text-slate-500">{region.regionId}</span>
          </h2>
          <p className="text-sm text-slate-600">
            <span data-testid={`phase-${region.regionId}`}>{phaseWords(region, props.rolloutId)}</span>
            {" · "}
            {region.canaryPct} % on {region.toColour}, {100 - region.canaryPct} % on {region.fromColour}
            {region.attempt > 1 ? ` · attempt ${region.attempt}` : ""}
          </p>
          {region.rollbackRetry ? (
            <p data-testid={`rollback-retrying-${region.regionId}`} className="mt-1 text-sm font-medium text-red-800">
              {rollbackRetryWords(region.rollbackRetry)}
            </p>
          ) : null}
          {region.observeUntil !== null && region.phase === "succeeded" ? (
            <p className="mt-1 text-sm text-slate-600">
              Under observation until <RelativeTime at={region.observeUntil} />: still sampled, rolled back on a breach.
            </p>
          ) : null}
          {region.paused ? <p className="mt-1 text-sm text-amber-800">{pauseWords(region.pauseReason)}</p> : null}
          {region.stillNeeded ? (
            <p className="mt-1 text-sm text-amber-900" data-testid={`still-needed-${region.regionId}`}>
              Waiting for {region.stillNeeded}.{" "}
              <Link className={LINK} href={`/approvals#${gateAnchor(props.rolloutId, region.regionId)}`}>
                Open its gate
              </Link>
            </p>
          ) : null}
        </div>
        <RegionControls rolloutId={props.rolloutId} serviceId={props.serviceId} region={region} may={props.may} onDone={props.onChanged} />
      </div>

      {cause || region.outcomeReason ? (
        <p data-testid={`cause-${region.regionId}`} className={`rounded-md px-3 py-2 text-sm ${outcomeTone(region)}`}>
          {cause ? `Rolled back because ${cause}.` : region.outcomeReason}
          {region.runbook ? (
            <>
              {" "}
              <a className={`${LINK} underline`} href={region.runbook} data-testid={`runbook-${region.regionId}`}>
                What to do
              </a>
            </>
          ) : null}
        </p>
      ) : null}

      <StageTimeline stages={region.stages} region={region} now={props.now} points={props.points} />
      <UnjudgedSamples regionId={region.regionId} points={props.points} stagePercents={region.stages.map((s) => s.percent)} />
      <StepHistory regionId={region.regionId} steps={region.steps} />

      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
        {chartedMetrics(region.stages).map((metric) => (
          <MetricPanel
            key={metric}
            regionName={region.regionName}
            metric={metric}
            points={props.points}
            fromColour={region.fromColour}
            toColour={region.toColour}
            judgedAt={judgedAt(region.stages, metric)}
            stagePercents={region.stages.map((s) => s.percent)}
          />
        ))}
      </div>

      <div className="flex flex-wrap items-start justify-between gap-3 text-sm">
        {region.approvals.length > 0 ? (
          <ul aria-label="Approvals" className="flex flex-col gap-1 text-slate-700">
            {region.approvals.map((a) => (
              <li key={`${a.reviewer}-${a.at}`}>
                <span className={a.decision === "approved" ? "text-emerald-700" : "text-red-700"}>{a.decision === "approved" ? "Approved" : "Rejected"}</span>{" "}
                by {a.reviewer} as {a.kind === "sre" ? "SRE" : "reviewer"}, <RelativeTime at={a.at} />
                {a.comment ? <span className="text-slate-500"> — “{a.comment}”</span> : null}
              </li>
            ))}
          </ul>
        ) : (
          <span />
        )}
        <span className="flex gap-4">
          {region.links.dashboard ? (
            <a className={LINK} href={region.links.dashboard} target="_blank" rel="noreferrer">
              Dashboard
            </a>
          ) : null}
          {region.links.logs ? (
            <a className={LINK} href={region.links.logs} target="_blank" rel="noreferrer">
              Logs
            </a>
          ) : null}
        </span>
      </div>
    </section>
  );
}

/** A region waiting for its turn or blocked: one line that says why, with its controls, instead of empty charts. */
function StandbyRegion(props: Parameters<typeof RegionSection>[0] & { why: string }) {
  const { region } = props;
  return (
    <section
      aria-labelledby={`region-${region.regionId}`}
      data-testid={`region-${region.regionId}`}
      className="flex flex-wrap items-center justify-between gap-3 rounded-lg border border-slate-200 bg-white px-4 py-3 sm:px-5"
    >
      <p className="min-w-0 text-sm text-slate-700">
        <span id={`region-${region.regionId}`} role="heading" aria-level={2} className="font-semibold text-slate-900">
          {region.regionName} <span className="font-normal text-slate-600">{region.regionId}</span>
        </span>
        {" · "}
        <span data-testid={`phase-${region.regionId}`} title={phaseWords(region, props.rolloutId)}>
          <span data-testid={`standby-${region.regionId}`}>{props.why}</span>
        </span>
      </p>
      <RegionControls rolloutId={props.rolloutId} serviceId={props.serviceId} region={region} may={props.may} onDone={props.onChanged} />
    </section>
  );
}

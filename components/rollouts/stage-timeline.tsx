/**
 * A region's canary stages from 10 to 100 %: each with every metric it judges (its newest value and its limit;
 * CPU, memory and health too at the validation stage), how long it ran, how it ended, how many of
 * its samples were judged (inconclusive ones are never a pass), and who promoted it, with the reason.
 */
import type { RolloutView, SamplePoint } from "@/server/services/rollout-view";
import { formatDuration } from "./format";
import { stageMetricLines } from "./judged-metrics";
import { stageWords } from "./state-words";

type Region = RolloutView["regions"][number];
type Stage = Region["stages"][number];

/** "8 of 10 samples judged, 2 inconclusive", or null before the first sample. */
export function judgedWords(samples: Stage["samples"]): string | null {
  const total = samples.pass + samples.breach + samples.inconclusive;
  if (total === 0) return null;
  const judged = samples.pass + samples.breach;
  return `${judged} of ${total} sample${total === 1 ? "" : "s"} judged${samples.inconclusive > 0 ? `, ${samples.inconclusive} inconclusive` : ""}`;
}

/** "promoted by Sam: “hotfix for INC-4211”". */
export function promotionWords(promotion: NonNullable<Stage["promotion"]>): string {
  return `${promotion.validation ? "validation skipped" : "promoted"} by ${promotion.actorName}${promotion.reason ? `: “${promotion.reason}”` : ""}`;
}

function timeIn(stage: Stage, now: number | null): string | null {
  if (stage.startedAt === null) return null;
  const end = stage.finishedAt ?? now;
  return end === null ? "…" : formatDuration(end - stage.startedAt);
}

export function StageTimeline({ stages, region, now, points }: { stages: Stage[]; region: Region; now: number | null; points: SamplePoint[] }) {
  return (
    <ol aria-label="Canary stages" className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-5">
      {stages.map((stage) => {
        const look = stageWords(stage, region);
        const spent = timeIn(stage, now);
        return (
          <li key={stage.index} className={`flex flex-col gap-0.5 rounded-md border px-3 py-2 text-xs ${look.box}`}>
            <span className="flex items-baseline justify-between gap-2">
              <span className="text-base font-semibold tabular-nums">{stage.percent} %</span>
              <span className="font-medium">{look.words}</span>
            </span>
            <ul aria-label={`Judged at ${stage.percent} %`} data-testid={`stage-metrics-${region.regionId}-${stage.index}`} className="tabular-nums">
              {stageMetricLines(stage.judges, points, stage.index).map((line) => (
                <li key={line.metric} className={line.over ? "font-semibold break-words" : "break-words"}>
                  {line.text}
                </li>
              ))}
            </ul>
            <span className="tabular-nums">{spent ? `${spent} of ${formatDuration(stage.durationMs)}` : `${formatDuration(stage.durationMs)} planned`}</span>
            {judgedWords(stage.samples) ? (
              <span className={`tabular-nums ${stage.samples.inconclusive > 0 ? "font-medium text-amber-800" : ""}`}>{judgedWords(stage.samples)}</span>
            ) : null}
            {stage.promotion ? <span className="font-medium">{promotionWords(stage.promotion)}</span> : null}
          </li>
        );
      })}
    </ol>
  );
}

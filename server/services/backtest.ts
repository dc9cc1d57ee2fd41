/**
 * The threshold backtest: "would these thresholds have caught last Tuesday's incident, and how many false alarms
 * in the last 30 days?" A region's recorded metrics history (range queries at the analysis interval, the region's
 * own queries) is replayed through the engine's own `decide`, stage by stage: each window is judged as a live
 * sample of that stage would be (the thresholds, the confidence bounds, the tests against the old colour,
 * minRequests), and the machine's own counters decide when failureLimit breaches roll back and inconclusiveLimit
 * samples in a row hold. Nothing is written: a read for any role (viewer and above). docs/policies.md#threshold-backtest.
 */
import { z } from "zod";
import { formatCount, formatDuration, formatMeasure, formatTimestamp } from "@/lib/format";
import { regionSettings } from "@/server/config/load";
import { AnalysisConfig, RegionConfig } from "@/server/config/schema";
import { decide } from "@/server/engine/machine/decide";
import { analysisFromConfig, stagesFromConfig } from "@/server/engine/machine/from-config";
import { describeCause } from "@/server/engine/machine/messages";
import { stageSampleOf } from "@/server/engine/machine/sample-counts";
import type {
  AnalysisSpec,
  Assessment,
  CauseItem,
  Colour,
  Measurement,
  RegionRolloutState,
  StageSample,
  StageSpec,
  Verdict,
} from "@/server/engine/machine/types";
import type { HistorySample, MetricsProvider } from "@/server/providers/types";
import { parseInput, type ServiceContext } from "./context";
import { invalidInput, notFound, preconditionFailed } from "./errors";
import { regionIdOf } from "./region-name";
import { requireRead } from "./rollout-status";

export const BacktestInput = z.strictObject({
  regionId: z.string().min(1),
  /** ISO 8601 ("2026-12-01T14:00Z"; no zone reads as UTC) or relative to now ("-30d", "-6h", "-90m", "now"). */
  from: z.string().trim().min(1, { error: "give the start of the period, e.g. -30d or 2026-12-01T14:00Z" }),
  to: z.string().trim().min(1).default("now"),
  /** The colour whose history is judged as the canary; default: the service's live colour in the region. */
  colour: z.enum(["blue", "green"], { error: 'expected "blue" or "green"' }).optional(),
  serviceId: z.string().min(1).optional(),
  /** The bad period, when known: breaches outside it are false alarms, detection is timed from its start. */
  incidentFrom: z.string().trim().min(1).optional(),
  incidentTo: z.string().trim().min(1).optional(),
  /** Other thresholds to try (`flightdeck backtest --config`): the stages and analysis of that file for the region. */
  stages: RegionConfig.shape.stages,
  analysis: AnalysisConfig.optional(),
});
export type BacktestInput = z.input<typeof BacktestInput>;

/** Where the history comes from: the region's metrics provider (Prometheus), or null when it records none. */
export type HistorySource = (region: RegionConfig) => Pick<Required<MetricsProvider>, "history"> | null;

/** One replayed window of the colour (and of the other colour, the baseline), as the store recorded it. */
export type BacktestWindow = { from: number; to: number; canary: Measurement; baseline: Measurement | null };

export type BacktestRollback = { from: number; to: number; cause: CauseItem[]; words: string; falseAlarm: boolean };
export type BacktestHold = { at: number; reason: string };
/** A stretch of the period for the page's strip: the worst verdict in it, and whether it rolled back. */
export type BacktestBucket = { from: number; to: number; worst: Verdict | "none"; rolledBack: boolean };

export type StageBacktest = {
  index: number;
  percent: number;
  /** "error rate ≤ 1 %, p95 latency ≤ 500 ms". */
  limits: string;
  durationMs: number;
  windows: Record<Verdict, number>;
  /** The first window that breached (within the incident, when one is given). */
  firstBreach: { from: number; to: number; words: string } | null;
  rollbacks: BacktestRollback[];
  /** Where the stage would have paused: inconclusiveLimit samples in a row, or an environment problem. */
  holds: BacktestHold[];
  /** The first rollback within the incident (or the period), and how long after its start. */
  detection: { at: number; afterMs: number } | null;
  falseAlarms: number;
  strip: BacktestBucket[];
  summary: string;
};

export type BacktestReport = {
  regionId: string;
  serviceId: string;
  colour: Colour;
  /** The old colour the canary is compared with (null when the analysis does not compare). */
  baselineColour: Colour | null;
  from: number;
  to: number;
  intervalMs: number;
  windowCount: number;
  incident: { from: number; to: number } | null;
  /** Which thresholds: the server's config for the region, or the ones sent (`--config`). */
  thresholds: "config" | "given";
  stages: StageBacktest[];
  summary: string;
};

/** At 30 s, 100,000 windows are about 35 days; one range query asks for at most 10,000 points (Prometheus stops at 11,000). */
export const MAX_WINDOWS = 100_000;
const CHUNK_WINDOWS = 10_000;
const STRIP_BUCKETS = 96;
const YIELD_EVERY = 1000;

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const RELATIVE = /^(?:now\s*)?-\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d|w)$/i;
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** "now", "-30d", "now-6h", "-90m", or ISO 8601 (a date-time without a zone is UTC); null when it is none of these. */
export function parseBacktestTime(text: string, now: number): number | null {
  const t = text.trim();
  if (/^now$/i.test(t)) return now;
  const rel = RELATIVE.exec(t);
  if (rel) return now - Math.round(Number(rel[1]) * UNIT_MS[rel[2].toLowerCase()]);
  const iso = ISO.exec(t);
  if (!iso) return null;
  const zoned = t.length > 10 && !iso[1] ? `${t.replace(" ", "T")}Z` : t.replace(" ", "T");
  const ms = Date.parse(zoned);
  return Number.isFinite(ms) ? ms : null;
}

const TIME_HELP = "use ISO 8601 (2026-12-01T14:00Z) or a time relative to now (-30d, -6h, -90m, now)";

/** Replay a region's recorded history against its stages (or the ones given) and say what each would have done. */
export async function backtestRegion(ctx: ServiceContext, raw: BacktestInput, historyOf: HistorySource): Promise<BacktestReport> {
  const now = ctx.clock.now();
  requireRead(ctx);
  const input = parseInput(BacktestInput, raw);
  const regionId = regionIdOf(ctx.config, input.regionId);
  const region = ctx.config.regions.find((r) => r.id === regionId)!;
  const serviceId = input.serviceId ?? ctx.config.services[0]?.id;
  if (!serviceId || !ctx.config.services.some((s) => s.id === serviceId))
    throw notFound(`There is no service ${serviceId ?? "(none)"} in the fleet config (known: ${ctx.config.services.map((s) => s.id).join(", ")}).`);

  const time = (path: "from" | "to" | "incidentFrom" | "incidentTo", text: string) => {
    const at = parseBacktestTime(text, now);
    if (at === null) throw invalidInput([{ path, message: `${JSON.stringify(text)} is not a time: ${TIME_HELP}` }]);
    if (at > now + 1000) throw invalidInput([{ path, message: `${text} is in the future (now is ${formatTimestamp(now, "UTC")}); history ends now` }]);
    return at;
  };
  const from = time("from", input.from);
  const to = time("to", input.to);
  if (from >= to)
    throw invalidInput([{ path: "from", message: `${input.from} (${formatTimestamp(from, "UTC")}) is not before to (${formatTimestamp(to, "UTC")})` }]);
  const incident = input.incidentFrom
    ? { from: time("incidentFrom", input.incidentFrom), to: input.incidentTo ? time("incidentTo", input.incidentTo) : to }
    : null;
  if (!incident && input.incidentTo) throw invalidInput([{ path: "incidentFrom", message: "give the start of the incident too (incidentTo was given)" }]);
  if (incident && (incident.from < from || incident.from >= to))
    throw invalidInput([{ path: "incidentFrom", message: "the incident must start within the period (from … to)" }]);
  if (incident && incident.to <= incident.from) throw invalidInput([{ path: "incidentTo", message: "the incident must end after it starts" }]);

  const settings = regionSettings(ctx.config, region);
  const stages = stagesFromConfig(input.stages ?? settings.stages);
  const analysis = analysisFromConfig(input.analysis ?? settings.analysis);
  const windowCount = Math.floor((to - from) / analysis.intervalMs);
  if (windowCount < 1)
    throw invalidInput([{ path: "to", message: `the period is shorter than one analysis interval (${formatDuration(analysis.intervalMs)})` }]);
  if (windowCount > MAX_WINDOWS)
    throw invalidInput([
      {
        path: "from",
        message: `the period holds ${formatCount(windowCount)} windows of ${formatDuration(analysis.intervalMs)}; a backtest replays at most ${formatCount(MAX_WINDOWS)} (${periodWords(MAX_WINDOWS * analysis.intervalMs)} at this interval): shorten the period`,
      },
    ]);

  const source = historyOf(region);
  if (!source)
    throw preconditionFailed(
      `${region.id}'s metrics are ${region.metrics.provider}: there is no recorded history to replay. The backtest reads Prometheus (regions[].metrics.provider: prometheus).`,
    );
  const live = (await ctx.db.regions.liveInRegion(region.id)).find((row) => row.service.id === serviceId)?.state.liveColour ?? "blue";
  const colour: Colour = input.colour ?? live;
  const baselineColour: Colour | null = analysis.compareToBaseline ? (colour === "blue" ? "green" : "blue") : null;
  const read = async (c: Colour) => {
    try {
      return await historyInChunks(source, { region: region.id, colour: c, service: serviceId, from, to, stepMs: analysis.intervalMs });
    } catch (err) {
      throw preconditionFailed(`The metrics history of ${region.id} (${c}) could not be read: ${(err as Error).message}`);
    }
  };
  const [canary, baseline] = await Promise.all([read(colour), baselineColour ? read(baselineColour) : Promise.resolve(null)]);
  const baseAt = new Map((baseline ?? []).map((s) => [s.to, s.measurement]));
  const windows: BacktestWindow[] = canary.map((s) => ({
    from: s.from,
    to: s.to,
    canary: s.measurement,
    baseline: baselineColour ? (baseAt.get(s.to) ?? null) : null,
  }));

  const period = { from, to, incident };
  const results: StageBacktest[] = [];
  for (const stage of stages) {
    const replay = await replayStage({
      regionId: region.id,
      stages,
      index: stage.index,
      analysis,
      windows,
      colour,
      oldColour: baselineColour ?? other(colour),
    });
    results.push(stageReport(stage, period, replay, windows));
  }
  return {
    regionId: region.id,
    serviceId,
    colour,
    baselineColour,
    from,
    to,
    intervalMs: analysis.intervalMs,
    windowCount: windows.length,
    incident,
    thresholds: input.stages || input.analysis ? "given" : "config",
    stages: results,
    summary: windows.every((w) => w.canary.requests === null)
      ? `Prometheus holds no request count for ${colour} of ${serviceId} in ${region.id} over the period, so every window is inconclusive: check the region's queries (regions[].metrics.queries) and the labels service, region and colour.`
      : overallSummary(results, period),
  };
}

const other = (c: Colour): Colour => (c === "blue" ? "green" : "blue");

/** The provider's history, at most CHUNK_WINDOWS windows per call, so no range query asks for too many points. */
async function historyInChunks(
  source: Pick<Required<MetricsProvider>, "history">,
  q: { region: string; colour: Colour; service: string; from: number; to: number; stepMs: number },
): Promise<HistorySample[]> {
  const out: HistorySample[] = [];
  for (let start = q.from; start + q.stepMs <= q.to; start += CHUNK_WINDOWS * q.stepMs) {
    out.push(...(await source.history({ ...q, from: start, to: Math.min(q.to, start + CHUNK_WINDOWS * q.stepMs) })));
  }
  return out;
}

/** Per window its verdict (in the windows' order), the breaching windows, the rollbacks and the holds. */
export type StageReplay = {
  verdicts: Verdict[];
  breaches: Array<{ from: number; to: number; words: string }>;
  rollbacks: Array<Omit<BacktestRollback, "falseAlarm">>;
  holds: BacktestHold[];
};

/**
 * One stage's thresholds over every window, as the engine would judge them: the stage runs back to back for
 * its duration (its breaches, inconclusive run and error-rate counts start afresh each run, as a new stage's do),
 * each window is handed to `decide` as the observation of a live sample, and what it answers is read: a rollback,
 * a pause (a hold), or the counters to carry on with. After a rollback or a hold the stage starts again.
 */
export async function replayStage(input: {
  regionId: string;
  stages: StageSpec[];
  index: number;
  analysis: AnalysisSpec;
  windows: readonly BacktestWindow[];
  colour: Colour;
  oldColour: Colour;
}): Promise<StageReplay> {
  const { stages, index, analysis, colour, oldColour } = input;
  const stage = stages[index];
  const fresh = (start: number): RegionRolloutState => ({
    id: "backtest",
    regionId: input.regionId,
    position: 0,
    phase: "canary",
    paused: false,
    pauseReason: null,
    stageIndex: index,
    stageStartedAt: start,
    deadlineAt: start + stage.durationMs,
    pausedRemainingMs: null,
    canaryPct: stage.percent,
    fromColour: oldColour,
    toColour: colour,
    breaches: 0,
    inconclusive: 0,
    lastSampleAt: null,
    lastVerdict: null,
    requestedAction: null,
    requestedBy: null,
    cause: null,
    outcomeReason: null,
    attempt: 1,
    startedAt: start,
    finishedAt: null,
  });
  const out: StageReplay = { verdicts: [], breaches: [], rollbacks: [], holds: [] };
  let state: RegionRolloutState | null = null;
  let samples: StageSample[] = [];
  for (const [i, w] of input.windows.entries()) {
    // About 0.1 ms a window: a month of them would hold the server's event loop (and the engine beside it) for seconds.
    if (i > 0 && i % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
    if (!state || w.from >= (state.stageStartedAt ?? 0) + stage.durationMs) {
      state = fresh(w.from);
      samples = [];
    }
    const observation = { from: w.from, to: w.to, canary: w.canary, baseline: w.baseline };
    const action = decide({
      now: w.to,
      state,
      stages,
      analysis,
      strategy: "sequential",
      delayMs: 0,
      upstream: null,
      gate: { required: null, approvals: [] },
      observation,
      stageSamples: samples,
    });
    const assessment: Assessment | undefined = action.kind === "transition" || action.kind === "effect" ? action.assessment : undefined;
    if (!assessment) throw new Error(`the machine did not judge the window ending ${w.to} (it answered ${action.kind})`);
    out.verdicts.push(assessment.verdict);
    samples.push(stageSampleOf(observation, assessment));
    const words = assessment.verdict === "breach" ? describeCause(assessment.cause, stage, oldColour) : "";
    if (assessment.verdict === "breach") out.breaches.push({ from: w.from, to: w.to, words });
    if (action.kind === "effect") {
      if (action.effect.kind !== "setWeight" || action.effect.reason !== "rollback")
        throw new Error(`the machine answered an unexpected ${action.effect.kind} to a judged window`);
      out.rollbacks.push({ from: w.from, to: w.to, cause: assessment.cause, words });
      state = null;
    } else if (action.kind === "transition" && action.transition.patch.paused) {
      out.holds.push({ at: w.to, reason: action.transition.patch.pauseReason ?? "paused" });
      state = null;
    } else if (action.kind === "transition") {
      state = { ...state, ...action.transition.patch };
    }
  }
  return out;
}

type Period = { from: number; to: number; incident: { from: number; to: number } | null };

const overlaps = (w: { from: number; to: number }, p: { from: number; to: number }) => w.to > p.from && w.from < p.to;

function limitsOf(stage: StageSpec): string {
  const parts = [`error rate ≤ ${formatMeasure(stage.maxErrorRatePct, "%")}`, `p95 latency ≤ ${formatMeasure(stage.maxLatencyP95Ms, "ms")}`];
  if (stage.maxCpuPct != null) parts.push(`CPU < ${formatMeasure(stage.maxCpuPct, "%")}`);
  if (stage.maxMemoryPct != null) parts.push(`memory < ${formatMeasure(stage.maxMemoryPct, "%")}`);
  if (stage.healthStatus != null) parts.push(`health ${stage.healthStatus}`);
  return parts.join(", ");
}

/** What one stage's replay means for a person: first breach, detection, false alarms, and a line that says it. */
export function stageReport(stage: StageSpec, period: Period, replay: StageReplay, windows: readonly BacktestWindow[]): StageBacktest {
  const counts: Record<Verdict, number> = { pass: 0, breach: 0, inconclusive: 0 };
  for (const v of replay.verdicts) counts[v] += 1;
  const scope = period.incident ?? period;
  const rollbacks = replay.rollbacks.map((r) => ({ ...r, falseAlarm: period.incident !== null && !overlaps(r, period.incident) }));
  const caught = rollbacks.find((r) => overlaps(r, scope));
  const detection = caught ? { at: caught.to, afterMs: caught.to - scope.from } : null;
  const falseAlarms = rollbacks.filter((r) => r.falseAlarm).length;
  return {
    index: stage.index,
    percent: stage.percent,
    limits: limitsOf(stage),
    durationMs: stage.durationMs,
    windows: counts,
    firstBreach: replay.breaches.find((b) => overlaps(b, scope)) ?? null,
    rollbacks,
    holds: replay.holds,
    detection,
    falseAlarms,
    strip: stripOf(replay, windows, period),
    summary: stageSummary(stage, period, counts, rollbacks, detection, falseAlarms, replay.holds.length),
  };
}

const WORST: Record<Verdict | "none", number> = { none: 0, pass: 1, inconclusive: 2, breach: 3 };

/** The period in STRIP_BUCKETS equal stretches, each with its worst verdict and whether a rollback ended in it. */
function stripOf(replay: StageReplay, windows: readonly BacktestWindow[], period: Period): BacktestBucket[] {
  const width = (period.to - period.from) / STRIP_BUCKETS;
  const buckets: BacktestBucket[] = Array.from({ length: STRIP_BUCKETS }, (_, i) => ({
    from: Math.round(period.from + i * width),
    to: Math.round(period.from + (i + 1) * width),
    worst: "none",
    rolledBack: false,
  }));
  const bucketOf = (at: number) => buckets[Math.min(STRIP_BUCKETS - 1, Math.max(0, Math.floor((at - period.from - 1) / width)))];
  windows.forEach((w, i) => {
    const b = bucketOf(w.to);
    const v = replay.verdicts[i];
    if (v && WORST[v] > WORST[b.worst]) b.worst = v;
  });
  for (const r of replay.rollbacks) bucketOf(r.to).rolledBack = true;
  return buckets;
}

/** "30 days", or "6 h" for less than two days. */
function periodWords(ms: number): string {
  const days = ms / 86_400_000;
  return days >= 2 ? `${formatCount(Math.round(days))} days` : formatDuration(ms);
}

const times = (n: number) => (n === 1 ? "once" : `${formatCount(n)} times`);

function stageSummary(
  stage: StageSpec,
  period: Period,
  counts: Record<Verdict, number>,
  rollbacks: BacktestRollback[],
  detection: StageBacktest["detection"],
  falseAlarms: number,
  holds: number,
): string {
  const span = `in the ${periodWords(period.to - period.from)}`;
  const held = holds > 0 ? `; would have held ${times(holds)} for want of a verdict` : "";
  if (period.incident) {
    const alarms = `${formatCount(falseAlarms)} false alarm${falseAlarms === 1 ? "" : "s"} ${span}`;
    if (detection) return `would have rolled back at ${stage.percent} % after ${formatDuration(detection.afterMs)}; ${alarms}${held}`;
    return `would not have rolled back at ${stage.percent} % during the incident; ${alarms}${held}`;
  }
  if (rollbacks.length === 0)
    return `would not have rolled back at ${stage.percent} % ${span} (${formatCount(counts.breach)} breaching, ${formatCount(counts.inconclusive)} inconclusive windows)${held}`;
  const first = rollbacks[0];
  return `would have rolled back at ${stage.percent} % ${times(rollbacks.length)} ${span}, first after ${formatDuration(first.to - period.from)} (${formatTimestamp(first.to, "UTC")})${held}`;
}

/** One line over every stage: which caught the incident and how fast, the false alarms; or how often any rolled back. */
function overallSummary(stages: StageBacktest[], period: Period): string {
  const span = `in the ${periodWords(period.to - period.from)}`;
  const alarms = stages.filter((s) => s.falseAlarms > 0).map((s) => `${formatCount(s.falseAlarms)} at ${s.percent} %`);
  const falseAlarms = stages.reduce((n, s) => n + s.falseAlarms, 0);
  if (period.incident) {
    const caught = stages.filter((s) => s.detection);
    const alarmWords = `${formatCount(falseAlarms)} false alarm${falseAlarms === 1 ? "" : "s"} ${span}${alarms.length ? ` (${alarms.join(", ")})` : ""}`;
    const of = `${stages.length} stage${stages.length === 1 ? "" : "s"}`;
    if (caught.length === 0) return `Not caught at ${stages.length === 1 ? "its one stage" : `any of the ${of}`}; ${alarmWords}.`;
    const fastest = caught.reduce((a, b) => (b.detection!.afterMs < a.detection!.afterMs ? b : a));
    return `Caught at ${caught.length} of ${of}, fastest at ${fastest.percent} % after ${formatDuration(fastest.detection!.afterMs)}; ${alarmWords}.`;
  }
  const rolled = stages.filter((s) => s.rollbacks.length > 0);
  if (rolled.length === 0) return `No stage would have rolled back ${span}.`;
  const list = rolled.map((s) => `${times(s.rollbacks.length)} at ${s.percent} %`).join(", ");
  return `Would have rolled back ${span}: ${list}. Give the bad period (incident) to tell a caught incident from a false alarm.`;
}

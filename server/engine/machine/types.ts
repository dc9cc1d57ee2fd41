/**
 * The contract between the pure machine (decides) and the runner (observes, acts, persists).
 * No I/O and no clock here: `now` always comes in as an argument.
 *
 * One reconcile pass of a region rollout: the runner loads its state, calls `decide`, carries out the one
 * action it gets back, persists the result in one transaction, and calls `decide` again until it gets `wait`.
 */
import type { RegionPhase } from "@/db/schema/region-rollouts";
import type { Colour } from "@/db/schema/region-states";
import type { Strategy } from "@/db/schema/rollouts";
import type { Verdict } from "@/db/schema/samples";
import type { ActiveFreeze } from "./freeze";

export type { RegionPhase, Colour, Strategy, Verdict };

export const TERMINAL_PHASES: readonly RegionPhase[] = ["succeeded", "rolled_back", "blocked", "aborted"];

export type StageSpec = {
  index: number;
  percent: number;
  maxErrorRatePct: number;
  maxLatencyP95Ms: number;
  durationMs: number;
  /** Validation checks (the 100 % stage by default): CPU < 70 %, memory < 70 %, health 200. */
  maxCpuPct?: number | null;
  maxMemoryPct?: number | null;
  healthStatus?: number | null;
};

export type AnalysisSpec = {
  intervalMs: number;
  /** Breaches in a stage that roll the region back (1 = the first). */
  failureLimit: number;
  /** Inconclusive samples in a row after which the stage pauses and alerts. */
  inconclusiveLimit: number;
  /** Fewer requests than this in a window: its p95 is not judged, nor its observed error rate (bounds still are). */
  minRequests: number;
  /** Share of a stage's expected samples (duration / interval) that must be judged (pass or breach) for it to pass. */
  minJudgedFraction: number;
  /** How long a stage may run past its duration for want of judged samples, as a multiple of that duration. */
  maxExtensionFactor: number;
  /** One-sided confidence of the error-rate bounds and of the baseline tests (0.95: p < 0.05). */
  confidence: number;
  /** `bound`: the error rate passes on the stage's upper bound only; `observed`: also on its observed rate over minRequests. */
  errorRatePass: "bound" | "observed";
  /** Judge the canary against the old colour too (when the old colour has traffic). */
  compareToBaseline: boolean;
  /** Percentage points the canary's error rate may exceed the baseline's before a significant excess fails it. */
  maxErrorRateIncreasePct: number;
  /** Percent the canary's p95s may exceed the baseline's before a significant excess fails it. */
  maxLatencyIncreasePct: number;
};

/** What the metrics provider saw of one colour over a window. null = no data for that metric. */
export type Measurement = {
  requests: number | null;
  /** Failed requests, when the provider counts them; otherwise round(requests × errorRatePct / 100). */
  errors?: number | null;
  errorRatePct: number | null;
  latencyP95Ms: number | null;
  cpuPct?: number | null;
  memoryPct?: number | null;
  healthStatus?: number | null;
};

export type Observation = {
  from: number;
  to: number;
  canary: Measurement;
  baseline: Measurement | null;
  /** Why the new colour's metrics could not be read (the store is down, or answered garbage): no data, and the sample says why. */
  metricsError?: string | null;
};

export type MetricName = "error_rate" | "latency_p95" | "cpu" | "memory" | "health";

/** Why a sample could not be judged: the counts the coverage alert gives. */
/** `undecided`: the data was there but the stage so far holds too few requests to bound the error rate. */
export type GapKind = "no_data" | "few_requests" | "undecided" | "metrics_error";

/** What one colour showed in one earlier sample of the stage: what the stage's verdict accumulates. */
export type SampleCounts = { requests: number | null; errors: number | null; latencyP95Ms: number | null };

/** One earlier sample of the current stage, as stored (see samples.judgement). */
export type StageSample = { takenAt: number; verdict: Verdict; gaps: GapKind[]; canary: SampleCounts; baseline: SampleCounts | null };

/**
 * How a breach was established, for the words and to re-derive the verdict later:
 * - `limit`: the observed value is over the limit (with enough requests for an error rate or p95);
 * - `bound`: the error rate's one-sided lower confidence bound is over the limit, on `requests` and `errors`
 *   of the window (`scope: "sample"`) or of the stage so far (`scope: "stage"`);
 * - `baseline`: significantly worse than the old colour by more than the allowed margin (`pValue`, `effect`).
 */
export type CauseTest =
  | { kind: "limit"; scope: "sample" | "stage"; requests?: number; errors?: number }
  | { kind: "bound"; scope: "sample" | "stage"; requests: number; errors: number; lowerPct: number; confidence: number }
  | {
      kind: "baseline";
      test: "two-proportion" | "mann-whitney";
      pValue: number;
      effect: number;
      margin: number;
      samples?: { canary: number; baseline: number };
    };
/** One metric that truly breached: observed vs threshold, and whether the old colour shows the same. */
export type CauseItem = {
  metric: MetricName;
  observed: number;
  threshold: number;
  unit: "%" | "ms" | "status";
  baseline: number | null;
  /** The old colour breaches the same threshold: the release may not be the cause. */
  baselineAlsoBreaches: boolean;
  /** How the breach was established (absent on causes stored before it was recorded). */
  test?: CauseTest;
  /** The same metric also significantly worse than the old colour's (a `baseline` test), when it was. */
  versus?: Extract<CauseTest, { kind: "baseline" }>;
};

export type Assessment = {
  verdict: Verdict;
  /** Breached metrics: empty unless the verdict is breach, or an environment problem (inconclusive, judgement.environment). */
  cause: CauseItem[];
  /** Words for the event log: why pass / breach / inconclusive. */
  reasons: string[];
  /** The figures behind the verdict (stored with the sample). */
  judgement?: Judgement;
};

/** The figures behind a sample's verdict, stored with it so the verdict can be re-derived (samples.judgement). */
export type Judgement = {
  confidence: number;
  /** The canary's error rate over the window and over the stage so far (this sample included). */
  errorRate: Array<{ scope: "sample" | "stage"; requests: number; errors: number; ratePct: number; lowerPct: number; upperPct: number }>;
  baseline: {
    errorRate?: { requests: number; errors: number; ratePct: number; differencePts: number; pValue: number };
    latency?: { canaryMedianMs: number; baselineMedianMs: number; increasePct: number; pValue: number; samples: { canary: number; baseline: number } };
    skipped?: string;
  } | null;
  gaps: GapKind[];
  /** Both colours breach the same limits and the canary is not significantly worse: not the release's fault. */
  environment: boolean;
};

export type RegionRolloutState = {
  id: string;
  regionId: string;
  position: number;
  phase: RegionPhase;
  paused: boolean;
  pauseReason: string | null;
  stageIndex: number; // -1 before the first stage
  stageStartedAt: number | null;
  deadlineAt: number | null;
  pausedRemainingMs: number | null;
  canaryPct: number;
  fromColour: Colour;
  toColour: Colour;
  breaches: number;
  inconclusive: number;
  lastSampleAt: number | null;
  lastVerdict: Verdict | null;
  requestedAction: "abort" | "rollback" | null;
  requestedBy: string | null;
  cause: CauseItem[] | null;
  outcomeReason: string | null;
  attempt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** How far the current stage ran past its duration for want of judged samples (ms); a resume starts it again. */
  extendedMs?: number;
  /** When a person promoted the current stage: it completes on its last passing sample, coverage waived. */
  promotedAt?: number | null;
  /** Failed tries of the move of all traffic back to the old colour (absent or 0: none failed). It is retried until verified. */
  rollbackAttempts?: number;
  rollbackNextAt?: number | null;
  rollbackLastError?: string | null;
  rollbackFirstFailedAt?: number | null;
  rollbackLastAlertAt?: number | null;
  /** Set on a region that succeeded under the delayed strategy with regions after it: sampled until then. */
  observeUntil?: number | null;
  /** Since when the region holds for a freeze before its next step (absent or null: not holding). */
  freezeHeldAt?: number | null;
};

/** The region before this one in a sequential or delayed plan; null for the first region and in parallel. */
export type Upstream = { regionId: string; phase: RegionPhase; finishedAt: number | null; observeUntil?: number | null } | null;

export type ApprovalRecord = { reviewerId: string; kind: "functional" | "sre"; decision: "approved" | "rejected"; comment?: string | null };
export type Gate = { required: { functional: number; sre: number } | null; approvals: ApprovalRecord[] };

export type DecideInput = {
  now: number;
  state: RegionRolloutState;
  stages: StageSpec[];
  analysis: AnalysisSpec;
  strategy: Strategy;
  delayMs: number;
  upstream: Upstream;
  gate: Gate;
  /** Whether a region comes after this one in the plan (a delayed strategy observes a region only then). */
  hasDownstream?: boolean;
  /** Present when the previous decision asked for an observation and the runner made it. */
  observation?: Observation;
  /** The current stage's samples judged so far, oldest first (the runner's store loads them; absent: none). */
  stageSamples?: StageSample[];
  /** The freeze this region is under now (./freeze.ts, worked out by the runner each pass); absent or null: none. */
  freeze?: ActiveFreeze | null;
};

/** One event of a transition: see ./events.ts (the union of every event and its data). */
export type { EventDraft } from "./events";
import type { EventDraft } from "./events";

export type Effect = { kind: "deploy"; colour: Colour } | { kind: "setWeight"; colour: Colour; canaryPct: number; reason: "stage" | "rollback" | "abort" };

/** A state change and its events, saved in one transaction. */
export type Transition = { patch: Partial<RegionRolloutState>; events: EventDraft[] };

/** What a deploy verified on the colour: the digest always; the health check only when one is configured and ran. */
export type DeployVerification = { digest: string; health: { url: string; status: number } | null };
/** What a verified effect reports back (the deploy's verification; nothing for a traffic move). */
export type EffectResult = { deploy?: DeployVerification };

export type Action =
  /** Nothing to do until `until` (or until a command wakes the region rollout). */
  | { kind: "wait"; until: number | null }
  /** Measure the canary (and baseline) colour over [from, to], then call decide again with `observation`. */
  | { kind: "observe"; from: number; to: number }
  /** A pure state change (approval granted, blocked, stage passed with no traffic move...). */
  | { kind: "transition"; transition: Transition; assessment?: Assessment }
  /**
   * An effect under a stable step key (`<regionRolloutId>/a<attempt>/<what>`). Done only when the provider
   * verified it (a weight read back). `onSuccess` (or `onSuccess(result)`, for words that say what the provider
   * verified) is saved with the step's result; `onFailure(message)` otherwise.
   */
  | {
      kind: "effect";
      stepKey: string;
      effect: Effect;
      onSuccess: Transition | ((result: EffectResult) => Transition);
      onFailure: (message: string) => Transition;
      assessment?: Assessment;
    };

/** Manual actions. Each returns a Transition (saved with an event naming the actor) or a refusal in words. */
export type Command =
  | { kind: "pause"; actor: string; reason?: string }
  | { kind: "resume"; actor: string }
  /** `reason` and the `sre` role are required to skip the validation stage at 100 % (the last stage). */
  | { kind: "promote"; actor: string; reason?: string; sre?: boolean }
  | { kind: "abort"; actor: string }
  | { kind: "retry"; actor: string }
  | { kind: "rollback"; actor: string };

/** A refusal with `code: "forbidden"` is about who asked (a role), not about the region's state. */
export type CommandResult = { ok: true; transition: Transition } | { ok: false; reason: string; code?: "forbidden" };

/** A planned rollout: regions in order with when each may start relative to the start, and the expected end. */
export type PlanInput = {
  strategy: Strategy;
  regions: Array<{ id: string; name: string; order: number; stages: StageSpec[]; deployMs: number; needsApproval: boolean }>;
  delayMinutes?: number | null;
};
export type PlannedRegion = { regionId: string; position: number; expectedStartMs: number; expectedEndMs: number };
export type Plan = { strategy: Strategy; delayMs: number; regions: PlannedRegion[]; expectedDurationMs: number };

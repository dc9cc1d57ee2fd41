/** Builders for the machine's tests: a region rollout in a given phase, a decide input, measurements. */
import { DEFAULT_STAGES } from "@/server/config/schema";
import { stagesFromConfig } from "./from-config";
import { successOf } from "./patches";
import type { Action, AnalysisSpec, DecideInput, GapKind, Measurement, Observation, RegionRolloutState, StageSample, Transition, Verdict } from "./types";

export const MIN = 60_000;
export const T0 = Date.UTC(2025, 10, 15, 9, 0, 0);

export const STAGES = stagesFromConfig(DEFAULT_STAGES);
export const ANALYSIS: AnalysisSpec = {
  intervalMs: 30_000,
  failureLimit: 1,
  inconclusiveLimit: 3,
  minRequests: 20,
  minJudgedFraction: 0.8,
  maxExtensionFactor: 1,
  confidence: 0.95,
  errorRatePass: "bound",
  compareToBaseline: true,
  maxErrorRateIncreasePct: 0.5,
  maxLatencyIncreasePct: 20,
};

export function regionState(overrides: Partial<RegionRolloutState> = {}): RegionRolloutState {
  return {
    id: "rr_eu",
    regionId: "eu-west",
    position: 1,
    phase: "pending",
    paused: false,
    pauseReason: null,
    stageIndex: -1,
    stageStartedAt: null,
    deadlineAt: null,
    pausedRemainingMs: null,
    canaryPct: 0,
    fromColour: "blue",
    toColour: "green",
    breaches: 0,
    inconclusive: 0,
    lastSampleAt: null,
    lastVerdict: null,
    requestedAction: null,
    requestedBy: null,
    cause: null,
    outcomeReason: null,
    attempt: 1,
    startedAt: null,
    finishedAt: null,
    ...overrides,
  };
}

/** A region in the canary, `minutesIn` minutes into stage `stageIndex`, its last sample at `lastSampleAt`. */
export function inStage(stageIndex: number, overrides: Partial<RegionRolloutState> = {}, now = T0): RegionRolloutState {
  const stage = STAGES[stageIndex];
  return regionState({
    phase: "canary",
    startedAt: T0 - 10 * MIN,
    stageIndex,
    stageStartedAt: now,
    deadlineAt: now + stage.durationMs,
    canaryPct: stage.percent,
    ...overrides,
  });
}

export function decideInput(overrides: Partial<DecideInput> = {}): DecideInput {
  return {
    now: T0,
    state: regionState(),
    stages: STAGES,
    analysis: ANALYSIS,
    strategy: "sequential",
    delayMs: 0,
    upstream: null,
    gate: { required: null, approvals: [] },
    ...overrides,
  };
}

/** Comfortably inside every default threshold, with traffic enough to bound even the 0.2 % error rate at once. */
export function healthy(overrides: Partial<Measurement> = {}): Measurement {
  return { requests: 5000, errorRatePct: 0.05, latencyP95Ms: 180, cpuPct: 35, memoryPct: 40, healthStatus: 200, ...overrides };
}

export function observation(from: number, to: number, canary: Measurement = healthy(), baseline: Measurement | null = healthy()): Observation {
  return { from, to, canary, baseline };
}

/** `count` samples of a stage that started at `start`, one per interval, as the store loads them back. */
export function stageSamples(count: number, verdict: Verdict = "pass", start = T0, gaps: GapKind[] = []): StageSample[] {
  const counts = { requests: 5000, errors: 3, latencyP95Ms: 180 };
  return Array.from({ length: count }, (_, i) => ({ takenAt: start + (i + 1) * ANALYSIS.intervalMs, verdict, gaps, canary: counts, baseline: counts }));
}

/** The transition of an action, or of an effect's success or failure; fails the test on any other kind. */
export function transitionOf(action: Action, outcome: "success" | { failure: string } = "success"): Transition {
  if (action.kind === "transition") return action.transition;
  if (action.kind === "effect") return outcome === "success" ? successOf(action) : action.onFailure(outcome.failure);
  throw new Error(`expected a transition or an effect, got ${JSON.stringify(action)}`);
}

export function eventTypes(t: Transition): string[] {
  return t.events.map((e) => e.type);
}

export function apply(state: RegionRolloutState, t: Transition): RegionRolloutState {
  return { ...state, ...t.patch };
}

/**
 * A fake runner for the machine's loop tests: drives decide() for several regions in virtual time, carries out
 * effects at once (or fails the ones asked), measures with a function, and records what happened.
 */
import { decide } from "./decide";
import { successOf } from "./patches";
import { stageSampleOf } from "./sample-counts";
import { ANALYSIS, healthy, STAGES } from "./test-fixtures";
import type { Action, AnalysisSpec, Gate, Measurement, Observation, RegionRolloutState, StageSample, Strategy, Upstream } from "./types";

export type FakeRegion = {
  state: RegionRolloutState;
  gate?: Gate;
  /** What the new colour shows over a window; healthy by default. */
  measure?: (state: RegionRolloutState) => Measurement;
  /** What the old colour shows over a window; healthy by default. */
  measureBaseline?: (state: RegionRolloutState) => Measurement;
  /** A failure message for a step key, or null to succeed. */
  failStep?: (stepKey: string) => string | null;
};

export type RunResult = { states: RegionRolloutState[]; trace: Array<{ at: number; regionId: string; label: string }>; end: number };

const NO_GATE: Gate = { required: null, approvals: [] };

function labelOf(action: Action, failed: boolean): string {
  if (action.kind === "effect") return `${action.stepKey}${failed ? " (failed)" : ""}`;
  if (action.kind === "transition" && action.assessment) return `sample ${action.assessment.verdict}`;
  if (action.kind === "transition") return action.transition.events.map((e) => e.type).join(", ");
  return action.kind;
}

export function runRollout(opts: {
  strategy: Strategy;
  delayMs?: number;
  regions: FakeRegion[];
  start: number;
  maxSteps?: number;
  analysis?: AnalysisSpec;
}): RunResult {
  // Each region keeps its judged samples, as the runner's store loads them for the machine.
  const regions = opts.regions.map((r) => ({ ...r, state: { ...r.state }, samples: [] as StageSample[] }));
  const trace: RunResult["trace"] = [];
  let now = opts.start;
  let steps = 0;
  const upstreamOf = (i: number): Upstream => {
    if (opts.strategy === "parallel" || i === 0) return null;
    const up = regions[i - 1].state;
    return { regionId: up.regionId, phase: up.phase, finishedAt: up.finishedAt };
  };

  for (;;) {
    let changed = false;
    const wakeUps: number[] = [];
    regions.forEach((region, i) => {
      let observation: Observation | undefined;
      for (;;) {
        if (++steps > (opts.maxSteps ?? 100_000)) throw new Error(`no end after ${steps} steps at ${now}`);
        const action = decide({
          now,
          state: region.state,
          stages: STAGES,
          analysis: opts.analysis ?? ANALYSIS,
          strategy: opts.strategy,
          delayMs: opts.delayMs ?? 0,
          upstream: upstreamOf(i),
          gate: region.gate ?? NO_GATE,
          observation,
          stageSamples: region.samples,
        });
        const judgedOn = observation;
        observation = undefined;
        if (action.kind === "wait") {
          if (action.until !== null) wakeUps.push(action.until);
          return;
        }
        changed = true;
        if (action.kind === "observe") {
          observation = {
            from: action.from,
            to: action.to,
            canary: (region.measure ?? (() => healthy()))(region.state),
            baseline: (region.measureBaseline ?? (() => healthy()))(region.state),
          };
          continue;
        }
        const failure = action.kind === "effect" ? (region.failStep?.(action.stepKey) ?? null) : null;
        const t = action.kind === "transition" ? action.transition : failure === null ? successOf(action) : action.onFailure(failure);
        region.state = { ...region.state, ...t.patch };
        if (judgedOn && action.assessment) region.samples.push(stageSampleOf(judgedOn, action.assessment));
        trace.push({ at: now, regionId: region.state.regionId, label: labelOf(action, failure !== null) });
      }
    });
    if (changed) continue;
    if (wakeUps.length === 0) return { states: regions.map((r) => r.state), trace, end: now };
    now = Math.min(...wakeUps);
  }
}

/** The trace of one region with runs of the same label folded: "sample pass ×10". */
export function foldedTrace(result: RunResult, regionId: string): string[] {
  const labels = result.trace.filter((t) => t.regionId === regionId).map((t) => t.label);
  const folded: Array<{ label: string; count: number }> = [];
  for (const label of labels) {
    const last = folded[folded.length - 1];
    if (last && last.label === label) last.count += 1;
    else folded.push({ label, count: 1 });
  }
  return folded.map((f) => (f.count > 1 ? `${f.label} ×${f.count}` : f.label));
}

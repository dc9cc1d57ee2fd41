/**
 * The next step of one region rollout, from its stored state, the clock and (when asked for) an observation.
 * Pure: the runner carries out the one action returned, saves the result, and asks again until `wait`.
 *
 * pending → awaiting_approval (only with a gate) → deploying → canary (stage 0..n-1) → succeeded,
 * or rolled_back | blocked | aborted. Phase `canary` with stageIndex -1 means "deployed, no traffic yet":
 * the deploy step's success is what moves a region into canary, so no extra column records it.
 */
import { decideCanary } from "./decide-canary";
import { decideObservation, observationStart } from "./decide-observation";
import { describeRequirement, gateRequired, gateStatus } from "./gate";
import { formatDuration, joinWords } from "./messages";
import { event, pausePatch, SETTLED, transition, WAIT_FOR_COMMAND, waitUntil } from "./patches";
import { carryOutRequest, retryMoveBack } from "./requested-actions";
import { failedRollbackTries } from "./rollback-retry";
import { holdForFreeze, releaseFromFreeze } from "./freeze-hold";
import { TERMINAL_PHASES, type Action, type DecideInput, type EffectResult, type RegionPhase } from "./types";

const FAILED_UPSTREAM: readonly RegionPhase[] = ["rolled_back", "blocked", "aborted"];

export function decide(input: DecideInput): Action {
  const { state } = input;
  // A move back to the old colour that failed is tried again before anything else, paused or not.
  if (failedRollbackTries(state) > 0) return retryMoveBack(input);
  // A person's abort or emergency rollback is carried out even when the region is paused.
  if (state.requestedAction !== null) return carryOutRequest(input);
  // A region that held for a freeze now over says so before it goes on.
  const released = releaseFromFreeze(input);
  if (released) return released;
  if (state.phase === "succeeded" && state.observeUntil != null) return decideObservation(input);
  if (state.phase === "pending") {
    const blocked = blockIfUpstreamFailed(input);
    if (blocked) return blocked;
  }
  if (TERMINAL_PHASES.includes(state.phase) || state.paused) return WAIT_FOR_COMMAND;
  switch (state.phase) {
    case "pending":
      return decidePending(input);
    case "awaiting_approval":
      return decideApproval(input);
    case "deploying":
      return decideDeploy(input);
    case "canary":
      return withObservationPeriod(input, decideCanary(input));
    default:
      return WAIT_FOR_COMMAND;
  }
}

/** In parallel every region is independent, whatever the runner passes as upstream. */
function upstreamOf(input: DecideInput) {
  return input.strategy === "parallel" ? null : input.upstream;
}

/** The chain stops: a region not yet started never starts after its upstream failed. */
function blockIfUpstreamFailed(input: DecideInput): Action | null {
  const upstream = upstreamOf(input);
  if (!upstream || !FAILED_UPSTREAM.includes(upstream.phase)) return null;
  const { state, now } = input;
  const what = upstream.phase.replace("_", " ");
  const reason = `blocked because ${upstream.regionId} was ${what}`;
  return {
    kind: "transition",
    transition: transition({ ...SETTLED, phase: "blocked", finishedAt: now, outcomeReason: reason }, [
      event("region.blocked", `${state.regionId} will not start: ${upstream.regionId} was ${what}, so the chain stops here.`, {
        upstream: upstream.regionId,
        upstreamPhase: upstream.phase,
      }),
    ]),
  };
}

/** A region that succeeds under the delayed strategy, with regions after it, is observed before they start. */
function withObservationPeriod(input: DecideInput, action: Action): Action {
  const start = action.kind === "transition" && action.transition.patch.phase === "succeeded" ? observationStart(input) : null;
  if (!start || action.kind !== "transition") return action;
  const { state, delayMs } = input;
  return {
    ...action,
    transition: transition({ ...action.transition.patch, ...start }, [
      ...action.transition.events,
      event(
        "region.observing_started",
        `${state.regionId} stays under observation for ${formatDuration(delayMs)}: sampled against the thresholds of its ${input.stages[input.stages.length - 1]?.percent ?? 100} % stage, rolled back to its previous release on a breach.`,
        {
          until: start.observeUntil,
          delayMs,
        },
      ),
    ]),
  };
}

function decidePending(input: DecideInput): Action {
  const { state, now } = input;
  const upstream = upstreamOf(input);
  if (!upstream) return start(input);
  if (upstream.phase !== "succeeded") return WAIT_FOR_COMMAND;
  if (input.strategy !== "delayed") return start(input);
  // The observation period is stored as deadlineAt once, so a pause can keep what is left of it.
  if (state.deadlineAt === null) {
    const until = (upstream.finishedAt ?? now) + input.delayMs;
    if (now >= until) return startAfterObservation(input);
    return {
      kind: "transition",
      transition: transition({ deadlineAt: until }, [
        event("region.observing", `${state.regionId} starts after ${formatDuration(until - now)} of observing ${upstream.regionId}.`, {
          upstream: upstream.regionId,
          until,
          delayMs: input.delayMs,
        }),
      ]),
    };
  }
  return now < state.deadlineAt ? waitUntil(state.deadlineAt) : startAfterObservation(input);
}

/** The region before may still be judging the last window of its observation: start once it ended (its end wakes this one). */
function startAfterObservation(input: DecideInput): Action {
  const observeUntil = input.upstream?.observeUntil;
  return observeUntil != null ? waitUntil(Math.max(input.now + 1_000, observeUntil)) : start(input);
}

function start(input: DecideInput): Action {
  const held = holdForFreeze(input, "it starts", null);
  if (held) return held;
  const { state, now, gate } = input;
  const started = event("region.started", `${state.regionId} started: the new release goes to ${state.toColour} while ${state.fromColour} keeps the traffic.`, {
    attempt: state.attempt,
  });
  const patch = { startedAt: state.startedAt ?? now, deadlineAt: null, pausedRemainingMs: null };
  if (gateRequired(gate) && gate.required) {
    return {
      kind: "transition",
      transition: transition({ ...patch, phase: "awaiting_approval" }, [
        started,
        event("gate.opened", `${state.regionId} waits for approval by ${describeRequirement(gate.required)}.`, { required: gate.required }),
      ]),
    };
  }
  return { kind: "transition", transition: transition({ ...patch, phase: "deploying" }, [started, deployStarted(input)]) };
}

function deployStarted(input: DecideInput) {
  const { state } = input;
  return event("deploy.started", `${state.regionId}: deploying the release to ${state.toColour}.`, { colour: state.toColour, attempt: state.attempt });
}

function decideApproval(input: DecideInput): Action {
  const { state, now, gate } = input;
  const gateNow = gateStatus(gate);
  switch (gateNow.status) {
    case "waiting":
      return WAIT_FOR_COMMAND;
    case "rejected": {
      const { reviewerId, kind, comment } = gateNow.rejection;
      const because = comment ? `: "${comment}"` : "";
      const reason = `rejected at the gate by ${reviewerId} (${kind})${because}`;
      return {
        kind: "transition",
        transition: transition({ ...SETTLED, phase: "aborted", finishedAt: now, outcomeReason: reason }, [
          event("gate.rejected", `${state.regionId} was rejected by ${reviewerId} (${kind})${because}.`, { actor: reviewerId, kind, comment: comment ?? null }),
          event("region.aborted", `${state.regionId} aborted before any traffic moved: ${reason}.`, { actor: reviewerId }),
        ]),
      };
    }
    case "approved": {
      const names = joinWords(gateNow.approvers.map((a) => `${a.reviewerId} (${a.kind})`));
      return {
        kind: "transition",
        transition: transition({ phase: "deploying" }, [
          event("gate.approved", `${state.regionId} approved by ${names}.`, {
            approvers: gateNow.approvers.map((a) => ({ reviewerId: a.reviewerId, kind: a.kind })),
          }),
          deployStarted(input),
        ]),
      };
    }
    default:
      // The policy no longer asks for reviewers.
      return { kind: "transition", transition: transition({ phase: "deploying" }, [deployStarted(input)]) };
  }
}

/** Deploy to the idle colour (digest verified, health checked by the provider). Nothing moves on failure. */
function decideDeploy(input: DecideInput): Action {
  const held = holdForFreeze(input, "its deploy", null);
  if (held) return held;
  const { state, now } = input;
  return {
    kind: "effect",
    stepKey: `${state.id}/a${state.attempt}/deploy`,
    effect: { kind: "deploy", colour: state.toColour },
    onSuccess: (result: EffectResult) =>
      transition({ phase: "canary", stageIndex: -1, canaryPct: 0 }, [
        event("deploy.succeeded", `${state.regionId}: the release is on ${state.toColour}, ${verifiedWords(result)}.`, {
          colour: state.toColour,
          verified: result.deploy ?? null,
        }),
      ]),
    onFailure: (message) =>
      transition(pausePatch(state, now, `deploy failed: ${message}`), [
        event(
          "deploy.failed",
          `${state.regionId}: deploy to ${state.toColour} failed (${message}); no traffic moved, 100 % stays on ${state.fromColour}. Resume to try again.`,
          { colour: state.toColour, error: message, alert: true },
        ),
      ]),
  };
}

/** "digest sha256:ab12… verified; health check http://…/health answered 200", from what the provider checked. */
export function verifiedWords(result: EffectResult): string {
  const verified = result.deploy;
  if (!verified) return "verified by the deploy provider";
  const digest = `digest ${shortDigest(verified.digest)} verified`;
  const health = verified.health ? `health check ${verified.health.url} answered ${verified.health.status}` : "no health check is configured";
  return `${digest}; ${health}`;
}

const shortDigest = (digest: string) => (/^sha256:[0-9a-f]{12,}$/.test(digest) ? `${digest.slice(0, 19)}…` : digest);

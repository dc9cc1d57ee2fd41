/**
 * Manual actions on one region rollout. Each returns the state change with an event naming the actor, or a
 * refusal in words a person can act on. Commands never move traffic themselves: abort and rollback (during the
 * canary) and the emergency rollback store a request that decide() carries out under a step key, verified by the provider.
 */
import { gateStatus } from "./gate";
import { formatDuration, PHASE_STANDING, stageName } from "./messages";
import { event, SETTLED, transition } from "./patches";
import { TERMINAL_PHASES, type Command, type CommandResult, type Gate, type RegionRolloutState, type StageSpec } from "./types";

/** What a command needs to know beyond the region rollout: its stages (for words) and its gate (for retry). */
export type CommandContext = { stages: StageSpec[]; gate: Gate };

type Handler<K extends Command["kind"]> = (
  state: RegionRolloutState,
  command: Extract<Command, { kind: K }>,
  now: number,
  ctx: CommandContext,
) => CommandResult;

const refuse = (reason: string, code?: "forbidden"): CommandResult => (code ? { ok: false, reason, code } : { ok: false, reason });
/** "an abort under way (requested by user:bob)". */
const underWay = (state: RegionRolloutState) =>
  `${state.requestedAction === "abort" ? "an abort" : state.phase === "canary" ? "a rollback" : "an emergency rollback"} under way (requested by ${state.requestedBy ?? "someone"})`;
const isTerminal = (state: RegionRolloutState) => TERMINAL_PHASES.includes(state.phase);

const pause: Handler<"pause"> = (state, command, now) => {
  if (isTerminal(state)) return refuse(`${state.regionId} ${PHASE_STANDING[state.phase]}, so there is nothing to pause.`);
  if (state.paused) return refuse(`${state.regionId} is already paused (${state.pauseReason ?? "no reason given"}).`);
  const remaining = state.deadlineAt === null ? null : Math.max(0, state.deadlineAt - now);
  const reason = command.reason ? `paused by ${command.actor}: ${command.reason}` : `paused by ${command.actor}`;
  const left = remaining === null ? "" : `; ${formatDuration(remaining)} of the current wait are kept for the resume`;
  return {
    ok: true,
    transition: transition({ paused: true, pauseReason: reason, pausedRemainingMs: remaining, deadlineAt: null }, [
      event("region.paused", `${state.regionId} ${reason}${left}.`, { actor: command.actor, reason: command.reason ?? null, remainingMs: remaining }),
    ]),
  };
};

const resume: Handler<"resume"> = (state, command, now) => {
  if (!state.paused) return refuse(`${state.regionId} is not paused, so there is nothing to resume.`);
  const deadlineAt = state.pausedRemainingMs === null ? state.deadlineAt : now + state.pausedRemainingMs;
  const left = state.pausedRemainingMs === null ? "" : ` with ${formatDuration(state.pausedRemainingMs)} left of the current wait`;
  return {
    ok: true,
    transition: transition({ paused: false, pauseReason: null, pausedRemainingMs: null, deadlineAt, inconclusive: 0, extendedMs: 0 }, [
      event("region.resumed", `${state.regionId} resumed by ${command.actor}${left}.`, { actor: command.actor, pauseReason: state.pauseReason, deadlineAt }),
    ]),
  };
};

/**
 * Skip the rest of the current stage's wait (and its coverage); never a way past an analysis that is not
 * passing. The validation stage at 100 % (the last) is skipped only by the SRE role with a typed reason.
 */
const promote: Handler<"promote"> = (state, command, now, ctx) => {
  const stage = ctx.stages[state.stageIndex];
  const name = stageName(stage, state.stageIndex);
  if (state.phase !== "canary")
    return refuse(`${state.regionId} is not running a canary stage (it ${PHASE_STANDING[state.phase]}), so there is nothing to promote.`);
  if (state.requestedAction !== null) return refuse(`${state.regionId} has ${underWay(state)}, so it cannot be promoted.`);
  if (state.stageIndex < 0) return refuse(`${state.regionId} has not started its first canary stage yet, so there is nothing to promote.`);
  if (state.paused) return refuse(`${state.regionId} is paused (${state.pauseReason ?? "no reason given"}); resume it before promoting.`);
  if (state.lastVerdict === null) return refuse(`no sample of the ${name} has been judged yet in ${state.regionId}; promote once a sample has passed.`);
  if (state.lastVerdict !== "pass")
    return refuse(
      `the last sample of the ${name} in ${state.regionId} was ${state.lastVerdict === "breach" ? "a breach" : "inconclusive"}; promote skips the wait, not a failing analysis.`,
    );
  const validation = state.stageIndex === ctx.stages.length - 1;
  const reason = command.reason?.trim() || null;
  if (validation && !command.sre) {
    return refuse(`the ${name} in ${state.regionId} is the validation stage; skipping it needs the sre role and a reason.`, "forbidden");
  }
  if (validation && (reason === null || reason.length < MIN_REASON_CHARS)) {
    return refuse(`the ${name} in ${state.regionId} is the validation stage; say why it may be skipped (a reason of at least ${MIN_REASON_CHARS} characters).`);
  }
  const skipped = state.deadlineAt === null ? 0 : Math.max(0, state.deadlineAt - now);
  const what = validation ? `the ${name} (the validation stage)` : `the ${name}`;
  const because = reason ? `: "${reason}"` : "";
  return {
    ok: true,
    transition: transition({ deadlineAt: now, promotedAt: now }, [
      event("region.promoted", `${state.regionId}: ${command.actor} promoted ${what}, skipping the last ${formatDuration(skipped)} of its wait${because}.`, {
        actor: command.actor,
        stageIndex: state.stageIndex,
        percent: stage?.percent ?? null,
        skippedMs: skipped,
        validation,
        reason,
      }),
    ]),
  };
};

/** The shortest reason accepted for skipping the validation stage: a word or two is not a reason. */
export const MIN_REASON_CHARS = 10;

const abort: Handler<"abort"> = (state, command, now) => {
  if (state.phase === "succeeded") return refuse(`${state.regionId} has already succeeded; use rollback to move its traffic back to ${state.fromColour}.`);
  if (isTerminal(state)) return refuse(`${state.regionId} ${PHASE_STANDING[state.phase]}, so there is nothing to abort.`);
  if (state.requestedAction !== null) return refuse(`${state.regionId} already has ${underWay(state)}.`);
  if (state.phase === "canary") {
    return {
      ok: true,
      transition: transition({ requestedAction: "abort", requestedBy: command.actor }, [
        event(
          "region.abort_requested",
          `${command.actor} asked to abort ${state.regionId}: ${state.canaryPct} % of traffic goes back to ${state.fromColour}.`,
          { actor: command.actor, canaryPct: state.canaryPct },
        ),
      ]),
    };
  }
  // Before the canary no traffic has moved (a deploy only touches the idle colour): abort at once.
  const reason = `aborted by ${command.actor} before any traffic moved`;
  return {
    ok: true,
    transition: transition({ ...SETTLED, phase: "aborted", finishedAt: now, outcomeReason: reason }, [
      event("region.aborted", `${state.regionId} ${reason}.`, { actor: command.actor }),
    ]),
  };
};

/** A new attempt of a rolled-back or aborted region; the service unblocks its downstream regions. */
const retry: Handler<"retry"> = (state, command, _now, ctx) => {
  if (state.phase === "blocked")
    return refuse(`${state.regionId} is blocked by a region before it (${state.outcomeReason ?? "upstream failed"}); retry that region instead.`);
  if (state.phase !== "rolled_back" && state.phase !== "aborted")
    return refuse(`${state.regionId} ${PHASE_STANDING[state.phase]}; only a rolled-back or aborted region can be retried.`);
  if (state.requestedAction !== null) return refuse(`${state.regionId} has ${underWay(state)}; wait for it to finish before retrying.`);
  const gate = gateStatus(ctx.gate);
  if (gate.status === "rejected") {
    return refuse(
      `${state.regionId} was rejected at its gate by ${gate.rejection.reviewerId}${gate.rejection.comment ? ` ("${gate.rejection.comment}")` : ""}; start a new rollout to ask for approval again.`,
    );
  }
  // A region aborted while it waited for reviewers goes back to its gate rather than around it.
  const phase = gate.status === "waiting" ? "awaiting_approval" : "deploying";
  const attempt = state.attempt + 1;
  return {
    ok: true,
    transition: transition(
      {
        ...SETTLED,
        phase,
        attempt,
        stageIndex: -1,
        stageStartedAt: null,
        canaryPct: 0,
        breaches: 0,
        inconclusive: 0,
        lastSampleAt: null,
        lastVerdict: null,
        extendedMs: 0,
        promotedAt: null,
        cause: null,
        outcomeReason: null,
        finishedAt: null,
      },
      [
        event(
          "region.retried",
          `${command.actor} retried ${state.regionId} (attempt ${attempt}): ${phase === "deploying" ? `deploying to ${state.toColour} again` : "back to its approval gate"}.`,
          { actor: command.actor, attempt, previousPhase: state.phase },
        ),
      ],
    ),
  };
};

/**
 * A person's rollback: during the canary it moves the canary's share back to the old colour and ends the region
 * rolled back (the release is judged bad, so the regions after it are blocked); after success it is the
 * emergency rollback to the previous release.
 */
const rollback: Handler<"rollback"> = (state, command) => {
  if (state.phase !== "canary" && state.phase !== "succeeded") {
    return refuse(
      `${state.regionId} ${PHASE_STANDING[state.phase]}; only a region in its canary or one that succeeded can be rolled back, and its traffic is already on ${state.fromColour}.`,
    );
  }
  if (state.requestedAction !== null) return refuse(`${state.regionId} already has ${underWay(state)}.`);
  const what =
    state.phase === "canary"
      ? `a rollback of ${state.regionId}: ${state.canaryPct} % of traffic goes back to`
      : `an emergency rollback of ${state.regionId}: traffic goes back to`;
  return {
    ok: true,
    transition: transition({ requestedAction: "rollback", requestedBy: command.actor }, [
      event("region.rollback_requested", `${command.actor} asked for ${what} ${state.fromColour}.`, { actor: command.actor }),
    ]),
  };
};

export function applyCommand(state: RegionRolloutState, command: Command, now: number, ctx: CommandContext): CommandResult {
  switch (command.kind) {
    case "pause":
      return pause(state, command, now, ctx);
    case "resume":
      return resume(state, command, now, ctx);
    case "promote":
      return promote(state, command, now, ctx);
    case "abort":
      return abort(state, command, now, ctx);
    case "retry":
      return retry(state, command, now, ctx);
    case "rollback":
      return rollback(state, command, now, ctx);
  }
}

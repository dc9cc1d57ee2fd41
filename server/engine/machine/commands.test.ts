import { describe, expect, it } from "vitest";
import { applyCommand, type CommandContext } from "./commands";
import { decide } from "./decide";
import { apply, decideInput, eventTypes, inStage, MIN, regionState, STAGES, T0 } from "./test-fixtures";
import type { Command, CommandResult, Gate, RegionPhase, RegionRolloutState, Transition } from "./types";

const CTX: CommandContext = { stages: STAGES, gate: { required: null, approvals: [] } };
const ALICE = "user:alice";

/** One region rollout per phase, as it would stand there. */
const IN_PHASE: Record<RegionPhase, RegionRolloutState> = {
  pending: regionState(),
  awaiting_approval: regionState({ phase: "awaiting_approval", startedAt: T0 - MIN }),
  deploying: regionState({ phase: "deploying", startedAt: T0 - MIN }),
  canary: inStage(1, { stageStartedAt: T0 - 2 * MIN, deadlineAt: T0 + 3 * MIN, lastSampleAt: T0, lastVerdict: "pass" }),
  succeeded: regionState({ phase: "succeeded", stageIndex: 4, canaryPct: 100, finishedAt: T0 - MIN }),
  rolled_back: regionState({
    phase: "rolled_back",
    stageIndex: 1,
    breaches: 1,
    lastVerdict: "breach",
    cause: [],
    outcomeReason: "error rate 1.2 % > 0.8 % at the 25 % stage",
    finishedAt: T0 - MIN,
  }),
  blocked: regionState({ phase: "blocked", outcomeReason: "blocked because us-east was rolled back", finishedAt: T0 - MIN }),
  aborted: regionState({ phase: "aborted", outcomeReason: "aborted by user:bob before any traffic moved", finishedAt: T0 - MIN }),
};

const command = (kind: Command["kind"]): Command => ({ kind, actor: ALICE }) as Command;

function ok(result: CommandResult): Transition {
  if (!result.ok) throw new Error(`expected the command to be accepted, got: ${result.reason}`);
  return result.transition;
}

describe("each manual action in each phase", () => {
  const OK = "ok";
  it.each<[Command["kind"], RegionPhase, string]>([
    ["pause", "pending", OK],
    ["pause", "awaiting_approval", OK],
    ["pause", "deploying", OK],
    ["pause", "canary", OK],
    ["pause", "succeeded", "eu-west has already succeeded, so there is nothing to pause."],
    ["pause", "rolled_back", "eu-west has already rolled back, so there is nothing to pause."],
    ["pause", "blocked", "eu-west is blocked, so there is nothing to pause."],
    ["pause", "aborted", "eu-west has already been aborted, so there is nothing to pause."],
    ["resume", "pending", "eu-west is not paused, so there is nothing to resume."],
    ["resume", "canary", "eu-west is not paused, so there is nothing to resume."],
    ["resume", "succeeded", "eu-west is not paused, so there is nothing to resume."],
    ["promote", "pending", "eu-west is not running a canary stage (it is waiting for its turn), so there is nothing to promote."],
    ["promote", "awaiting_approval", "eu-west is not running a canary stage (it is waiting for approval), so there is nothing to promote."],
    ["promote", "deploying", "eu-west is not running a canary stage (it is deploying), so there is nothing to promote."],
    ["promote", "canary", OK],
    ["promote", "succeeded", "eu-west is not running a canary stage (it has already succeeded), so there is nothing to promote."],
    ["promote", "rolled_back", "eu-west is not running a canary stage (it has already rolled back), so there is nothing to promote."],
    ["abort", "pending", OK],
    ["abort", "awaiting_approval", OK],
    ["abort", "deploying", OK],
    ["abort", "canary", OK],
    ["abort", "succeeded", "eu-west has already succeeded; use rollback to move its traffic back to blue."],
    ["abort", "rolled_back", "eu-west has already rolled back, so there is nothing to abort."],
    ["abort", "blocked", "eu-west is blocked, so there is nothing to abort."],
    ["abort", "aborted", "eu-west has already been aborted, so there is nothing to abort."],
    ["retry", "pending", "eu-west is waiting for its turn; only a rolled-back or aborted region can be retried."],
    ["retry", "canary", "eu-west is in its canary; only a rolled-back or aborted region can be retried."],
    ["retry", "succeeded", "eu-west has already succeeded; only a rolled-back or aborted region can be retried."],
    ["retry", "rolled_back", OK],
    ["retry", "aborted", OK],
    ["retry", "blocked", "eu-west is blocked by a region before it (blocked because us-east was rolled back); retry that region instead."],
    [
      "rollback",
      "pending",
      "eu-west is waiting for its turn; only a region in its canary or one that succeeded can be rolled back, and its traffic is already on blue.",
    ],
    [
      "rollback",
      "deploying",
      "eu-west is deploying; only a region in its canary or one that succeeded can be rolled back, and its traffic is already on blue.",
    ],
    ["rollback", "canary", OK],
    ["rollback", "succeeded", OK],
    [
      "rollback",
      "rolled_back",
      "eu-west has already rolled back; only a region in its canary or one that succeeded can be rolled back, and its traffic is already on blue.",
    ],
  ])("%s in %s → %s", (kind, phase, expected) => {
    const result = applyCommand(IN_PHASE[phase], command(kind), T0, CTX);
    if (expected !== OK) return expect(result).toEqual({ ok: false, reason: expected });
    const t = ok(result);
    // Every accepted command leaves an event that names who did it.
    expect(t.events.length).toBeGreaterThan(0);
    expect(t.events.every((e) => e.data?.actor === ALICE)).toBe(true);
  });
});

describe("pause and resume", () => {
  it("pause keeps the remaining time of the stage; resume gives it back", () => {
    const state = inStage(1, { stageStartedAt: T0, deadlineAt: T0 + 5 * MIN });
    const paused = ok(applyCommand(state, { kind: "pause", actor: ALICE, reason: "checking dashboards" }, T0 + 2 * MIN, CTX));
    expect(paused.patch).toEqual({ paused: true, pauseReason: "paused by user:alice: checking dashboards", pausedRemainingMs: 3 * MIN, deadlineAt: null });
    expect(paused.events[0].message).toBe("eu-west paused by user:alice: checking dashboards; 3 min of the current wait are kept for the resume.");

    const resumed = ok(applyCommand({ ...apply(state, paused), inconclusive: 2 }, { kind: "resume", actor: "user:bob" }, T0 + 60 * MIN, CTX));
    expect(resumed.patch).toEqual({ paused: false, pauseReason: null, pausedRemainingMs: null, deadlineAt: T0 + 63 * MIN, inconclusive: 0, extendedMs: 0 });
    expect(resumed.events[0]).toMatchObject({ type: "region.resumed", message: "eu-west resumed by user:bob with 3 min left of the current wait." });
  });

  it("pause during a delayed region's observation period keeps what is left of it", () => {
    const state = regionState({ deadlineAt: T0 + 90 * MIN });
    const paused = ok(applyCommand(state, { kind: "pause", actor: ALICE }, T0 + 30 * MIN, CTX));
    expect(paused.patch).toMatchObject({ pausedRemainingMs: 60 * MIN, deadlineAt: null, pauseReason: "paused by user:alice" });
    const resumed = ok(applyCommand(apply(state, paused), { kind: "resume", actor: ALICE }, T0 + 100 * MIN, CTX));
    expect(resumed.patch.deadlineAt).toBe(T0 + 160 * MIN);
  });

  it("pause of a region with no deadline keeps none", () => {
    const paused = ok(applyCommand(IN_PHASE.deploying, { kind: "pause", actor: ALICE }, T0, CTX));
    expect(paused.patch).toMatchObject({ pausedRemainingMs: null, deadlineAt: null });
  });

  it("a second pause is refused with the first one's reason", () => {
    const state = inStage(1, { paused: true, pauseReason: "paused by user:bob" });
    expect(applyCommand(state, { kind: "pause", actor: ALICE }, T0, CTX)).toEqual({ ok: false, reason: "eu-west is already paused (paused by user:bob)." });
  });

  it("resume after a failed deploy makes decide() try the deploy again", () => {
    const state = regionState({ phase: "deploying", paused: true, pauseReason: "deploy failed: timeout" });
    const resumed = apply(state, ok(applyCommand(state, { kind: "resume", actor: ALICE }, T0, CTX)));
    expect(decide(decideInput({ state: resumed }))).toMatchObject({ kind: "effect", stepKey: "rr_eu/a1/deploy" });
  });
});

describe("promote skips the rest of the wait, never a failing analysis", () => {
  const canary = IN_PHASE.canary;

  it("sets the deadline to now and marks the stage promoted, so it completes at the next check however much was judged", () => {
    const t = ok(applyCommand(canary, { kind: "promote", actor: ALICE }, T0 + 10_000, CTX));
    expect(t.patch).toEqual({ deadlineAt: T0 + 10_000, promotedAt: T0 + 10_000 });
    expect(t.events[0]).toMatchObject({
      type: "region.promoted",
      message: "eu-west: user:alice promoted the 25 % stage, skipping the last 3 min of its wait.",
      data: { validation: false, reason: null },
    });
    // No sample is due yet (the last was at T0): the stage completes now with the next traffic move.
    expect(decide(decideInput({ now: T0 + 10_000, state: apply(canary, t) }))).toMatchObject({ kind: "effect", stepKey: "rr_eu/a1/stage-2/weight-50" });
  });

  it("a sample that is due is judged before the promotion moves traffic", () => {
    const t = ok(applyCommand(canary, { kind: "promote", actor: ALICE }, T0 + 40_000, CTX));
    expect(decide(decideInput({ now: T0 + 40_000, state: apply(canary, t) }))).toEqual({ kind: "observe", from: T0, to: T0 + 30_000 });
  });

  const validation = inStage(4, { stageStartedAt: T0 - 2 * MIN, deadlineAt: T0 + 28 * MIN, lastSampleAt: T0, lastVerdict: "pass" });
  const REASON = "hotfix for INC-4211, validated on staging for 2 h";

  it.each<[string, Omit<Extract<Command, { kind: "promote" }>, "kind" | "actor">, string]>([
    ["without the sre role", { reason: REASON }, "the 100 % stage in eu-west is the validation stage; skipping it needs the sre role and a reason."],
    [
      "by an SRE without a reason",
      { sre: true },
      "the 100 % stage in eu-west is the validation stage; say why it may be skipped (a reason of at least 10 characters).",
    ],
    [
      "by an SRE with a reason too short to be one",
      { sre: true, reason: "  ok  " },
      "the 100 % stage in eu-west is the validation stage; say why it may be skipped (a reason of at least 10 characters).",
    ],
  ])("cannot skip the validation stage at 100 %% %s", (_name, extra, reason) => {
    const result = applyCommand(validation, { kind: "promote", actor: ALICE, ...extra }, T0, CTX);
    expect(result).toMatchObject({ ok: false, reason });
  });

  it("refuses a deployer with a role refusal (forbidden), not a state one", () => {
    expect(applyCommand(validation, { kind: "promote", actor: ALICE, reason: REASON }, T0, CTX)).toMatchObject({ ok: false, code: "forbidden" });
  });

  it("an SRE with a reason skips the validation stage; the reason is in the event", () => {
    const t = ok(applyCommand(validation, { kind: "promote", actor: "user:sam", sre: true, reason: ` ${REASON} ` }, T0, CTX));
    expect(t.events[0]).toMatchObject({
      type: "region.promoted",
      message: `eu-west: user:sam promoted the 100 % stage (the validation stage), skipping the last 28 min of its wait: "${REASON}".`,
      data: { actor: "user:sam", validation: true, reason: REASON, stageIndex: 4 },
    });
    expect(decide(decideInput({ now: T0, state: apply(validation, t) }))).toMatchObject({ kind: "transition", transition: { patch: { phase: "succeeded" } } });
  });

  it.each<[string, Partial<RegionRolloutState>, string]>([
    ["before the first stage", { stageIndex: -1, lastVerdict: null }, "eu-west has not started its first canary stage yet, so there is nothing to promote."],
    ["paused", { paused: true, pauseReason: "paused by user:bob" }, "eu-west is paused (paused by user:bob); resume it before promoting."],
    ["no sample judged yet", { lastVerdict: null }, "no sample of the 25 % stage has been judged yet in eu-west; promote once a sample has passed."],
    [
      "the last sample inconclusive",
      { lastVerdict: "inconclusive" },
      "the last sample of the 25 % stage in eu-west was inconclusive; promote skips the wait, not a failing analysis.",
    ],
    [
      "the last sample a breach",
      { lastVerdict: "breach", breaches: 1 },
      "the last sample of the 25 % stage in eu-west was a breach; promote skips the wait, not a failing analysis.",
    ],
    [
      "an abort under way",
      { requestedAction: "abort", requestedBy: "user:bob" },
      "eu-west has an abort under way (requested by user:bob), so it cannot be promoted.",
    ],
  ])("refused %s", (_name, overrides, reason) => {
    expect(applyCommand({ ...canary, ...overrides }, { kind: "promote", actor: ALICE }, T0, CTX)).toEqual({ ok: false, reason });
  });
});

describe("abort", () => {
  it.each<RegionPhase>(["pending", "awaiting_approval", "deploying"])("in %s, before any traffic moved, aborts at once", (phase) => {
    const t = ok(applyCommand(IN_PHASE[phase], { kind: "abort", actor: ALICE }, T0, CTX));
    expect(t.patch).toMatchObject({ phase: "aborted", finishedAt: T0, outcomeReason: "aborted by user:alice before any traffic moved" });
    expect(eventTypes(t)).toEqual(["region.aborted"]);
  });

  it("in the canary asks decide() to move traffic back, then ends aborted", () => {
    const t = ok(applyCommand(IN_PHASE.canary, { kind: "abort", actor: ALICE }, T0, CTX));
    expect(t.patch).toEqual({ requestedAction: "abort", requestedBy: ALICE });
    expect(t.events[0]).toMatchObject({ type: "region.abort_requested", message: "user:alice asked to abort eu-west: 25 % of traffic goes back to blue." });
    const action = decide(decideInput({ state: apply(IN_PHASE.canary, t) }));
    expect(action).toMatchObject({ kind: "effect", stepKey: "rr_eu/a1/abort", effect: { kind: "setWeight", canaryPct: 0, reason: "abort" } });
  });

  it("a second abort while one is under way is refused", () => {
    const state = { ...IN_PHASE.canary, requestedAction: "abort" as const, requestedBy: "user:bob" };
    expect(applyCommand(state, { kind: "abort", actor: ALICE }, T0, CTX)).toEqual({
      ok: false,
      reason: "eu-west already has an abort under way (requested by user:bob).",
    });
  });
});

describe("retry", () => {
  it("starts a new attempt from the deploy with counters reset", () => {
    const t = ok(applyCommand(IN_PHASE.rolled_back, { kind: "retry", actor: ALICE }, T0, CTX));
    expect(t.patch).toMatchObject({
      phase: "deploying",
      attempt: 2,
      stageIndex: -1,
      canaryPct: 0,
      breaches: 0,
      inconclusive: 0,
      lastSampleAt: null,
      lastVerdict: null,
      cause: null,
      outcomeReason: null,
      finishedAt: null,
    });
    expect(t.events[0]).toMatchObject({ type: "region.retried", message: "user:alice retried eu-west (attempt 2): deploying to green again." });
    expect(decide(decideInput({ state: apply(IN_PHASE.rolled_back, t) }))).toMatchObject({ kind: "effect", stepKey: "rr_eu/a2/deploy" });
  });

  const gate = (approvals: Gate["approvals"]): CommandContext => ({ stages: STAGES, gate: { required: { functional: 1, sre: 1 }, approvals } });

  it("a region aborted while waiting for reviewers goes back to its gate, not around it", () => {
    const t = ok(applyCommand(IN_PHASE.aborted, { kind: "retry", actor: ALICE }, T0, gate([])));
    expect(t.patch.phase).toBe("awaiting_approval");
  });

  it("a region whose gate was approved goes straight to the deploy", () => {
    const approved = gate([
      { reviewerId: "carol", kind: "functional", decision: "approved" },
      { reviewerId: "sam", kind: "sre", decision: "approved" },
    ]);
    expect(ok(applyCommand(IN_PHASE.rolled_back, { kind: "retry", actor: ALICE }, T0, approved)).patch.phase).toBe("deploying");
  });

  it("a region rejected at its gate cannot be retried around the rejection", () => {
    const rejected = gate([{ reviewerId: "sam", kind: "sre", decision: "rejected", comment: "error budget spent" }]);
    expect(applyCommand(IN_PHASE.aborted, { kind: "retry", actor: ALICE }, T0, rejected)).toEqual({
      ok: false,
      reason: 'eu-west was rejected at its gate by sam ("error budget spent"); start a new rollout to ask for approval again.',
    });
  });
});

describe("emergency rollback", () => {
  it("of a succeeded region asks decide() to put 100 % back on the old colour", () => {
    const t = ok(applyCommand(IN_PHASE.succeeded, { kind: "rollback", actor: ALICE }, T0, CTX));
    expect(t.patch).toEqual({ requestedAction: "rollback", requestedBy: ALICE });
    expect(eventTypes(t)).toEqual(["region.rollback_requested"]);
    expect(decide(decideInput({ state: apply(IN_PHASE.succeeded, t) }))).toMatchObject({
      kind: "effect",
      stepKey: "rr_eu/a1/emergency-rollback",
      effect: { kind: "setWeight", colour: "green", canaryPct: 0, reason: "rollback" },
    });
  });

  it("is refused while another is under way", () => {
    const state = { ...IN_PHASE.succeeded, requestedAction: "rollback" as const, requestedBy: "user:bob" };
    expect(applyCommand(state, { kind: "rollback", actor: ALICE }, T0, CTX)).toEqual({
      ok: false,
      reason: "eu-west already has an emergency rollback under way (requested by user:bob).",
    });
  });
});

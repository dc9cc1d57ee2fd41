import { describe, expect, it } from "vitest";
import { decide } from "./decide";
import { decideInput, eventTypes, MIN, regionState, T0, transitionOf } from "./test-fixtures";
import { TERMINAL_PHASES, type Gate, type RegionPhase, type Strategy, type Upstream } from "./types";

const upstream = (phase: RegionPhase, finishedAt: number | null = null): Upstream => ({ regionId: "us-east", phase, finishedAt });
const REVIEWERS: Gate["required"] = { functional: 1, sre: 1 };

describe("pending: when a region starts, by strategy", () => {
  const START = "start";
  it.each<[string, Strategy, Upstream, number, number | null, "start" | { wait: number | null }]>([
    ["parallel starts at once", "parallel", null, T0, null, START],
    ["parallel ignores an upstream the runner passed", "parallel", upstream("canary"), T0, null, START],
    ["the first sequential region starts at once", "sequential", null, T0, null, START],
    ["sequential waits while upstream is in its canary", "sequential", upstream("canary"), T0, null, { wait: null }],
    ["sequential waits while upstream waits for approval", "sequential", upstream("awaiting_approval"), T0, null, { wait: null }],
    ["sequential starts when upstream succeeded", "sequential", upstream("succeeded", T0 - MIN), T0, null, START],
    ["the first delayed region starts at once", "delayed", null, T0, null, START],
    ["delayed waits while upstream runs", "delayed", upstream("deploying"), T0, null, { wait: null }],
    ["delayed waits out the observation period", "delayed", upstream("succeeded", T0), T0 + 89 * MIN, T0 + 90 * MIN, { wait: T0 + 90 * MIN }],
    ["delayed starts when the observation period ends", "delayed", upstream("succeeded", T0), T0 + 90 * MIN, T0 + 90 * MIN, START],
    ["delayed starts at once when upstream finished long enough ago", "delayed", upstream("succeeded", T0 - 100 * MIN), T0, null, START],
  ])("%s", (_name, strategy, up, now, deadlineAt, expected) => {
    const action = decide(decideInput({ now, strategy, delayMs: 90 * MIN, upstream: up, state: regionState({ deadlineAt }) }));
    if (expected === START) {
      const t = transitionOf(action);
      expect(t.patch).toMatchObject({ phase: "deploying", startedAt: now, deadlineAt: null });
      expect(eventTypes(t)).toEqual(["region.started", "deploy.started"]);
    } else {
      expect(action).toEqual({ kind: "wait", until: expected.wait });
    }
  });

  it("delayed stores the end of the observation period as the deadline, with an event", () => {
    const action = decide(decideInput({ now: T0 + 10 * MIN, strategy: "delayed", delayMs: 90 * MIN, upstream: upstream("succeeded", T0) }));
    const t = transitionOf(action);
    expect(t.patch).toEqual({ deadlineAt: T0 + 90 * MIN });
    expect(t.events).toEqual([expect.objectContaining({ type: "region.observing", message: "eu-west starts after 1 h 20 min of observing us-east." })]);
  });

  it.each<[Strategy, RegionPhase, string]>([
    ["sequential", "rolled_back", "blocked because us-east was rolled back"],
    ["sequential", "blocked", "blocked because us-east was blocked"],
    ["delayed", "aborted", "blocked because us-east was aborted"],
    ["delayed", "rolled_back", "blocked because us-east was rolled back"],
  ])("%s: upstream %s blocks the region", (strategy, phase, reason) => {
    const t = transitionOf(decide(decideInput({ strategy, delayMs: 90 * MIN, upstream: upstream(phase, T0 - MIN) })));
    expect(t.patch).toMatchObject({ phase: "blocked", finishedAt: T0, outcomeReason: reason });
    expect(eventTypes(t)).toEqual(["region.blocked"]);
  });

  it("a paused pending region is still blocked when its upstream fails (the chain stops either way)", () => {
    const state = regionState({ paused: true, pauseReason: "paused by user:alice" });
    const t = transitionOf(decide(decideInput({ state, upstream: upstream("rolled_back") })));
    expect(t.patch).toMatchObject({ phase: "blocked", paused: false });
  });

  it("a paused pending region does not start when its upstream succeeded", () => {
    const state = regionState({ paused: true, pauseReason: "paused by user:alice" });
    expect(decide(decideInput({ state, upstream: upstream("succeeded", T0 - MIN) }))).toEqual({ kind: "wait", until: null });
  });

  it("a region with a gate starts by opening it", () => {
    const t = transitionOf(decide(decideInput({ gate: { required: REVIEWERS, approvals: [] } })));
    expect(t.patch).toMatchObject({ phase: "awaiting_approval", startedAt: T0 });
    expect(eventTypes(t)).toEqual(["region.started", "gate.opened"]);
    expect(t.events[1].message).toBe("eu-west waits for approval by 1 reviewer and 1 SRE.");
  });

  it("a gate that asks for no reviewers is no gate", () => {
    const t = transitionOf(decide(decideInput({ gate: { required: { functional: 0, sre: 0 }, approvals: [] } })));
    expect(t.patch.phase).toBe("deploying");
  });
});

describe("awaiting_approval", () => {
  const awaiting = regionState({ phase: "awaiting_approval", startedAt: T0 - MIN });
  const ok = (reviewerId: string, kind: "functional" | "sre") => ({ reviewerId, kind, decision: "approved" as const });

  it.each<[string, Gate, "wait" | "deploying" | "aborted"]>([
    ["no decision yet", { required: REVIEWERS, approvals: [] }, "wait"],
    ["functional only", { required: REVIEWERS, approvals: [ok("alice", "functional")] }, "wait"],
    ["SRE only", { required: REVIEWERS, approvals: [ok("sam", "sre")] }, "wait"],
    [
      "the same reviewer twice does not count twice",
      { required: { functional: 2, sre: 0 }, approvals: [ok("alice", "functional"), ok("alice", "functional")] },
      "wait",
    ],
    ["one functional and one SRE", { required: REVIEWERS, approvals: [ok("alice", "functional"), ok("sam", "sre")] }, "deploying"],
    [
      "two distinct functional reviewers",
      { required: { functional: 2, sre: 0 }, approvals: [ok("alice", "functional"), ok("bob", "functional")] },
      "deploying",
    ],
    ["a policy that no longer needs reviewers", { required: null, approvals: [] }, "deploying"],
    [
      "a rejection wins over approvals",
      { required: REVIEWERS, approvals: [ok("alice", "functional"), { reviewerId: "sam", kind: "sre", decision: "rejected", comment: "error budget spent" }] },
      "aborted",
    ],
  ])("%s → %s", (_name, gate, expected) => {
    const action = decide(decideInput({ state: awaiting, gate }));
    if (expected === "wait") return expect(action).toEqual({ kind: "wait", until: null });
    expect(transitionOf(action).patch.phase).toBe(expected);
  });

  it("approval records who approved and starts the deploy", () => {
    const t = transitionOf(decide(decideInput({ state: awaiting, gate: { required: REVIEWERS, approvals: [ok("alice", "functional"), ok("sam", "sre")] } })));
    expect(eventTypes(t)).toEqual(["gate.approved", "deploy.started"]);
    expect(t.events[0].message).toBe("eu-west approved by alice (functional) and sam (sre).");
  });

  it("a rejection aborts the region with the reviewer's comment", () => {
    const gate: Gate = { required: REVIEWERS, approvals: [{ reviewerId: "sam", kind: "sre", decision: "rejected", comment: "error budget spent" }] };
    const t = transitionOf(decide(decideInput({ now: T0 + 5 * MIN, state: awaiting, gate })));
    expect(t.patch).toMatchObject({ phase: "aborted", finishedAt: T0 + 5 * MIN, outcomeReason: 'rejected at the gate by sam (sre): "error budget spent"' });
    expect(eventTypes(t)).toEqual(["gate.rejected", "region.aborted"]);
    expect(t.events[0].data).toMatchObject({ actor: "sam", comment: "error budget spent" });
  });
});

describe("deploying", () => {
  it("deploys to the idle colour under a step key per attempt", () => {
    const action = decide(decideInput({ state: regionState({ phase: "deploying", attempt: 2 }) }));
    expect(action).toMatchObject({ kind: "effect", stepKey: "rr_eu/a2/deploy", effect: { kind: "deploy", colour: "green" } });
  });

  it("a deploy that succeeded moves the region into its canary, with no traffic yet", () => {
    const t = transitionOf(decide(decideInput({ state: regionState({ phase: "deploying" }) })));
    expect(t.patch).toEqual({ phase: "canary", stageIndex: -1, canaryPct: 0 });
    expect(eventTypes(t)).toEqual(["deploy.succeeded"]);
  });

  it("the deploy event says what the provider verified: the digest, and the health check only when it ran", () => {
    const action = decide(decideInput({ state: regionState({ phase: "deploying" }) }));
    if (action.kind !== "effect" || typeof action.onSuccess !== "function") throw new Error("expected a deploy whose words depend on its result");
    const digest = `sha256:ab12${"0".repeat(60)}`;
    const checked = action.onSuccess({ deploy: { digest, health: { url: "http://10.0.0.7:8081/health", status: 200 } } }).events[0];
    expect(checked.message).toBe(
      "eu-west: the release is on green, digest sha256:ab1200000000… verified; health check http://10.0.0.7:8081/health answered 200.",
    );
    expect(checked.data).toMatchObject({ verified: { digest, health: { url: "http://10.0.0.7:8081/health", status: 200 } } });
    const unchecked = action.onSuccess({ deploy: { digest, health: null } }).events[0];
    expect(unchecked.message).toBe("eu-west: the release is on green, digest sha256:ab1200000000… verified; no health check is configured.");
    expect(unchecked.message).not.toContain("health check passed");
  });

  it("a failed deploy pauses the region where it is and says why", () => {
    const t = transitionOf(decide(decideInput({ state: regionState({ phase: "deploying" }) })), { failure: "digest sha256:ab12 does not match sha256:cd34" });
    expect(t.patch).toEqual({
      paused: true,
      pauseReason: "deploy failed: digest sha256:ab12 does not match sha256:cd34",
      pausedRemainingMs: null,
      deadlineAt: null,
    });
    expect(t.patch.phase).toBeUndefined();
    expect(t.events).toEqual([
      expect.objectContaining({
        type: "deploy.failed",
        message: "eu-west: deploy to green failed (digest sha256:ab12 does not match sha256:cd34); no traffic moved, 100 % stays on blue. Resume to try again.",
      }),
    ]);
  });

  it("a paused deploy waits for a person", () => {
    expect(decide(decideInput({ state: regionState({ phase: "deploying", paused: true, pauseReason: "deploy failed: timeout" }) }))).toEqual({
      kind: "wait",
      until: null,
    });
  });
});

describe("terminal phases", () => {
  it.each(TERMINAL_PHASES)("%s waits for nothing", (phase) => {
    expect(decide(decideInput({ state: regionState({ phase, finishedAt: T0 }), upstream: upstream("rolled_back") }))).toEqual({ kind: "wait", until: null });
  });
});

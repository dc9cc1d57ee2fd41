import { describe, expect, it } from "vitest";
import { decide } from "./decide";
import { apply, decideInput, eventTypes, inStage, regionState, T0, transitionOf } from "./test-fixtures";
import type { RegionRolloutState } from "./types";

const abortRequested = (overrides: Partial<RegionRolloutState> = {}) => inStage(1, { requestedAction: "abort", requestedBy: "user:alice", ...overrides });
const rollbackRequested = regionState({
  phase: "succeeded",
  stageIndex: 4,
  canaryPct: 100,
  finishedAt: T0 - 60_000,
  requestedAction: "rollback",
  requestedBy: "user:sam",
});

describe("a requested abort during the canary", () => {
  it("moves traffic back and ends aborted, naming who asked", () => {
    const action = decide(decideInput({ now: T0 + 60_000, state: abortRequested() }));
    expect(action).toMatchObject({ kind: "effect", stepKey: "rr_eu/a1/abort", effect: { kind: "setWeight", colour: "green", canaryPct: 0, reason: "abort" } });
    const t = transitionOf(action);
    expect(t.patch).toMatchObject({
      phase: "aborted",
      canaryPct: 0,
      finishedAt: T0 + 60_000,
      outcomeReason: "aborted by user:alice at the 25 % stage; 100 % of traffic is back on blue",
      requestedAction: null,
      requestedBy: null,
      deadlineAt: null,
    });
    expect(t.events).toEqual([expect.objectContaining({ type: "region.aborted", data: expect.objectContaining({ actor: "user:alice" }) })]);
  });

  it("is carried out even when the region is paused", () => {
    const state = abortRequested({ paused: true, pauseReason: "3 inconclusive samples in a row" });
    const action = decide(decideInput({ state }));
    expect(action).toMatchObject({ kind: "effect", stepKey: "rr_eu/a1/abort" });
    expect(transitionOf(action).patch).toMatchObject({ phase: "aborted", paused: false, pauseReason: null });
  });

  it("comes before a sample that is due", () => {
    const state = abortRequested({ stageStartedAt: T0 - 10 * 60_000, deadlineAt: T0 - 5 * 60_000 });
    expect(decide(decideInput({ state })).kind).toBe("effect");
  });

  it("that fails stays in the canary, keeps the request, and tries again after a backoff under a new step key", () => {
    const state = abortRequested();
    const t = transitionOf(decide(decideInput({ state })), { failure: "timeout after 5 s" });
    expect(t.patch.phase).toBeUndefined();
    expect(t.patch.requestedAction).toBeUndefined();
    expect(t.patch.paused).toBeUndefined();
    expect(t.patch).toMatchObject({ rollbackAttempts: 1, rollbackLastError: "timeout after 5 s", rollbackFirstFailedAt: T0, rollbackLastAlertAt: T0 });
    expect(t.events[0].message).toMatch(
      /^eu-west: abort by user:alice failed: traffic could not be moved back to blue \(timeout after 5 s\); 25 % of traffic is still on green\. Trying again in 1 s, until it is verified\.$/,
    );
    expect(eventTypes(t)).toEqual(["traffic.failed"]);
    const after = apply(state, t);
    expect(decide(decideInput({ state: after }))).toEqual({ kind: "wait", until: after.rollbackNextAt });
    expect(decide(decideInput({ now: after.rollbackNextAt!, state: after }))).toMatchObject({ kind: "effect", stepKey: "rr_eu/a1/abort/retry-1" });
  });
});

describe("a requested rollback during the canary", () => {
  const state = inStage(1, { requestedAction: "rollback", requestedBy: "user:sam" });

  it("moves traffic back and ends rolled back, so the regions after it are blocked", () => {
    const action = decide(decideInput({ now: T0, state }));
    expect(action).toMatchObject({
      kind: "effect",
      stepKey: "rr_eu/a1/rollback",
      effect: { kind: "setWeight", colour: "green", canaryPct: 0, reason: "rollback" },
    });
    const t = transitionOf(action);
    expect(t.patch).toMatchObject({
      phase: "rolled_back",
      canaryPct: 0,
      finishedAt: T0,
      outcomeReason: "rolled back by user:sam (manual) at the 25 % stage; 100 % of traffic is back on blue",
      requestedAction: null,
    });
    expect(t.events).toEqual([expect.objectContaining({ type: "region.rolled_back", data: { actor: "user:sam", manual: true, stageIndex: 1, percent: 25 } })]);
  });

  it("that fails stays in the canary, not paused, and is tried again until it is verified", () => {
    const t = transitionOf(decide(decideInput({ state })), { failure: "HAProxy runtime API refused" });
    expect(t.patch.phase).toBeUndefined();
    expect(t.patch.requestedAction).toBeUndefined();
    expect(t.patch.paused).toBeUndefined();
    expect(t.patch).toMatchObject({ rollbackAttempts: 1, rollbackLastError: "HAProxy runtime API refused" });
    expect(eventTypes(t)).toEqual(["traffic.failed"]);
    const retried = decide(decideInput({ now: apply(state, t).rollbackNextAt!, state: apply(state, t) }));
    expect(retried).toMatchObject({ kind: "effect", stepKey: "rr_eu/a1/rollback/retry-1" });
    expect(transitionOf(retried).patch).toMatchObject({ phase: "rolled_back", rollbackAttempts: 0, rollbackNextAt: null, requestedAction: null });
    expect(transitionOf(retried).events[0].message).toBe(
      "eu-west rolled back by user:sam (manual) at the 25 % stage; 100 % of traffic is back on blue (after 2 tries).",
    );
  });
});

describe("a requested emergency rollback of a succeeded region", () => {
  it("puts 100 % back on the old colour and ends rolled back", () => {
    const action = decide(decideInput({ now: T0, state: rollbackRequested }));
    expect(action).toMatchObject({
      kind: "effect",
      stepKey: "rr_eu/a1/emergency-rollback",
      effect: { kind: "setWeight", colour: "green", canaryPct: 0, reason: "rollback" },
    });
    const t = transitionOf(action);
    expect(t.patch).toMatchObject({
      phase: "rolled_back",
      canaryPct: 0,
      finishedAt: T0,
      outcomeReason: "emergency rollback by user:sam: 100 % of traffic is back on blue, the previous release",
      requestedAction: null,
    });
    expect(t.events).toEqual([expect.objectContaining({ type: "region.rolled_back", data: { actor: "user:sam", emergency: true } })]);
  });

  it("that fails keeps the region succeeded, says where traffic stands, and is tried again", () => {
    const t = transitionOf(decide(decideInput({ state: rollbackRequested })), { failure: "Cloudflare API 502" });
    expect(t.patch.phase).toBeUndefined();
    expect(t.patch.requestedAction).toBeUndefined();
    expect(t.patch).toMatchObject({ rollbackAttempts: 1, rollbackLastError: "Cloudflare API 502" });
    expect(t.events[0].message).toContain(
      "emergency rollback by user:sam failed: traffic could not be moved back to blue (Cloudflare API 502); 100 % of traffic is still on green. Trying again in",
    );
    expect(eventTypes(t)).toEqual(["traffic.failed"]);
    const after = apply(rollbackRequested, t);
    expect(decide(decideInput({ now: after.rollbackNextAt!, state: after }))).toMatchObject({ kind: "effect", stepKey: "rr_eu/a1/emergency-rollback/retry-1" });
  });
});

describe("requests that no longer apply", () => {
  it("an abort stored before the canary aborts without moving traffic", () => {
    const t = transitionOf(decide(decideInput({ state: regionState({ phase: "deploying", requestedAction: "abort", requestedBy: "user:alice" }) })));
    expect(t.patch).toMatchObject({ phase: "aborted", outcomeReason: "aborted by user:alice before any traffic moved" });
  });

  it("a request on a finished region is cleared", () => {
    const state = regionState({ phase: "rolled_back", requestedAction: "abort", requestedBy: "user:alice" });
    expect(transitionOf(decide(decideInput({ state })))).toEqual({ patch: { requestedAction: null, requestedBy: null }, events: [] });
  });
});

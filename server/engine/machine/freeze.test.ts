import { describe, expect, it } from "vitest";
import { FreezeConfig } from "@/server/config/schema";
import { decide } from "./decide";
import { activeFreeze, describeFreeze, windowEnd, type ActiveFreeze, type StopAll } from "./freeze";
import { apply, decideInput, eventTypes, healthy, inStage, MIN, observation, regionState, stageSamples, T0, transitionOf } from "./test-fixtures";
import type { DecideInput, RegionRolloutState } from "./types";

const SEC = 1000;
const utc = (iso: string) => Date.parse(`${iso}Z`);
const weekend = FreezeConfig.parse({
  id: "weekend",
  reason: "no releases at the weekend",
  environments: ["production-*"],
  timeZone: "Europe/Berlin",
  weekly: { from: "Fri 16:00", to: "Mon 08:00" },
});
const holidays = FreezeConfig.parse({
  id: "holidays",
  reason: "holiday season",
  timeZone: "America/New_York",
  once: { from: "2026-12-24", to: "2026-12-27 08:00" },
});
const stopAll: StopAll = { id: "f1", reason: "incident INC-7 under way", declaredBy: "user:sam", declaredAt: utc("2026-12-02T10:00:00") };

describe("freeze windows: when one holds and until when", () => {
  it.each([
    ["the Friday before it opens (15:59 in Berlin)", "2026-12-04T14:59:00", null],
    ["Friday 16:00 in Berlin, as it opens", "2026-12-04T15:00:00", "2026-12-07T07:00:00"],
    ["Sunday noon", "2026-12-06T12:00:00", "2026-12-07T07:00:00"],
    ["Monday 07:59 in Berlin", "2026-12-07T06:59:00", "2026-12-07T07:00:00"],
    ["Monday 08:00 in Berlin, as it closes", "2026-12-07T07:00:00", null],
    ["a summer Saturday (Berlin at UTC+2)", "2026-07-04T12:00:00", "2026-07-06T06:00:00"],
    ["the weekend summer time ends (CEST on Saturday, CET by Monday)", "2026-10-24T12:00:00", "2026-10-26T07:00:00"],
  ])("weekly Fri 16:00 to Mon 08:00 Europe/Berlin, %s", (_, now, end) => {
    expect(windowEnd(weekend, utc(now))).toBe(end === null ? null : utc(end));
  });

  it.each([
    ["before it", "2026-12-24T04:59:00", null],
    ["from midnight in New York", "2026-12-24T05:00:00", "2026-12-27T13:00:00"],
    ["after it", "2026-12-27T13:00:00", null],
  ])("once from 2026-12-24 to 2026-12-27 08:00 America/New_York, %s", (_, now, end) => {
    expect(windowEnd(holidays, utc(now))).toBe(end === null ? null : utc(end));
  });

  it("covers only the environments it names; with none named, every environment", () => {
    const sunday = utc("2026-12-06T12:00:00");
    const rules = { windows: [weekend, holidays], stopAll: null };
    expect(activeFreeze(rules, "production-eu-west", sunday)).toMatchObject({ kind: "window", id: "weekend" });
    expect(activeFreeze(rules, "staging", sunday)).toBeNull();
    expect(activeFreeze(rules, "staging", utc("2026-12-25T12:00:00"))).toMatchObject({ kind: "window", id: "holidays" });
  });

  it("a stop-all wins over the windows and has no end; a break-glass rollout holds only for a stop-all declared after it started", () => {
    const sunday = utc("2026-12-06T12:00:00");
    expect(activeFreeze({ windows: [weekend], stopAll }, "production-eu-west", sunday)).toMatchObject({ kind: "stop-all", id: "f1", until: null });
    expect(activeFreeze({ windows: [weekend], stopAll: null }, "production-eu-west", sunday, { startedAt: sunday - MIN })).toBeNull();
    expect(activeFreeze({ windows: [], stopAll }, "production-eu-west", sunday, { startedAt: stopAll.declaredAt + MIN })).toBeNull();
    expect(activeFreeze({ windows: [], stopAll }, "production-eu-west", sunday, { startedAt: stopAll.declaredAt - MIN })).toMatchObject({ kind: "stop-all" });
  });

  it("says which freeze and until when, in the window's own time zone", () => {
    const freeze = activeFreeze({ windows: [weekend], stopAll: null }, "production-eu-west", utc("2026-12-06T12:00:00"))!;
    expect(describeFreeze(freeze)).toBe('the freeze window "weekend" (no releases at the weekend) until Mon 2026-12-07 08:00 Europe/Berlin');
    expect(describeFreeze({ kind: "stop-all", ...stopAll, until: null })).toBe(
      "the stop-all declared by user:sam at Wed 2026-12-02 10:00 UTC (incident INC-7 under way) until someone lifts it",
    );
  });
});

const FREEZE: ActiveFreeze = { kind: "window", id: "weekend", reason: "no releases at the weekend", until: T0 + 60 * MIN, timeZone: "UTC" };
const at = (now: number, state: RegionRolloutState, extra: Partial<DecideInput> = {}) => decide(decideInput({ now, state, ...extra }));
/** Stage 0 whose time is up, judged enough and last passed: its next step is the traffic increase to 25 %. */
const done0 = inStage(0, { lastSampleAt: T0 + 5 * MIN, lastVerdict: "pass" });
const end0 = T0 + 5 * MIN;

describe("a canary under a freeze", () => {
  it("holds at its next traffic increase and says so once, with which freeze and until when", () => {
    const action = at(end0, done0, { stageSamples: stageSamples(10), freeze: FREEZE });
    const t = transitionOf(action);
    expect(t.patch).toEqual({ freezeHeldAt: end0 });
    expect(t.events).toEqual([
      expect.objectContaining({
        type: "region.freeze_held",
        message:
          'eu-west holds before the 25 % stage: the freeze window "weekend" (no releases at the weekend) until Sat 2025-11-15 10:00 UTC. Its current stage goes on being judged: a breach still rolls it back.',
        data: { freeze: { kind: "window", id: "weekend", reason: "no releases at the weekend", until: T0 + 60 * MIN }, next: "the 25 % stage" },
      }),
    ]);
    // Held: traffic stays at 10 %, and the stage is sampled on at its interval.
    const held = apply(done0, t);
    expect(at(end0, held, { stageSamples: stageSamples(10), freeze: FREEZE })).toEqual({ kind: "wait", until: end0 + 30 * SEC });
    expect(at(end0 + 30 * SEC, held, { stageSamples: stageSamples(10), freeze: FREEZE })).toEqual({ kind: "observe", from: end0, to: end0 + 30 * SEC });
  });

  it("still rolls back on a breach while it holds", () => {
    const held = { ...done0, freezeHeldAt: end0 };
    const breach = observation(end0, end0 + 30 * SEC, healthy({ errorRatePct: 1.2, latencyP95Ms: 420 }));
    const action = at(end0 + 30 * SEC, held, { stageSamples: stageSamples(10), freeze: FREEZE, observation: breach });
    expect(action).toMatchObject({ kind: "effect", stepKey: "rr_eu/a1/rollback", effect: { kind: "setWeight", canaryPct: 0, reason: "rollback" } });
    const t = transitionOf(action);
    expect(t.patch).toMatchObject({ phase: "rolled_back", freezeHeldAt: null });
  });

  it("carries out a person's rollback while it holds", () => {
    const held = { ...done0, freezeHeldAt: end0, requestedAction: "rollback" as const, requestedBy: "user:sre" };
    expect(at(end0, held, { freeze: FREEZE })).toMatchObject({ kind: "effect", effect: { kind: "setWeight", canaryPct: 0 } });
  });

  it("goes on once the freeze is over: says how long it held, then moves to the next stage", () => {
    const held = { ...done0, freezeHeldAt: end0 };
    const released = transitionOf(at(end0 + 20 * SEC, held, { stageSamples: stageSamples(10) }));
    expect(released.patch).toEqual({ freezeHeldAt: null });
    expect(released.events).toEqual([
      expect.objectContaining({
        type: "region.freeze_released",
        message: "eu-west goes on: the freeze that held it for 20 s is over.",
        data: { heldMs: 20 * SEC },
      }),
    ]);
    const next = at(end0 + 20 * SEC, apply(held, released), { stageSamples: stageSamples(10) });
    expect(next).toMatchObject({ kind: "effect", effect: { kind: "setWeight", canaryPct: 25, reason: "stage" } });
  });

  it("holds a deployed region before its first traffic, and a region whose turn came before it starts", () => {
    const deployed = regionState({ phase: "canary", stageIndex: -1 });
    expect(eventTypes(transitionOf(at(T0, deployed, { freeze: FREEZE })))).toEqual(["region.freeze_held"]);
    const pending = regionState({ phase: "pending", position: 0 });
    const t = transitionOf(at(T0, pending, { freeze: { kind: "stop-all", ...stopAll, until: null } }));
    expect(t.events[0]).toMatchObject({ type: "region.freeze_held", data: { next: "it starts" } });
    // Under a stop-all there is no end to wait for: the region waits for a command (the lift wakes it).
    expect(at(T0, apply(pending, t), { freeze: { kind: "stop-all", ...stopAll, until: null } })).toEqual({ kind: "wait", until: null });
  });

  it("does not hold a stage that is still running: it is sampled and judged as usual", () => {
    const running = inStage(1, { lastSampleAt: T0 }, T0);
    expect(at(T0 + 30 * SEC, running, { freeze: FREEZE })).toEqual({ kind: "observe", from: T0, to: T0 + 30 * SEC });
  });
});

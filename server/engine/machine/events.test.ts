import { describe, expect, it } from "vitest";
import { readEvent, rollbackTrigger } from "./events";
import { event } from "./patches";

describe("stored events", () => {
  it("reads a row of a known type with its data as stored, an old row without data as {}, and an unknown type as null", () => {
    expect(readEvent({ type: "stage.passed", data: { stageIndex: 1, percent: 25 } })).toEqual({ type: "stage.passed", data: { stageIndex: 1, percent: 25 } });
    expect(readEvent({ type: "region.rolled_back", data: null })).toEqual({ type: "region.rolled_back", data: {} });
    expect(readEvent({ type: "notify.test", data: null })).toBeNull();
  });

  it("names what rolled a region back: a breach, a person during the canary, or an emergency rollback", () => {
    expect(rollbackTrigger({ stageIndex: 1, percent: 25, cause: [] })).toBe("breach");
    expect(rollbackTrigger({ stageIndex: 4, percent: 100, cause: [], observation: true })).toBe("breach");
    expect(rollbackTrigger({ actor: "user:sam", manual: true, stageIndex: 0, percent: 10 })).toBe("manual");
    expect(rollbackTrigger({ actor: "user:sam", emergency: true })).toBe("emergency");
    // A row stored before its fields were recorded reads as a breach, as it was counted then.
    expect(rollbackTrigger({})).toBe("breach");
  });
});

describe("writing an event", () => {
  it("takes only the data of its type: a wrong key or a missing field does not compile", () => {
    const ok = event("region.rolled_back", "us-east rolled back by user:sam.", { actor: "user:sam", manual: true, stageIndex: 0, percent: 10 });
    // @ts-expect-error `manul` is no field of a rollback.
    event("region.rolled_back", "x", { actor: "user:sam", manul: true, stageIndex: 0, percent: 10 });
    // @ts-expect-error a stage start says its duration.
    event("stage.started", "x", { stageIndex: 0, percent: 10 });
    // @ts-expect-error no event has this type.
    event("region.rolled_backk", "x", { actor: "user:sam", emergency: true });
    expect(ok).toEqual({
      type: "region.rolled_back",
      message: "us-east rolled back by user:sam.",
      data: { actor: "user:sam", manual: true, stageIndex: 0, percent: 10 },
    });
  });
});

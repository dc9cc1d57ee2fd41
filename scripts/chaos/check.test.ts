/** The chaos suite's judges, on histories it must accept and ones it must refuse. */
import { describe, expect, it } from "vitest";
import type { WeightMove } from "@/lab/chaos/balancer-taps";
import { weightsSet } from "@/lab/chaos/balancer-taps";
import { cardPostOf } from "@/lab/chaos/card-receiver";
import { checkRegion, heldSplits, planOrderProblem } from "./check";

const move = (weights: WeightMove["weights"], by: WeightMove["by"] = "flightdeck"): WeightMove => ({ at: 0, region: "us-east", by, weights });

describe("plan order", () => {
  it("accepts the plan, a rollback from any stage, and the verified weight put back after a balancer restart", () => {
    expect(planOrderProblem([10, 25, 50, 75, 100], true)).toBeNull();
    expect(planOrderProblem([10, 25, 0], false)).toBeNull();
    expect(planOrderProblem([10, 25, "restart", 25, 50, 75, 100], true)).toBeNull();
    // Killed with 25 % sent and not yet verified: 10 % put back, then the 25 % stage's change again.
    expect(planOrderProblem([10, 25, "restart", 10, 25, 50, 75, 100], true)).toBeNull();
  });

  it("refuses a move back down and up again, a skipped stage, a repeat, and a success that never reached 100", () => {
    expect(planOrderProblem([10, 25, 50, 25, 50, 75, 100], true)).toMatch(/expected 10, 25, 50, 75, 100/);
    expect(planOrderProblem([10, 50, 75, 100], true)).not.toBeNull();
    expect(planOrderProblem([10, 25, 25, 50, 75, 100], true)).not.toBeNull();
    expect(planOrderProblem([10, 25, 50], true)).not.toBeNull();
    expect(planOrderProblem([10, 25, 50, "restart", 10, 25, 50, 75, 100], true)).toMatch(/not the last verified 25 or 50/);
    expect(planOrderProblem([0], false)).not.toBeNull();
  });
});

it("replays HAProxy's one-server commands: a half-set split completed by a retry passes, one left half-set does not", () => {
  expect(weightsSet("set weight be_us-east/green 10")).toEqual({ green: 10 });
  const retried = heldSplits([move({ green: 10 }), move({ green: 10 }), move({ blue: 90 }), move({ blue: 75 }), move({ green: 25 })], "blue");
  expect(retried.problems).toEqual([]);
  expect(retried.newColour("green")).toEqual([10, 25]);
  const restarted = heldSplits(
    [move({ green: 10 }), move({ blue: 90 }), move({ blue: 100, green: 0 }, "restart"), move({ blue: 90 }), move({ green: 10 })],
    "blue",
  );
  expect(restarted.newColour("green")).toEqual([10, "restart", 10]);
  expect(heldSplits([move({ green: 10 }), move({ green: 25 }), move({ blue: 75 })], "blue").problems).toEqual([
    'the balancer held {"blue":100,"green":10} when a colour\'s weight changed again, not a split of 100',
  ]);
  expect(heldSplits([move({ green: 10 })], "blue").problems).toEqual(['the balancer held {"blue":100,"green":10} at the end, not a split of 100']);
});

it("a region fails when the balancer, the verified split or the hosts disagree with the plan", () => {
  const world = {
    region: "us-east",
    liveBefore: "blue" as const,
    weightsNow: { blue: 0, green: 100 },
    moves: [10, 25, 50, 75, 100].map((g) => move({ green: g, blue: 100 - g })),
    installs: [{ region: "us-east", colour: "green", version: "2.1.0", digest: "sha256:x" }],
  };
  const facts = { expectSuccess: true, version: "2.1.0" };
  expect(checkRegion(world, facts, 100)).toEqual([]);
  expect(checkRegion(world, facts, 75)).toEqual(["the balancer holds green 100 %, the verified split says 75 %"]);
  expect(checkRegion({ ...world, installs: [...world.installs, ...world.installs] }, facts, 100)).toEqual([
    "the hosts installed [green 2.1.0; green 2.1.0], expected once on green",
  ]);
  expect(checkRegion(world, { ...facts, expectSuccess: false }, 100)[0]).toMatch(/ends at .* expected .*rolled back/);
});

it("reads a card's delivery key and its possible-repeat mark from the posted payload", () => {
  expect(cardPostOf('{"text":"Rollout started … Delivery key: `flightdeck-outbox-42`"}', 1)).toEqual({ at: 1, key: "flightdeck-outbox-42", repeat: false });
  expect(cardPostOf('{"text":"⚠️ Possible repeat of flightdeck-outbox-42 … Delivery key: `flightdeck-outbox-42`"}', 1)).toEqual({
    at: 1,
    key: "flightdeck-outbox-42",
    repeat: true,
  });
});

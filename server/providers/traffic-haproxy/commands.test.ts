import { describe, expect, it } from "vitest";
import { ProviderError } from "../types";
import { getWeightCommand, parseWeight, refusalOf, setWeightCommand, splitFromWeights, weightChanges } from "./commands";

const ref = { backend: "be_us-east", server: "green" };

describe("runtime API commands", () => {
  it.each([
    [0, "set weight be_us-east/green 0"],
    [25, "set weight be_us-east/green 25"],
    [100, "set weight be_us-east/green 100"],
  ])("set weight %i", (weight, command) => expect(setWeightCommand(ref, weight)).toBe(command));

  it("get weight", () => expect(getWeightCommand(ref)).toBe("get weight be_us-east/green"));

  it.each([
    [{ backend: "api; shutdown sessions", server: "green" }, /backend name "api; shutdown sessions" is not a valid HAProxy name/],
    [{ backend: "api", server: "green\nset maxconn global 1" }, /server name/],
  ])("refuses names that could smuggle a second command: %j", (bad, message) => {
    expect(() => setWeightCommand(bad, 10)).toThrow(message);
    expect(() => getWeightCommand(bad)).toThrow(ProviderError);
  });

  it.each([-1, 257, 2.5])("refuses weight %d", (w) => expect(() => setWeightCommand(ref, w)).toThrow(/outside HAProxy's 0 to 256/));
});

describe("runtime API answers", () => {
  it.each([
    ["\n", null],
    ["", null],
    ["No such server.\n", "No such server."],
    ["No such backend.\n\n", "No such backend."],
    [
      "Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n",
      "Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.",
    ],
  ])("set weight answered %j → refusal %j", (answer, refusal) => expect(refusalOf(answer)).toBe(refusal));

  it.each([
    ["25 (initial 1)\n", { current: 25, initial: 1 }],
    ["0 (initial 100)\n", { current: 0, initial: 100 }],
    ["No such server.\n", { refused: "No such server." }],
    ["", { refused: "(empty answer)" }],
    ["Unknown command. Please enter one of the following commands only :", { refused: "Unknown command. Please enter one of the following commands only :" }],
  ])("get weight answered %j", (answer, parsed) => expect(parseWeight(answer)).toEqual(parsed));
});

describe("splits and the order of changes", () => {
  it.each([
    [100, 0, { blue: 100, green: 0 }],
    [75, 25, { blue: 75, green: 25 }],
    [1, 1, { blue: 50, green: 50 }],
    [0, 256, { blue: 0, green: 100 }],
  ])("weights %i / %i → %j", (b, g, split) => expect(splitFromWeights(b, g)).toEqual(split));

  it("both at 0 is an error, not a split", () => expect(() => splitFromWeights(0, 0)).toThrow(/no traffic to either colour/));

  it.each([
    ["canary up: green rises first", { blue: 90, green: 10 }, { blue: 75, green: 25 }, ["green", "blue"]],
    ["rollback: blue rises first", { blue: 50, green: 50 }, { blue: 100, green: 0 }, ["blue", "green"]],
    ["from a blue-only start to 10 %", { blue: 100, green: 0 }, { blue: 90, green: 10 }, ["green", "blue"]],
  ] as const)("%s", (_name, current, wanted, order) => {
    expect(weightChanges(current, wanted).map((c) => c.colour)).toEqual(order);
  });
});

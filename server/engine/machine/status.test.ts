import { describe, expect, it } from "vitest";
import { rolloutStatus } from "./status";
import type { RegionPhase } from "./types";

describe("rolloutStatus", () => {
  it.each<[RegionPhase[], string]>([
    [["succeeded", "canary", "pending"], "running"],
    [["rolled_back", "awaiting_approval"], "running"],
    [["succeeded", "succeeded", "succeeded"], "succeeded"],
    [["succeeded", "rolled_back", "blocked"], "failed"],
    [["succeeded", "blocked"], "failed"],
    [["aborted", "rolled_back"], "failed"],
    [["succeeded", "aborted", "aborted"], "aborted"],
    [["aborted"], "aborted"],
  ])("%j → %s", (phases, status) => {
    expect(rolloutStatus(phases)).toBe(status);
  });
});

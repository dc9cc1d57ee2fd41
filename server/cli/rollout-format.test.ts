import { describe, expect, it } from "vitest";
import type { RegionStatus, RolloutStatusView } from "@/server/services/rollout-status";
import { describeRegion, formatRollout } from "./rollout-format";

const region: RegionStatus = {
  regionId: "us-east",
  position: 0,
  phase: "canary",
  stagePercent: 25,
  canaryPct: 25,
  paused: false,
  pauseReason: null,
  cause: null,
  outcomeReason: null,
  attempt: 1,
};

describe("rollout status in a terminal", () => {
  it("says paused once, whether a person's reason says it or the engine's does not", () => {
    expect(describeRegion({ ...region, paused: true, pauseReason: "paused by user:sam: look at logs" })).toBe(
      "canary, stage 25 %, traffic 25 %, paused by user:sam: look at logs",
    );
    expect(describeRegion({ ...region, paused: true, pauseReason: "traffic could not be moved" })).toBe(
      "canary, stage 25 %, traffic 25 %, paused (traffic could not be moved)",
    );
  });

  it("writes the delay between regions as a duration (0.1 min is 6 s)", () => {
    const view = { id: "r1", serviceId: "api", version: "1.4.2", strategy: "delayed", delayMinutes: 0.1, status: "running", initiator: "engine", regions: [] };
    expect(formatRollout({ tty: false }, view as unknown as RolloutStatusView)[0]).toContain("delayed (6 s between regions)");
  });

  it("names people by the names the server sent, ids only when it sent none (an older server)", () => {
    const paused = { ...region, paused: true, pauseReason: "paused by user:7f3a: look at logs" };
    const view = {
      id: "r1",
      serviceId: "api",
      version: "1.4.2",
      strategy: "parallel",
      delayMinutes: null,
      status: "running",
      initiator: "token:9c1e",
      regions: [paused],
    };
    const actorNames = { "token:9c1e": "token ci-lab (created by Ada)", "user:7f3a": "Sam" };
    const lines = formatRollout({ tty: false }, { ...view, actorNames } as unknown as RolloutStatusView);
    expect(lines[0]).toMatch(/by token ci-lab \(created by Ada\)$/);
    expect(lines[1]).toContain("paused by Sam: look at logs");
    expect(formatRollout({ tty: false }, view as unknown as RolloutStatusView)[0]).toMatch(/by token:9c1e$/);
  });
});

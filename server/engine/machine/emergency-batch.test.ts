import { describe, expect, it } from "vitest";
import { batchSummary, memberOutcome, openBatchOf, type MemberState } from "./emergency-batch";
import type { EmergencyRegion } from "./events";

const region = (regionId: string, regionRolloutId: string): EmergencyRegion => ({
  regionId,
  rolloutId: "ro_1",
  regionRolloutId,
  inCanary: false,
  canaryPct: 100,
  colour: "blue",
  release: "1.4.1",
  version: "1.4.2",
});
const requested = (at: number, batchId: string, ids: string[]) => ({
  at,
  type: "service.rollback_requested",
  data: { batchId, actor: "user:sam", idempotencyKey: null, requested: ids.map((id) => region(`r-${id}`, id)), skipped: [] },
});
const summarised = (batchId: string) => ({ at: 0, type: "service.rolled_back", data: { batchId } });

describe("openBatchOf", () => {
  it("finds the newest batch naming the region rollout that has no summary yet", () => {
    const rows = [requested(1, "old", ["rr1"]), requested(2, "new", ["rr1", "rr2"]), requested(3, "other", ["rr3"])];
    expect(openBatchOf(rows, "rr1")).toMatchObject({ batchId: "new", at: 2, actor: "user:sam" });
    expect(openBatchOf([...rows, summarised("new")], "rr1")).toMatchObject({ batchId: "old" });
    expect(openBatchOf([...rows, summarised("new"), summarised("old")], "rr1")).toBeNull();
    expect(openBatchOf(rows, "rr9")).toBeNull();
  });
});

describe("memberOutcome", () => {
  const state = (patch: Partial<MemberState>): MemberState => ({
    phase: "succeeded",
    requestedAction: "rollback",
    rollbackAttempts: 0,
    rollbackLastError: null,
    outcomeReason: null,
    finishedAt: null,
    ...patch,
  });
  it.each<[string, Partial<MemberState>, unknown]>([
    ["still being carried out: not settled", {}, null],
    [
      "back and verified",
      { phase: "rolled_back", requestedAction: null, finishedAt: 4_000, outcomeReason: "emergency rollback" },
      { outcome: "rolled_back", tookMs: 3_000 },
    ],
    [
      "its first try failed: settled, retrying",
      { rollbackAttempts: 1, rollbackLastError: "socket gone" },
      { outcome: "retrying", detail: "moving traffic back to blue failed (socket gone); it is tried again until verified" },
    ],
    ["overtaken (finished another way)", { phase: "aborted", requestedAction: null, outcomeReason: "aborted by user:dana" }, { outcome: "finished" }],
  ])("%s", (_, patch, expected) => {
    const outcome = memberOutcome(region("us-east", "rr1"), state(patch), 1_000);
    if (expected === null) expect(outcome).toBeNull();
    else expect(outcome).toMatchObject(expected as object);
  });
});

describe("batchSummary", () => {
  it("names every region's outcome and those left alone in one sentence", () => {
    const batch = { at: 0, batchId: "b1", actor: "user:sam", requested: [], skipped: [{ regionId: "apac-se", reason: "nothing to roll back" }] };
    const us = { ...region("us-east", "rr1"), outcome: "rolled_back" as const, detail: "", tookMs: 2_000 };
    const eu = { ...region("eu-west", "rr2"), outcome: "retrying" as const, detail: "moving traffic back to blue failed (timeout)", tookMs: null };
    const summary = batchSummary(batch, [us, eu], "api");
    expect(summary.message).toBe(
      "Emergency rollback of api by user:sam: 1 of 2 regions back on the previous release. us-east back to blue, release 1.4.1, verified in 2 s; " +
        "eu-west not back yet: moving traffic back to blue failed (timeout); apac-se left alone (nothing to roll back).",
    );
    expect(summary.data).toMatchObject({ batchId: "b1", serviceId: "api", actor: "user:sam", requestedAt: 0, skipped: batch.skipped });
  });
});

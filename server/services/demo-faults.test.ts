import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Actor } from "@/server/actor";
import {
  addUser,
  createHarness,
  demoConfig,
  DIGEST_A,
  DIGEST_B,
  eventsOf,
  phases,
  regionRolloutOf,
  runUntil,
  type Harness,
} from "@/server/engine/runner/test-fixtures";
import { clearDemoFaults, injectDemoFault, listDemoFaults } from "./demo-faults";
import { ServiceError } from "./errors";
import { startRollout } from "./rollouts";

let h: Harness;
let sam: Actor;
let dana: Actor;

beforeEach(() => {
  h = createHarness({ config: demoConfig((raw) => ((raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }])) });
  sam = addUser(h.db, "sam", "Sam", ["sre"]);
  dana = addUser(h.db, "dana", "Dana", ["deployer"]);
});
afterEach(() => h.cleanup());

async function refusal(fn: () => unknown): Promise<{ code: string; message: string }> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ServiceError);
    return { code: (err as ServiceError).code, message: (err as ServiceError).message };
  }
  throw new Error("expected a refusal");
}

describe("the demo fleet's fault drill", () => {
  it("an injected fault makes the next rollout roll back at that stage, naming only the breached metric; cleared, the next one succeeds", async () => {
    await injectDemoFault(h.as(sam), { regionId: "eu-west", stagePercent: 25, errorRatePct: 1.2, latencyP95Ms: 420 });
    expect((await listDemoFaults(h.as(dana), { regionId: "eu-west" })).faults).toEqual([
      expect.objectContaining({ stagePercent: 25, errorRatePct: 1.2, latencyP95Ms: 420, createdBy: "user:sam" }),
    ]);
    expect(eventsOf(h.db, { type: "demo.fault_injected" }).map((e) => [e.actor, e.message])).toEqual([
      ["user:sam", "Sam injected a fault in eu-west: the new colour shows error rate 1.2 % and p95 420 ms at the 25 % stage until it is cleared."],
    ]);

    const first = await startRollout(h.as(dana), {
      serviceId: "api",
      artifact: { version: "1.0.0", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
      strategy: "parallel",
      regions: ["eu-west"],
    });
    await runUntil(h, () => phases(h.db)["eu-west"] === "rolled_back");
    const rolledBack = regionRolloutOf(h.db, first.rolloutId, "eu-west");
    expect(rolledBack.cause).toEqual([expect.objectContaining({ metric: "error_rate", observed: 1.2, threshold: 0.8 })]);

    expect(await clearDemoFaults(h.as(sam), { regionId: "eu-west" })).toEqual({ cleared: 1 });
    expect((await listDemoFaults(h.as(sam), { regionId: "eu-west" })).faults).toEqual([]);
    // A new build: the one rolled back for the breach is quarantined (issue 17).
    const second = await startRollout(h.as(dana), {
      serviceId: "api",
      artifact: { version: "1.0.1", digest: DIGEST_B, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
      strategy: "parallel",
      regions: ["eu-west"],
    });
    await runUntil(h, () => regionRolloutOf(h.db, second.rolloutId, "eu-west").phase === "succeeded");
    expect(eventsOf(h.db, { type: "demo.faults_cleared" }).map((e) => e.actor)).toEqual(["user:sam"]);
  });

  it("is refused to a deployer, for a stage the region does not have, without values, and outside demo mode", async () => {
    expect(await refusal(() => injectDemoFault(h.as(dana), { regionId: "eu-west", stagePercent: 25, errorRatePct: 5 }))).toEqual({
      code: "FORBIDDEN",
      message: "Injecting a fault needs the sre or admin role.",
    });
    expect((await refusal(() => injectDemoFault(h.as(sam), { regionId: "eu-west", stagePercent: 30, errorRatePct: 5 }))).message).toBe(
      "stagePercent: eu-west has no 30 % stage; its stages are 10, 25, 50, 75, 100 %.",
    );
    expect((await refusal(() => injectDemoFault(h.as(sam), { regionId: "eu-west", stagePercent: 25 }))).message).toContain(
      "give an error rate, a p95 latency or both",
    );
    expect((await refusal(() => injectDemoFault(h.as(sam), { regionId: "mars", stagePercent: 25, errorRatePct: 5 }))).code).toBe("NOT_FOUND");

    const real = { ...h.as(sam), config: { ...h.config, demo: false } };
    expect(await refusal(() => injectDemoFault(real, { regionId: "eu-west", stagePercent: 25, errorRatePct: 5 }))).toEqual({
      code: "PRECONDITION_FAILED",
      message: "Fault drills are for the demo fleet only; this server runs a real fleet.",
    });
    expect(await listDemoFaults(real, { regionId: "eu-west" })).toMatchObject({ available: false, faults: [] });
    expect(eventsOf(h.db, { type: "demo.fault_injected" })).toEqual([]);
  });
});

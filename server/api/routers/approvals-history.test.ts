import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import type { Actor } from "@/server/actor";
import type { SessionUser } from "@/server/auth/session";
import { setConfig } from "@/server/config";
import { DEMO_CONFIG_PATH } from "@/server/config/load";
import { addUser, approveWaitingGates, createHarness, DIGEST_A, phases, runUntil, type Harness } from "@/server/engine/runner/test-fixtures";
import { approveGate } from "@/server/services/approvals";
import { startRollout } from "@/server/services/rollouts";

let h: Harness;
let rafael: Actor;
let sam: Actor;
let rolloutId: string;

const session = (a: Actor): SessionUser => ({ id: a.id, email: `${a.id}@example.test`, name: a.name, roles: a.roles });
const callerAs = async (a: Actor) => createCaller({ db: h.db, user: session(a), headers: new Headers() });

beforeEach(async () => {
  h = createHarness();
  setConfig({ config: h.config, file: DEMO_CONFIG_PATH });
  const ada = addUser(h.db, "ada", "Ada", ["admin"]);
  rafael = addUser(h.db, "rafael", "Rafael", ["reviewer"]);
  sam = addUser(h.db, "sam", "Sam", ["sre"]);
  rolloutId = (
    await startRollout(h.as(ada), {
      serviceId: "api",
      artifact: { version: "2.0.0", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
      strategy: "sequential",
      regions: "all",
    })
  ).rolloutId;
  // us-east is approved and runs every stage; the rollout then waits at eu-west's gate.
  let approvedFirst = false;
  await runUntil(
    h,
    () => phases(h.db)["eu-west"] === "awaiting_approval",
    async () => {
      if (!approvedFirst && phases(h.db)["us-east"] === "awaiting_approval") {
        await approveWaitingGates(h, [rafael, sam], approveGate);
        approvedFirst = true;
      }
    },
  );
});
afterEach(() => h.cleanup());

describe("a later region's gate", () => {
  it("shows what already passed upstream in the plan, and only the waiting gate", async () => {
    const [pending] = await (await callerAs(rafael)).approvals.pending();
    expect(pending.plan.map((p) => [p.regionId, p.phase])).toEqual([
      ["us-east", "succeeded"],
      ["eu-west", "awaiting_approval"],
      ["apac-se", "pending"],
    ]);
    expect(pending.gates.map((g) => g.regionId)).toEqual(["eu-west"]);
    expect(pending.artifact.commitUrl).toBe("https://github.com/flightdeck-demo/api/commit/0123456789abcdef0123456789abcdef01234567");
  });

  it("the region page lists the finished region rollout with its outcome, duration and samples", async () => {
    const page = await (await callerAs(rafael)).regionPages.get({ regionId: "us-east" });
    expect(page.rollouts).toEqual([expect.objectContaining({ rolloutId, version: "2.0.0", phase: "succeeded", active: false })]);
    expect(page.rollouts[0].durationMs).toBeGreaterThan(0);
    expect(page.live[0]).toMatchObject({ serviceId: "api", greenPct: 100, artifact: expect.objectContaining({ version: "2.0.0" }) });
    expect(page.samples.length).toBeGreaterThan(0);
    expect(page.samples.every((s) => s.rolloutId === rolloutId && s.errorRatePct !== null)).toBe(true);

    const waiting = await (await callerAs(rafael)).regionPages.get({ regionId: "eu-west" });
    expect(waiting.rollouts).toEqual([expect.objectContaining({ phase: "awaiting_approval", active: true })]);
  });
});

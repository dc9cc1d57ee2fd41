import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import type { Actor } from "@/server/actor";
import type { SessionUser } from "@/server/auth/session";
import { setConfig } from "@/server/config";
import { DEMO_CONFIG_PATH } from "@/server/config/load";
import { addUser, createHarness, DIGEST_A, phases, runUntil, type Harness } from "@/server/engine/runner/test-fixtures";
import { startRollout } from "@/server/services/rollouts";

let h: Harness;
let rolloutId: string;
const COMMIT = "0123456789abcdef0123456789abcdef01234567";

const session = (a: Actor): SessionUser => ({ id: a.id, email: `${a.id}@example.test`, name: a.name, roles: a.roles });
const callerAs = async (a: Actor) => createCaller({ db: h.db, user: session(a), headers: new Headers() });

let ada: Actor; // admin, starts the rollout
let rafael: Actor; // functional reviewer
let sam: Actor; // SRE
let vic: Actor; // viewer

beforeEach(async () => {
  h = createHarness();
  setConfig({ config: h.config, file: DEMO_CONFIG_PATH });
  ada = addUser(h.db, "ada", "Ada", ["admin"]);
  rafael = addUser(h.db, "rafael", "Rafael", ["reviewer"]);
  sam = addUser(h.db, "sam", "Sam", ["sre"]);
  vic = addUser(h.db, "vic", "Vic", ["viewer"]);
  rolloutId = (
    await startRollout(h.as(ada), {
      serviceId: "api",
      artifact: { version: "2.0.0", digest: DIGEST_A, commitSha: COMMIT, sourceRef: "refs/heads/main" },
      strategy: "parallel",
      regions: "all",
    })
  ).rolloutId;
  await h.runner.tick();
  expect(Object.values(phases(h.db))).toEqual(["awaiting_approval", "awaiting_approval", "awaiting_approval"]);
});
afterEach(() => h.cleanup());

describe("approvals router", () => {
  it("lists each waiting gate with the artifact, the commit link, the plan and who may decide", async () => {
    const [pending] = await (await callerAs(rafael)).approvals.pending();
    expect(pending.rolloutId).toBe(rolloutId);
    expect(pending.artifact).toMatchObject({ version: "2.0.0", digest: DIGEST_A, commitUrl: `https://github.com/flightdeck-demo/api/commit/${COMMIT}` });
    expect(pending.plan.map((p) => p.regionId)).toEqual(["us-east", "eu-west", "apac-se"]);
    expect(pending.gates.map((g) => [g.regionId, g.required, g.cannotDecide])).toEqual([
      ["us-east", { functional: 1, sre: 1 }, null],
      ["eu-west", { functional: 1, sre: 1 }, null],
      ["apac-se", { functional: 1, sre: 1 }, null],
    ]);
    const [asInitiator] = await (await callerAs(ada)).approvals.pending();
    expect(asInitiator.gates[0].cannotDecide).toContain("You started this rollout");
  });

  it("refuses the initiator's own approval with a message in words", async () => {
    await expect((await callerAs(ada)).approvals.approve({ rolloutId, regionId: "us-east", as: "sre" })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringContaining("You started this rollout, so someone else must approve it"),
    });
  });

  it("records an approval with its comment, shown to the next reviewer", async () => {
    await (await callerAs(rafael)).approvals.approve({ rolloutId, regionId: "us-east", comment: "release notes checked" });
    const [pending] = await (await callerAs(sam)).approvals.pending();
    expect(pending.gates[0].decisions).toEqual([
      expect.objectContaining({ reviewer: "Rafael", kind: "functional", decision: "approved", comment: "release notes checked" }),
    ]);
    const [again] = await (await callerAs(rafael)).approvals.pending();
    expect(again.gates[0].cannotDecide).toContain("You already approved this gate");
  });

  it("approveAll approves every gate the reviewer may, and reports the ones it may not", async () => {
    await (await callerAs(rafael)).approvals.approve({ rolloutId, regionId: "eu-west" });
    const outcomes = await (await callerAs(rafael)).approvals.approveAll({ rolloutId });
    expect(outcomes.map((o) => [o.regionId, o.ok])).toEqual([
      ["us-east", true],
      ["eu-west", false],
      ["apac-se", true],
    ]);
    expect(outcomes[1].message).toContain("each person decides once");

    const bySre = await (await callerAs(sam)).approvals.approveAll({ rolloutId });
    expect(bySre.every((o) => o.ok)).toBe(true);
    // The router stamps decisions with the real time; move the engine's virtual clock there.
    h.clock.setTime(Date.now() + 1_000);
    await runUntil(h, () => !Object.values(phases(h.db)).includes("awaiting_approval"));
    expect(Object.values(phases(h.db))).not.toContain("aborted");
  });

  it("the initiator's approveAll approves nothing", async () => {
    const outcomes = await (await callerAs(ada)).approvals.approveAll({ rolloutId });
    expect(outcomes.every((o) => !o.ok && o.message.includes("You started this rollout"))).toBe(true);
    expect((await (await callerAs(rafael)).approvals.pending())[0].gates.every((g) => g.decisions.length === 0)).toBe(true);
  });

  it("a viewer may read the gates but gets FORBIDDEN on every decision", async () => {
    const viewer = await callerAs(vic);
    expect(await viewer.approvals.pending()).toHaveLength(1);
    await expect(viewer.approvals.approve({ rolloutId, regionId: "us-east" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(viewer.approvals.reject({ rolloutId, regionId: "us-east", comment: "no" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(viewer.approvals.approveAll({ rolloutId })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("a rejection with a comment aborts that region", async () => {
    await (await callerAs(sam)).approvals.reject({ rolloutId, regionId: "apac-se", comment: "error budget spent" });
    // The router stamps the decision with the real time; move the engine's virtual clock there.
    h.clock.setTime(Date.now() + 1_000);
    await runUntil(h, () => phases(h.db)["apac-se"] !== "awaiting_approval");
    expect(phases(h.db)["apac-se"]).toBe("aborted");
    expect(phases(h.db)["us-east"]).toBe("awaiting_approval");
  });
});

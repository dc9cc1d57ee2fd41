import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILT } from "./ci-webhook.fixtures";
import { approvals } from "@/db/schema";
import type { Actor } from "@/server/actor";
import { addUser, createHarness, demoConfig, DIGEST_A, eventsOf, phases, rolloutRow, runUntil, type Harness } from "@/server/engine/runner/test-fixtures";
import { approveGate, rejectGate } from "./approvals";
import { countGatesWaitingFor, listPendingGates } from "./approvals-pending";
import { getRolloutView } from "./rollout-view";
import { ServiceError } from "./errors";
import { startRollout } from "./rollouts";

let h: Harness;
let ada: Actor; // admin: may approve in both capacities, and starts the rollout
let rafael: Actor; // functional reviewer
let sam: Actor; // SRE
let rolloutId: string;

beforeEach(async () => {
  h = createHarness();
  ada = addUser(h.db, "ada", "Ada", ["admin"]);
  rafael = addUser(h.db, "rafael", "Rafael", ["reviewer"]);
  sam = addUser(h.db, "sam", "Sam", ["sre"]);
  rolloutId = (
    await startRollout(h.as(ada), {
      serviceId: "api",
      artifact: { version: "2.0.0", digest: DIGEST_A, ...BUILT },
      strategy: "sequential",
      regions: "all",
    })
  ).rolloutId;
  await h.runner.tick();
  expect(phases(h.db)["us-east"]).toBe("awaiting_approval");
});
afterEach(() => h.cleanup());

const usEast = () => ({ rolloutId, regionId: "us-east" });

async function refusal(fn: () => unknown): Promise<ServiceError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ServiceError) return err;
    throw err;
  }
  throw new Error("expected a refusal");
}

describe("the approval gate", () => {
  it("needs one functional and one SRE approval from two people other than the initiator", async () => {
    const own = await refusal(() => approveGate(h.as(ada), { ...usEast(), as: "sre" }));
    expect(own.code).toBe("FORBIDDEN");
    expect(own.message).toContain("You started this rollout");

    await approveGate(h.as(rafael), usEast());
    const twice = await refusal(() => approveGate(h.as(rafael), { ...usEast(), as: "functional" }));
    expect(twice.code).toBe("CONFLICT");
    expect(twice.message).toContain("each person decides once");
    expect((await refusal(() => approveGate(h.as(rafael), { ...usEast(), as: "sre" }))).code).toBe("FORBIDDEN");

    await h.runner.tick();
    expect(phases(h.db)["us-east"]).toBe("awaiting_approval");

    const tokenActor: Actor = { kind: "token", id: "ci", name: "CI", roles: ["admin"] };
    expect((await refusal(() => approveGate(h.as(tokenActor), usEast()))).code).toBe("FORBIDDEN");

    await approveGate(h.as(sam), usEast());
    await h.runner.tick();
    expect(phases(h.db)["us-east"]).not.toBe("awaiting_approval");
    expect(h.world.deployCalls.map((c) => c.region)).toEqual(["us-east"]);
    expect(eventsOf(h.db, { type: "approval.granted" }).map((e) => [e.actor, (e.data as { kind: string }).kind])).toEqual([
      ["user:rafael", "functional"],
      ["user:sam", "sre"],
    ]);
    expect(h.db.raw.select().from(approvals).all()).toHaveLength(2);
  });

  it("refuses a second functional approval once the functional capacity is filled, and a decision on a region not at its gate", async () => {
    const ines = addUser(h.db, "ines", "Ines", ["reviewer"]);
    await approveGate(h.as(rafael), usEast());
    const full = await refusal(() => approveGate(h.as(ines), usEast()));
    expect(full.code).toBe("CONFLICT");
    expect(full.message).toContain("already given by Rafael");
    expect(full.message).toContain("1 SRE");

    const notYet = await refusal(() => approveGate(h.as(rafael), { rolloutId, regionId: "eu-west" }));
    expect(notYet.code).toBe("PRECONDITION_FAILED");
    expect(notYet.message).toContain("not waiting for approval");
  });

  it("a rejection aborts the region and blocks the ones after it; nothing is deployed", async () => {
    await rejectGate(h.as(sam), { ...usEast(), comment: "schema migration not reviewed" });
    await runUntil(h, () => rolloutRow(h.db, rolloutId).status !== "running");

    expect(phases(h.db)).toEqual({ "us-east": "aborted", "eu-west": "blocked", "apac-se": "blocked" });
    expect(h.world.deployCalls).toHaveLength(0);
    expect(rolloutRow(h.db, rolloutId).status).toBe("failed");
    const rejected = eventsOf(h.db, { type: "approval.rejected" });
    expect(rejected.map((e) => e.actor)).toEqual(["user:sam"]);
    expect(rejected[0].message).toContain("schema migration not reviewed");
    expect(eventsOf(h.db, { type: "gate.rejected" }).map((e) => e.actor)).toEqual(["user:sam"]);
  });
});

describe("approval ahead of the gate (pre-approval)", () => {
  it("is refused, writing nothing, where the environment's policy does not allow it", async () => {
    const early = await refusal(() => approveGate(h.as(rafael), { rolloutId, regionId: "eu-west" }));
    expect(early.code).toBe("PRECONDITION_FAILED");
    expect(early.message).toContain("does not allow approving ahead of it (policies.environments[].preApproval)");
    expect(h.db.raw.select().from(approvals).all()).toHaveLength(0);
    expect(eventsOf(h.db, { type: "approval.granted" })).toHaveLength(0);
    expect((await listPendingGates(h.as(rafael))).flatMap((r) => r.gates.map((g) => g.regionId))).toEqual(["us-east"]);
  });

  it("where allowed, two reviewers approve every gate of a sequential rollout in one visit; each gate still opens only when its region gets there", async () => {
    const pre = createHarness({
      config: demoConfig((raw) => {
        (raw.policies as { environments: Array<Record<string, unknown>> }).environments[0].preApproval = true;
      }),
    });
    try {
      const [starter, functional, sre] = [
        addUser(pre.db, "ada", "Ada", ["admin"]),
        addUser(pre.db, "rafael", "Rafael", ["reviewer"]),
        addUser(pre.db, "sam", "Sam", ["sre"]),
      ];
      const id = (
        await startRollout(pre.as(starter), {
          serviceId: "api",
          artifact: { version: "2.0.0", digest: DIGEST_A, ...BUILT },
          strategy: "sequential",
          regions: "all",
        })
      ).rolloutId;
      await pre.runner.tick();
      const listed = (await listPendingGates(pre.as(sam))).flatMap((r) => r.gates.map((g) => [g.regionId, g.ahead, g.stillNeeded]));
      expect(listed).toEqual([
        ["us-east", false, "1 reviewer and 1 SRE"],
        ["eu-west", true, "1 reviewer and 1 SRE"],
        ["apac-se", true, "1 reviewer and 1 SRE"],
      ]);
      expect(await countGatesWaitingFor(pre.as(sam))).toBe(1);

      // A rejection ahead of the gate is not a thing: only the gate itself can be rejected.
      expect((await refusal(() => rejectGate(pre.as(sam), { rolloutId: id, regionId: "eu-west", comment: "no" }))).code).toBe("PRECONDITION_FAILED");
      const first = await approveGate(pre.as(functional), { rolloutId: id, regionId: "eu-west" });
      expect(first).toMatchObject({ ahead: true, kind: "functional" });
      expect(first.message).toBe(
        "You approved eu-west ahead of its gate (it counts when the region gets there) as reviewer (1 of 1 reviewer, 0 of 1 SRE). Still needed: 1 SRE.",
      );
      for (const regionId of ["us-east", "eu-west", "apac-se"]) {
        if (regionId !== "eu-west") await approveGate(pre.as(functional), { rolloutId: id, regionId });
        await approveGate(pre.as(sre), { rolloutId: id, regionId });
      }
      expect(pre.db.raw.select().from(approvals).all()).toHaveLength(6);
      expect(await countGatesWaitingFor(pre.as(sam))).toBe(0);
      // Nothing started early: eu-west and apac-se still wait for the region before them.
      await pre.runner.tick();
      expect(phases(pre.db)).toMatchObject({ "eu-west": "pending", "apac-se": "pending" });

      await runUntil(pre, () => rolloutRow(pre.db, id).status !== "running");
      expect(rolloutRow(pre.db, id).status).toBe("succeeded");
      const ordered = eventsOf(pre.db).filter((e) => ["gate.opened", "gate.approved", "region.succeeded"].includes(e.type));
      expect(ordered.map((e) => `${e.type} ${e.regionId}`)).toEqual([
        "gate.opened us-east",
        "gate.approved us-east",
        "region.succeeded us-east",
        "gate.opened eu-west",
        "gate.approved eu-west",
        "region.succeeded eu-west",
        "gate.opened apac-se",
        "gate.approved apac-se",
        "region.succeeded apac-se",
      ]);
      expect(eventsOf(pre.db, { type: "approval.granted" }).filter((e) => (e.data as { ahead?: boolean }).ahead)).toHaveLength(4);
    } finally {
      pre.cleanup();
    }
  });

  it("counts for the navigation only the gates reached that this person may still decide", async () => {
    expect(await countGatesWaitingFor(h.as(rafael))).toBe(1);
    expect(await countGatesWaitingFor(h.as(ada))).toBe(0); // she started it
    const stillNeeded = async () => (await getRolloutView(h.as(rafael), rolloutId)).regions.map((r) => [r.regionId, r.stillNeeded]);
    expect(await stillNeeded()).toEqual([
      ["us-east", "1 reviewer and 1 SRE"],
      ["eu-west", null],
      ["apac-se", null],
    ]);
    await approveGate(h.as(rafael), usEast());
    expect(await stillNeeded()).toEqual([
      ["us-east", "1 SRE"],
      ["eu-west", null],
      ["apac-se", null],
    ]);
    expect(await countGatesWaitingFor(h.as(rafael))).toBe(0);
    expect(await countGatesWaitingFor(h.as(sam))).toBe(1);
    expect(await countGatesWaitingFor(h.as({ kind: "user", id: "vic", name: "Vic", roles: ["viewer"] }))).toBe(0);
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILT } from "./ci-webhook.fixtures";
import { approvals } from "@/db/schema";
import type { Actor } from "@/server/actor";
import { addUser, createHarness, DIGEST_A, eventsOf, phases, rolloutRow, runUntil, type Harness } from "@/server/engine/runner/test-fixtures";
import { approveGate, rejectGate } from "./approvals";
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

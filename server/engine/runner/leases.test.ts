import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startRollout } from "@/server/services/rollouts";
import { addUser, createHarness, demoConfig, DIGEST_A, type Harness } from "./test-fixtures";

let h: Harness;
beforeEach(() => {
  h = createHarness({
    config: demoConfig((raw) => ((raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }])),
    leaseTtlMs: 60_000,
  });
});
afterEach(() => h.cleanup());

describe("leases", () => {
  it("one owner at a time: renewable by its owner, taken over only once expired or released", async () => {
    expect(await h.db.leases.acquire("rollout:r1", "a", 1_000, 10_000)).toBe(11_000);
    expect(await h.db.leases.acquire("rollout:r1", "b", 5_000, 10_000)).toBeNull();
    expect(await h.db.leases.acquire("rollout:r1", "a", 6_000, 10_000)).toBe(16_000);
    expect(await h.db.leases.acquire("rollout:r1", "b", 15_000, 10_000)).toBeNull();
    expect(await h.db.leases.acquire("rollout:r1", "b", 16_001, 10_000)).toBe(26_001);
    expect(await h.db.leases.holder("rollout:r1", 17_000)).toBe("b");
    await h.db.leases.release("rollout:r1", "a"); // not a's any more: no effect
    expect(await h.db.leases.holder("rollout:r1", 17_000)).toBe("b");
    await h.db.leases.release("rollout:r1", "b");
    expect(await h.db.leases.acquire("rollout:r1", "a", 17_000, 10_000)).toBe(27_000);
  });

  it("renews in bulk only the leases the owner still holds, even past their expiry, never another runner's", async () => {
    await h.db.leases.acquire("rollout:r1", "a", 1_000, 10_000);
    await h.db.leases.acquire("rollout:r2", "a", 1_000, 10_000);
    await h.db.leases.acquire("rollout:r3", "b", 1_000, 10_000);
    await h.db.leases.acquire("rollout:r2", "b", 12_000, 10_000); // a's lease on r2 expired and b took it

    const renewed = await h.db.leases.renewHeld(["rollout:r1", "rollout:r2", "rollout:r3"], "a", 12_000, 10_000);

    expect([...renewed]).toEqual(["rollout:r1"]);
    expect(await h.db.leases.holder("rollout:r1", 21_000)).toBe("a");
    expect(await h.db.leases.holder("rollout:r2", 21_000)).toBe("b");
    expect(await h.db.leases.holder("rollout:r3", 10_000)).toBe("b");
    expect(await h.db.leases.acquire("rollout:r1", "b", 21_000, 10_000)).toBeNull();
  });

  it("renews more leases than one statement takes", async () => {
    const names = Array.from({ length: 1_200 }, (_, i) => `rollout:r${i}`);
    for (const name of names) await h.db.leases.acquire(name, "a", 1_000, 10_000);
    expect((await h.db.leases.renewHeld(names, "a", 8_000, 10_000)).size).toBe(1_200);
    expect(await h.db.leases.holder("rollout:r1199", 17_000)).toBe("a");
  });

  it("a second runner cannot reconcile a rollout another holds until that lease expires", async () => {
    const dana = addUser(h.db, "dana", "Dana", ["deployer"]);
    await startRollout(h.as(dana), {
      serviceId: "api",
      artifact: { version: "1.0.0", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
      strategy: "parallel",
      regions: ["us-east", "eu-west"],
    });
    const a = h.runner;
    const b = h.newRunner("runner-b");

    expect((await a.tick()).reconciled).toHaveLength(2); // both deploy (20 s) and start their first stage
    h.clock.advance(30_000); // the first samples are due
    expect(await b.tick()).toMatchObject({ leased: [], reconciled: [] });
    expect((await a.tick()).reconciled).toHaveLength(2);

    h.clock.advance(60_001); // a stopped renewing (as if it died)
    const takeover = await b.tick();
    expect(takeover.leased).toHaveLength(1);
    expect(takeover.reconciled).toHaveLength(2);
    h.clock.advance(30_000);
    expect(await a.tick()).toMatchObject({ reconciled: [] });
  });
});

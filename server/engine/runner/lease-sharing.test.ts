import { afterEach, beforeEach, expect, it } from "vitest";
import { leases } from "@/db/schema";
import { startRollout } from "@/server/services/rollouts";
import type { Runner } from "./runner";
import { addUser, createHarness, demoConfig, DIGEST_A, type Harness } from "./test-fixtures";

const TTL_MS = 15_000;
const SERVICES = 10;

let h: Harness;
beforeEach(async () => {
  // Ten services in three regions: thirty rollouts of one region each, running at once.
  h = createHarness({
    leaseTtlMs: TTL_MS,
    config: demoConfig((raw) => {
      raw.services = Array.from({ length: SERVICES }, (_, i) => ({ id: `svc-${i}`, name: `Service ${i}`, strategyPolicy: "off" }));
      (raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }];
      for (const region of raw.regions as Array<Record<string, unknown>>) region.deploy = { provider: "simulated", seconds: 0 };
    }),
  });
  const dana = addUser(h.db, "dana", "Dana", ["deployer"]);
  for (let i = 0; i < SERVICES; i++)
    for (const region of ["us-east", "eu-west", "apac-se"])
      await startRollout(h.as(dana), {
        serviceId: `svc-${i}`,
        artifact: { version: "1.0.0", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
        strategy: "parallel",
        regions: [region],
      });
});
afterEach(() => h.cleanup());

/** Each runner ticks once, then a second passes: the runners of a fleet scan their leases about once a second. */
async function seconds(runners: Runner[], n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    for (const runner of runners) expect((await runner.tick()).errors).toBe(0);
    h.clock.advance(1_000);
  }
}

/** Unexpired leases per owner, as the database has them. */
function held(): Record<string, number> {
  const now = h.clock.now();
  const counts: Record<string, number> = {};
  for (const lease of h.db.raw.select().from(leases).all()) if (lease.expiresAt >= now) counts[lease.owner] = (counts[lease.owner] ?? 0) + 1;
  return counts;
}

it("three runners on one store share thirty rollouts ten each, and the two left take a silent one's share within one TTL", async () => {
  const [a, b, c] = [h.runner, h.newRunner("runner-b"), h.newRunner("runner-c")];
  await seconds([a], 1);
  expect(held()).toEqual({ "runner-a": 30 }); // alone, a takes them all

  await seconds([a, b, c], 3); // b and c join: a hands its surplus back at its next scan, they take it
  expect(held()).toEqual({ "runner-a": 10, "runner-b": 10, "runner-c": 10 });

  // c stops renewing (its process froze): its leases lapse within one TTL of its last tick, and the others,
  // counting it out once its heartbeat is stale, take them.
  await seconds([a, b], TTL_MS / 1_000 + 1);
  expect(held()).toEqual({ "runner-a": 15, "runner-b": 15 });
  expect(await c.tick()).toMatchObject({ leased: [], reconciled: [] });
});

it("a replica that joins gets its share: the others hand their surplus back at a pass boundary", async () => {
  const [a, b, d] = [h.runner, h.newRunner("runner-b"), h.newRunner("runner-d")];
  await seconds([a, b], 3);
  expect(held()).toEqual({ "runner-a": 15, "runner-b": 15 });
  await seconds([a, b, d], 2);
  expect(held()).toEqual({ "runner-a": 10, "runner-b": 10, "runner-d": 10 });
  await seconds([a, b, d], 30);
  expect(held()).toEqual({ "runner-a": 10, "runner-b": 10, "runner-d": 10 }); // and it stays so
});

it("stop() hands the leases back and leaves the live count: the other runner takes them at its next scan", async () => {
  const [a, b] = [h.runner, h.newRunner("runner-b")];
  await seconds([a, b], 3);
  expect(held()).toEqual({ "runner-a": 15, "runner-b": 15 });
  await b.stop();
  await seconds([a], 1);
  expect(held()).toEqual({ "runner-a": 30 });
});

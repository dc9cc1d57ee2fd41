/**
 * A runner's pass starts from the row its tick's scan read (no read of its own), and reads the row afresh before
 * any effect on the world: a person's command saved between the scan and the effect stops the pass, and nothing
 * is done on the decision the database moved past.
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import type { Actor } from "@/server/actor";
import { eventConsumers } from "@/server/engine/outbox/consumers";
import { pauseRegion } from "@/server/services/region-commands";
import { startRollout } from "@/server/services/rollouts";
import { cachedProviders } from "./providers";
import { reconcileRegionRollout, type ReconcileDeps } from "./reconcile";
import { addUser, createHarness, demoConfig, DIGEST_A, regionRolloutOf, type Harness } from "./test-fixtures";

let h: Harness;
let dana: Actor;
let deps: ReconcileDeps;
let rolloutId: string;

beforeEach(async () => {
  h = createHarness({ config: demoConfig((raw) => (raw.policies = { allowedRefs: ["refs/heads/main"], environments: [{ match: "*", protected: false }] })) });
  dana = addUser(h.db, "dana", "Dana", ["deployer"]);
  ({ rolloutId } = await startRollout(h.as(dana), {
    serviceId: "api",
    artifact: { version: "1.4.2", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
    strategy: "parallel",
    regions: ["us-east"],
  }));
  deps = { db: h.db, config: h.config, clock: h.clock, providersFor: cachedProviders(h.config, h.world, h.clock), consumers: eventConsumers(h.config) };
  // One action: pending to deploying. The next decision is the deploy itself.
  await reconcileRegionRollout({ ...deps, maxActions: 1 }, regionRolloutOf(h.db, rolloutId, "us-east").id);
  expect(regionRolloutOf(h.db, rolloutId, "us-east").phase).toBe("deploying");
});
afterEach(() => h.cleanup());

it("deploys from the scanned row when nothing changed since the scan", async () => {
  const scanned = regionRolloutOf(h.db, rolloutId, "us-east");
  const result = await reconcileRegionRollout({ ...deps, scanned, maxActions: 1 }, scanned.id);
  expect(result.outcome).not.toBe("lost");
  expect(h.world.deployCalls.map((d) => d.region)).toEqual(["us-east"]);
});

it("does not deploy when a person paused the region after the scan: the pass stops, and the next one sees the pause", async () => {
  const scanned = regionRolloutOf(h.db, rolloutId, "us-east");
  await pauseRegion(h.as(dana), { rolloutId, regionId: "us-east", reason: "hold on" });

  expect(await reconcileRegionRollout({ ...deps, scanned }, scanned.id)).toEqual({ outcome: "lost", actions: 0, nextTickAt: null });
  expect(h.world.deployCalls).toEqual([]);

  const fresh = regionRolloutOf(h.db, rolloutId, "us-east");
  expect(fresh.paused).toBe(true);
  expect((await reconcileRegionRollout({ ...deps, scanned: fresh }, fresh.id)).outcome).toBe("waiting");
  expect(h.world.deployCalls).toEqual([]);
});

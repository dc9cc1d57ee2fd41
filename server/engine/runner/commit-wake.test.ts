/**
 * A sleeping runner hears the store's commits: a one-click rollback given while it sleeps until the next sample
 * (30 s away) is carried out at once. The runner here never looks at the store on its own for a minute (`pollMs`
 * and `maxSleepMs`), so only the commit signal can wake it before the sample is due.
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import { events, samples } from "@/db/schema";
import { realClock } from "@/server/engine/clock";
import { rollbackRegion } from "@/server/services/region-commands";
import { startRollout } from "@/server/services/rollouts";
import { cachedProviders } from "./providers";
import { Runner } from "./runner";
import { addUser, createHarness, demoConfig, DIGEST_A, regionRolloutOf, type Harness } from "./test-fixtures";

let h: Harness;
let runner: Runner;
beforeEach(() => {
  h = createHarness({
    config: demoConfig((raw) => {
      (raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }];
      // A deploy of half a second (20 s in the demo fleet): the test waits for the canary in real time.
      for (const region of raw.regions as Array<{ deploy: { seconds: number } }>) region.deploy.seconds = 0.5;
    }),
  });
  const providersFor = cachedProviders(h.config, h.world, realClock);
  runner = new Runner({ db: h.db, config: h.config, clock: realClock, providersFor, id: "sleeper", pollMs: 60_000, maxSleepMs: 60_000 });
});
afterEach(async () => {
  await runner.stop();
  h.cleanup();
});

async function until(what: string, done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!done()) {
    if (Date.now() - started > timeoutMs)
      throw new Error(
        `not within ${timeoutMs} ms: ${what}; ${JSON.stringify(
          h.db.raw
            .select()
            .from(events)
            .all()
            .map((e) => e.message),
        )}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it("carries out a rollback given while it sleeps until the next sample, without waiting for its next look", async () => {
  const sam = addUser(h.db, "sam", "Sam", ["sre"]);
  const ctx = { ...h.as(sam), clock: realClock };
  const { rolloutId } = await startRollout(ctx, {
    serviceId: "api",
    artifact: { version: "1.0.0", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
    strategy: "parallel",
    regions: ["us-east"],
  });
  await runner.start();
  const region = () => regionRolloutOf(h.db, rolloutId, "us-east");
  await until("us-east in its first canary stage", () => region().phase === "canary" && h.world.weightOf("us-east").green > 0);
  // Its first sample is 30 s away (the demo fleet's analysis interval): the runner sleeps until then.
  expect(region().nextTickAt! - Date.now()).toBeGreaterThan(20_000);
  await new Promise((resolve) => setTimeout(resolve, 200));

  await rollbackRegion(ctx, { serviceId: "api", regionId: "us-east" });
  await until("the rollback carried out", () => region().phase === "rolled_back");
  expect(h.world.weightOf("us-east")).toEqual({ blue: 100, green: 0 });
  expect(h.db.raw.select().from(samples).all()).toHaveLength(0);
});

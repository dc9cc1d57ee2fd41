/**
 * A freeze window of the config, through the real runner: a canary running when the window opens holds at its next
 * traffic increase (sampled all along), and goes on by itself when the window closes.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Actor } from "@/server/actor";
import { startRollout } from "@/server/services/rollouts";
import { BUILT } from "@/server/services/ci-webhook.fixtures";
import { addUser, createHarness, demoConfig, DIGEST_A, eventsOf, regionRolloutOf, runUntil, type Harness } from "./test-fixtures";

// The harness's clock starts on Monday 2025-01-06 at 09:00 UTC; the window opens two minutes later, for an hour.
const OPENS = Date.UTC(2025, 0, 6, 9, 2);
const CLOSES = Date.UTC(2025, 0, 6, 10, 2);

let h: Harness;
let dana: Actor;
beforeEach(() => {
  h = createHarness({
    config: demoConfig((raw) => {
      (raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }];
      raw.freezes = [
        {
          id: "db-maintenance",
          reason: "database maintenance",
          environments: ["production-us-east"],
          once: { from: "2025-01-06 09:02", to: "2025-01-06 10:02" },
        },
      ];
    }),
  });
  dana = addUser(h.db, "dana", "Dana", ["deployer"]);
});
afterEach(() => h.cleanup());

describe("a freeze window opening on a running canary", () => {
  it("holds it at its next traffic increase until the window closes, then it goes on to success", async () => {
    const { rolloutId } = await startRollout(h.as(dana), {
      serviceId: "api",
      artifact: { version: "1.4.2", digest: DIGEST_A, ...BUILT },
      strategy: "parallel",
      regions: ["us-east"],
    });
    const row = () => regionRolloutOf(h.db, rolloutId, "us-east");
    await runUntil(h, () => h.clock.now() >= CLOSES - 60_000);
    const held = row();
    expect(held.phase).toBe("canary");
    expect(held.freezeHeldAt).toBeGreaterThanOrEqual(OPENS);
    // Held at the 10 % stage it was in, and still sampled near the end of the window.
    expect(held.canaryPct).toBe(10);
    expect(held.lastSampleAt).toBeGreaterThan(CLOSES - 5 * 60_000);
    expect(eventsOf(h.db, { type: "region.freeze_held" })).toEqual([
      expect.objectContaining({
        message: expect.stringContaining(
          'us-east holds before the 25 % stage: the freeze window "db-maintenance" (database maintenance) until Mon 2025-01-06 10:02 UTC.',
        ),
      }),
    ]);

    await runUntil(h, () => row().phase === "succeeded");
    const [released] = eventsOf(h.db, { type: "region.freeze_released" });
    expect(released.at).toBeGreaterThanOrEqual(CLOSES);
    expect(eventsOf(h.db, { type: "stage.started" }).filter((e) => e.at > OPENS && e.at < CLOSES)).toEqual([]);
  });
});

/** The history pages by its order's key (createdAt, id): rollouts that share a millisecond are each listed once. */
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rollouts } from "@/db/schema";
import type { Actor } from "@/server/actor";
import { addUser, createHarness, DIGEST_A, type Harness } from "@/server/engine/runner/test-fixtures";
import { BUILT } from "./ci-webhook.fixtures";
import { listRolloutHistory } from "./rollout-view";
import { startRollout } from "./rollouts";

let h: Harness;
let dana: Actor;
let ids: string[];
const SAME_MS = 1_780_000_000_123;

beforeEach(async () => {
  h = createHarness();
  dana = addUser(h.db, "dana", "Dana", ["deployer"]);
  // Three rollouts (one per region) created in the same millisecond, as a burst of CI deliveries can be.
  ids = [];
  for (const regionId of ["us-east", "eu-west", "apac-se"]) {
    ids.push(
      (
        await startRollout(h.as(dana), {
          serviceId: "api",
          artifact: { version: "2.0.0", digest: DIGEST_A, ...BUILT },
          strategy: "parallel",
          regions: [regionId],
        })
      ).rolloutId,
    );
  }
  h.db.raw.update(rollouts).set({ createdAt: SAME_MS }).run();
});
afterEach(() => h.cleanup());

describe("rollout history pages", () => {
  it("lists every rollout exactly once when a page boundary falls inside one millisecond", async () => {
    const seen: string[] = [];
    let before: string | undefined;
    for (let pages = 0; pages < 5; pages++) {
      const page = await listRolloutHistory(h.as(dana), { limit: 2, before });
      seen.push(...page.items.map((r) => r.id));
      if (page.nextBefore === null) break;
      before = page.nextBefore;
    }
    expect(seen).toHaveLength(3);
    expect([...seen].sort()).toEqual([...ids].sort());
    // Newest first, and within one millisecond by id, as the dashboard shows them.
    expect(seen).toEqual([...ids].sort().reverse());
  });

  it("still reads an old link's bare createdAt (deprecated): rollouts older than that millisecond", async () => {
    h.db.raw
      .update(rollouts)
      .set({ createdAt: SAME_MS - 1 })
      .where(eq(rollouts.id, ids[0]))
      .run();
    expect((await listRolloutHistory(h.as(dana), { before: SAME_MS })).items.map((r) => r.id)).toEqual([ids[0]]);
  });

  it("refuses a cursor that is not one, naming the field", async () => {
    await expect(listRolloutHistory(h.as(dana), { before: "yesterday" })).rejects.toThrow(/before: expected the nextBefore cursor/);
  });
});

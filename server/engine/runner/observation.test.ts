import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Actor } from "@/server/actor";
import { startRollout } from "@/server/services/rollouts";
import {
  addUser,
  createHarness,
  demoConfig,
  DIGEST_A,
  eventsOf,
  phases,
  regionRolloutOf,
  regionStateOf,
  rolloutRow,
  runUntil,
  type Harness,
} from "./test-fixtures";

const MIN = 60_000;
let h: Harness;
let dana: Actor;

beforeEach(() => {
  h = createHarness({ config: demoConfig((raw) => ((raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }])) });
  dana = addUser(h.db, "dana", "Dana", ["deployer"]);
});
afterEach(() => h.cleanup());

const start = async () =>
  (
    await startRollout(h.as(dana), {
      serviceId: "api",
      artifact: { version: "1.0.0", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
      strategy: "delayed",
      delayMinutes: 90,
      regions: ["us-east", "eu-west"],
    })
  ).rolloutId;
const row = (rolloutId: string, region: string) => regionRolloutOf(h.db, rolloutId, region);

describe("the observation period of a delayed rollout", () => {
  it("keeps sampling the region that succeeded; a regression there rolls it back to the previous release and blocks the next region", async () => {
    const rolloutId = await start();
    await runUntil(h, () => row(rolloutId, "us-east").phase === "succeeded", undefined, 20_000);
    const succeededAt = row(rolloutId, "us-east").finishedAt!;
    expect(row(rolloutId, "us-east").observeUntil).toBe(succeededAt + 90 * MIN);
    expect(regionStateOf(h.db, "us-east")).toMatchObject({ liveColour: "green", greenPct: 100 });

    // 40 minutes into the observation period the release starts failing in us-east.
    await runUntil(h, () => h.clock.now() >= succeededAt + 40 * MIN, undefined, 20_000);
    expect(rolloutRow(h.db, rolloutId).status).toBe("running");
    expect(row(rolloutId, "eu-west").phase).toBe("pending");
    h.world.injectFault("us-east", 100, { errorRatePct: 5 });

    await runUntil(h, () => row(rolloutId, "eu-west").phase === "blocked", undefined, 20_000);
    expect(phases(h.db)).toEqual({ "us-east": "rolled_back", "eu-west": "blocked" });
    const us = row(rolloutId, "us-east");
    expect(us.finishedAt! - succeededAt).toBeLessThan(41 * MIN + 30_000);
    expect(us.outcomeReason).toMatch(/^rolled back during its observation period after error rate 5 % /);
    expect(us.observeUntil).toBeNull();
    expect(h.world.weightOf("us-east")).toEqual({ blue: 100, green: 0 });
    expect(regionStateOf(h.db, "us-east")).toMatchObject({ liveColour: "blue", greenPct: 0 });
    expect(rolloutRow(h.db, rolloutId).status).toBe("failed");
    // eu-west never deployed.
    expect(h.world.deployCalls.filter((c) => c.region === "eu-west")).toEqual([]);
    const [rolledBack] = eventsOf(h.db, { type: "region.rolled_back", regionId: "us-east" });
    expect(rolledBack.message).toContain("during its observation period after error rate 5 %");
  });

  it("ends quietly when nothing breaches: the next region starts after it, and the rollout succeeds", async () => {
    const rolloutId = await start();
    await runUntil(h, () => row(rolloutId, "us-east").phase === "succeeded", undefined, 20_000);
    const succeededAt = row(rolloutId, "us-east").finishedAt!;
    await runUntil(h, () => row(rolloutId, "eu-west").phase !== "pending", undefined, 20_000);
    expect(h.clock.now()).toBeGreaterThanOrEqual(succeededAt + 90 * MIN);
    expect(row(rolloutId, "us-east").observeUntil).toBeNull();
    expect(eventsOf(h.db, { type: "region.observed", regionId: "us-east" })).toHaveLength(1);
    await runUntil(h, () => rolloutRow(h.db, rolloutId).status !== "running", undefined, 20_000);
    expect(phases(h.db)).toEqual({ "us-east": "succeeded", "eu-west": "succeeded" });
    // The last region has none after it to protect: it is not observed.
    expect(row(rolloutId, "eu-west").observeUntil).toBeNull();
  });
});

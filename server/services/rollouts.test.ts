import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILT } from "./ci-webhook.fixtures";
import { artifacts, regionRollouts, rollouts, stages } from "@/db/schema";
import type { Actor } from "@/server/actor";
import { addUser, createHarness, DIGEST_A, DIGEST_B, eventsOf, regionStateOf, type Harness } from "@/server/engine/runner/test-fixtures";
import { registerArtifact } from "./artifacts";
import { ServiceError } from "./errors";
import { startRollout } from "./rollouts";

let h: Harness;
let dana: Actor;

beforeEach(() => {
  h = createHarness();
  dana = addUser(h.db, "dana", "Dana", ["deployer"]);
});
afterEach(() => h.cleanup());

async function caught(fn: () => unknown): Promise<ServiceError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ServiceError) return err;
    throw err;
  }
  throw new Error("expected a ServiceError");
}

describe("registerArtifact", () => {
  it("keeps one digest per version: the same digest again is a no-op, another digest is a conflict naming both", async () => {
    const first = await registerArtifact(h.as(dana), { serviceId: "api", version: "1.4.2", digest: DIGEST_A });
    const again = await registerArtifact(h.as(dana), { serviceId: "api", version: "1.4.2", digest: DIGEST_A });
    expect(first.created).toBe(true);
    expect(again).toEqual({ artifact: first.artifact, created: false });

    const err = await caught(() => registerArtifact(h.as(dana), { serviceId: "api", version: "1.4.2", digest: DIGEST_B }));
    expect(err.code).toBe("CONFLICT");
    expect(err.message).toContain(DIGEST_A);
    expect(err.message).toContain(DIGEST_B);
    expect(h.db.raw.select().from(artifacts).all()).toHaveLength(1);
    expect(eventsOf(h.db, { type: "artifact.registered" })).toHaveLength(1);
  });

  it("refuses a malformed digest and a viewer", async () => {
    expect((await caught(() => registerArtifact(h.as(dana), { serviceId: "api", version: "1", digest: "sha256:xyz" }))).code).toBe("BAD_REQUEST");
    const vera = addUser(h.db, "vera", "Vera", ["viewer"]);
    expect((await caught(() => registerArtifact(h.as(vera), { serviceId: "api", version: "1", digest: DIGEST_A }))).code).toBe("FORBIDDEN");
  });
});

describe("startRollout", () => {
  it("plans the regions in config order, claims each region and writes its stages and the started event", async () => {
    const started = await startRollout(h.as(dana), {
      serviceId: "api",
      artifact: { version: "1.4.2", digest: DIGEST_A, ...BUILT },
      strategy: "delayed",
      delayMinutes: 90,
      regions: ["apac-se", "us-east"],
    });
    expect(started.regions.map((r) => r.regionId)).toEqual(["us-east", "apac-se"]);
    expect(started.plan.delayMs).toBe(90 * 60_000);
    const rows = h.db.raw.select().from(regionRollouts).all();
    expect(rows.map((r) => [r.regionId, r.position, r.phase, r.fromColour, r.toColour])).toEqual([
      ["us-east", 0, "pending", "blue", "green"],
      ["apac-se", 1, "pending", "blue", "green"],
    ]);
    expect(h.db.raw.select().from(stages).all()).toHaveLength(10);
    expect(regionStateOf(h.db, "us-east").activeRegionRolloutId).toBe(rows[0].id);
    expect(regionStateOf(h.db, "eu-west").activeRegionRolloutId).toBeNull();
    const [event] = eventsOf(h.db, { type: "rollout.started" });
    expect(event).toMatchObject({ actor: "user:dana", rolloutId: started.rolloutId, correlationId: started.correlationId });
  });

  it("refuses a region already in a rollout of the same service, and writes nothing", async () => {
    await startRollout(h.as(dana), {
      serviceId: "api",
      artifact: { version: "1.4.2", digest: DIGEST_A, ...BUILT },
      strategy: "sequential",
      regions: ["eu-west"],
    });
    const err = await caught(() =>
      startRollout(h.as(dana), { serviceId: "api", artifact: { version: "1.4.3", digest: DIGEST_B, ...BUILT }, strategy: "parallel", regions: "all" }),
    );
    expect(err.code).toBe("CONFLICT");
    expect(err.message).toContain("eu-west is already in rollout");
    expect(h.db.raw.select().from(rollouts).all()).toHaveLength(1);
    expect(h.db.raw.select().from(regionRollouts).all()).toHaveLength(1);
    expect(h.db.raw.select().from(artifacts).all()).toHaveLength(1);
    expect(regionStateOf(h.db, "us-east").activeRegionRolloutId).toBeNull();
  });

  it("refuses a delay outside 30 to 240 minutes, unknown regions, a disallowed branch and a viewer", async () => {
    const base = { serviceId: "api", artifact: { version: "1", digest: DIGEST_A, ...BUILT } };
    expect((await caught(() => startRollout(h.as(dana), { ...base, strategy: "delayed", delayMinutes: 20 }))).message).toContain("from 30 to 240");
    expect((await caught(() => startRollout(h.as(dana), { ...base, strategy: "parallel", regions: ["mars"] }))).message).toContain('"mars"');
    const feature = { ...base, artifact: { ...base.artifact, sourceRef: "refs/heads/feature/x" } };
    expect((await caught(() => startRollout(h.as(dana), { ...feature, strategy: "parallel" }))).code).toBe("PRECONDITION_FAILED");
    const vera = addUser(h.db, "vera", "Vera", ["viewer"]);
    expect((await caught(() => startRollout(h.as(vera), { ...base, strategy: "parallel" }))).code).toBe("FORBIDDEN");
    expect(h.db.raw.select().from(rollouts).all()).toHaveLength(0);
  });
});

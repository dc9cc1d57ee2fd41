import { and, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { events, regionStates, rollouts } from "@/db/schema";
import type { Actor } from "@/server/actor";
import { addUser, createHarness, demoConfig, DIGEST_A, DIGEST_B, type Harness } from "@/server/engine/runner/test-fixtures";
import { registerArtifact } from "./artifacts";
import { ServiceError } from "./errors";
import { previewPlan, startOptions } from "./rollout-plan-preview";
import { startRollout, type StartRolloutInput } from "./rollouts";

let h: Harness;
let dana: Actor;

const MIN = 60_000;
/** The demo fleet: a simulated deploy takes 20 s, then 5 + 5 + 5 + 5 + 30 minutes of stages. */
const REGION_MS = 20_000 + 50 * MIN;

beforeEach(async () => {
  // apac-se goes first (config order is `order`, not the file's order) and has no gate (not a production environment).
  h = createHarness({
    config: demoConfig((raw) => {
      const regions = raw.regions as Array<Record<string, unknown>>;
      Object.assign(
        regions.find((r) => r.id === "apac-se")!,
        { order: 0, environment: "staging-apac-se" },
      );
      (raw.policies as { environments: unknown[] }).environments.push({ match: "staging-*", protected: false });
    }),
  });
  dana = addUser(h.db, "dana", "Dana", ["deployer"]);
});
afterEach(() => h.cleanup());

async function register(version: string, digest: string, extra: { sourceRef?: string; commitSha?: string } = {}) {
  // Built from main unless said otherwise: protected environments need a source ref and commit.
  const { artifact } = await registerArtifact(h.as(dana), {
    serviceId: "api",
    version,
    digest,
    sourceRef: "refs/heads/main",
    commitSha: "0123456789abcdef0123456789abcdef01234567",
    ...extra,
  });
  h.clock.advance(MIN);
  return artifact;
}

function makeLive(regionId: string, artifactId: string) {
  h.db.raw
    .update(regionStates)
    .set({ liveArtifactId: artifactId, liveColour: "green" })
    .where(and(eq(regionStates.serviceId, "api"), eq(regionStates.regionId, regionId)))
    .run();
}

async function refusal(fn: () => unknown): Promise<ServiceError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ServiceError) return err;
    throw err;
  }
  throw new Error("expected a ServiceError");
}

describe("startOptions", () => {
  it("offers each service's registered artifacts newest first with where each is live, and its regions in config order with their gates", async () => {
    const old = await register("1.4.1", DIGEST_A, { sourceRef: "refs/heads/main", commitSha: "abc1234" });
    await register("1.4.2", DIGEST_B);
    makeLive("us-east", old.id);
    makeLive("apac-se", old.id);
    const { rolloutId } = await startRollout(h.as(dana), { serviceId: "api", artifactId: old.id, strategy: "parallel", regions: ["eu-west"] });

    const options = await startOptions(h.as(dana));
    expect(options.strategies).toEqual(["sequential", "delayed", "parallel"]);
    expect(options.delay).toEqual({ min: 30, max: 240, default: 90 });
    const [api] = options.services;
    expect(api.id).toBe("api");
    expect(api.artifacts.map((a) => [a.version, a.liveIn])).toEqual([
      ["1.4.2", []],
      ["1.4.1", ["apac-se", "us-east"]],
    ]);
    expect(api.artifacts[1]).toMatchObject({ digest: DIGEST_A, commitSha: "abc1234", sourceRef: "refs/heads/main", registeredAt: old.createdAt });
    expect(api.regions).toEqual([
      {
        id: "apac-se",
        name: "APAC Southeast",
        environment: "staging-apac-se",
        reviewers: null,
        live: { version: "1.4.1", colour: "green" },
        activeRolloutId: null,
      },
      {
        id: "us-east",
        name: "US East",
        environment: "production-us-east",
        reviewers: { functional: 1, sre: 1 },
        live: { version: "1.4.1", colour: "green" },
        activeRolloutId: null,
      },
      { id: "eu-west", name: "EU West", environment: "production-eu-west", reviewers: { functional: 1, sre: 1 }, live: null, activeRolloutId: rolloutId },
    ]);
  });

  it("is refused to a viewer", async () => {
    const vera = addUser(h.db, "vera", "Vera", ["viewer"]);
    expect((await refusal(() => startOptions(h.as(vera)))).code).toBe("FORBIDDEN");
    expect((await refusal(() => previewPlan(h.as(vera), { serviceId: "api", strategy: "parallel" }))).code).toBe("FORBIDDEN");
  });
});

describe("previewPlan", () => {
  it("plans a delayed rollout region by region: waves, observation periods, gates and about 5.5 hours in all", async () => {
    const artifact = await register("1.4.2", DIGEST_A);
    const preview = await previewPlan(h.as(dana), { serviceId: "api", artifactId: artifact.id, strategy: "delayed", delayMinutes: 90, regions: "all" });
    expect(preview.problems).toEqual([]);
    expect(preview.plan?.regions.map((r) => [r.regionId, r.wave, r.observeBeforeMs / MIN, r.expectedStartMs, r.expectedEndMs, r.reviewers])).toEqual([
      ["apac-se", 1, 0, 0, REGION_MS, null],
      ["us-east", 2, 90, REGION_MS + 90 * MIN, 2 * REGION_MS + 90 * MIN, { functional: 1, sre: 1 }],
      ["eu-west", 3, 90, 2 * REGION_MS + 180 * MIN, 3 * REGION_MS + 180 * MIN, { functional: 1, sre: 1 }],
    ]);
    expect(preview.plan).toMatchObject({ strategy: "delayed", delayMinutes: 90, expectedDurationMs: 331 * MIN });
    expect(preview.plan?.regions[0].stages.map((s) => [s.percent, s.durationMs / MIN])).toEqual([
      [10, 5],
      [25, 5],
      [50, 5],
      [75, 5],
      [100, 30],
    ]);
  });

  it("starts every region at once in parallel, and the plan is the one the start then runs", async () => {
    const artifact = await register("1.4.2", DIGEST_A);
    const input: StartRolloutInput = { serviceId: "api", artifactId: artifact.id, strategy: "parallel", regions: ["eu-west", "us-east"] };
    const preview = await previewPlan(h.as(dana), input);
    expect(preview.problems).toEqual([]);
    expect(preview.plan?.regions.map((r) => [r.regionId, r.wave, r.expectedStartMs])).toEqual([
      ["us-east", 1, 0],
      ["eu-west", 1, 0],
    ]);
    expect(h.db.raw.select().from(rollouts).all()).toHaveLength(0);

    const started = await startRollout(h.as(dana), input);
    expect(started.plan.expectedDurationMs).toBe(preview.plan?.expectedDurationMs);
    expect(started.plan.regions.map((r) => [r.regionId, r.expectedStartMs, r.expectedEndMs])).toEqual(
      preview.plan?.regions.map((r) => [r.regionId, r.expectedStartMs, r.expectedEndMs]),
    );
  });

  it("names each problem beside its field, in the words the start refuses with, and writes nothing", async () => {
    const main = await register("1.4.2", DIGEST_A, { sourceRef: "refs/heads/main" });
    const feature = await register("1.5.0-rc1", DIGEST_B, { sourceRef: "refs/heads/feature/x" });
    await startRollout(h.as(dana), { serviceId: "api", artifactId: main.id, strategy: "parallel", regions: ["eu-west"] });
    const rolloutsBefore = h.db.raw.select().from(rollouts).all().length;
    const eventsBefore = h.db.raw.select().from(events).all().length;
    const ok = { serviceId: "api", artifactId: main.id, strategy: "parallel" as const, regions: ["us-east"] };

    const cases: Array<[string, StartRolloutInput, string]> = [
      ["delayMinutes", { ...ok, strategy: "delayed", delayMinutes: 20 }, "from 30 to 240"],
      ["delayMinutes", { ...ok, strategy: "delayed", delayMinutes: null }, "got nothing"],
      ["delayMinutes", { ...ok, delayMinutes: 45 }, "applies only to the delayed strategy"],
      ["regions", { ...ok, regions: ["mars"] }, '"mars" is not in the fleet config'],
      ["regions", { ...ok, regions: ["us-east", "eu-west"] }, "eu-west is already in rollout"],
      ["serviceId", { ...ok, serviceId: "billing" }, 'There is no service "billing"'],
      ["artifactId", { ...ok, artifactId: "nope" }, 'There is no artifact "nope" of api'],
      ["artifactId", { ...ok, artifactId: feature.id }, "only take builds from refs/heads/main or refs/heads/release/*"],
    ];
    for (const [field, input, words] of cases) {
      const preview = await previewPlan(h.as(dana), input);
      expect(preview.problems, JSON.stringify(input)).toEqual([{ field, message: expect.stringContaining(words) }]);
      expect((await refusal(() => startRollout(h.as(dana), input))).message).toBe(preview.problems[0].message);
    }
    expect(h.db.raw.select().from(rollouts).all()).toHaveLength(rolloutsBefore);
    expect(h.db.raw.select().from(events).all()).toHaveLength(eventsBefore);
  });

  it("keeps the plan when only the artifact or a busy region is wrong, and drops it when there is nothing to plan", async () => {
    const unknownArtifact = await previewPlan(h.as(dana), { serviceId: "api", artifactId: "nope", strategy: "sequential" });
    expect(unknownArtifact.problems.map((p) => p.field)).toEqual(["artifactId"]);
    expect(unknownArtifact.plan?.regions.map((r) => r.regionId)).toEqual(["apac-se", "us-east", "eu-west"]);
    expect(unknownArtifact.plan?.expectedDurationMs).toBe(3 * REGION_MS);

    const artifact = await register("1.4.2", DIGEST_A);
    await startRollout(h.as(dana), { serviceId: "api", artifactId: artifact.id, strategy: "parallel", regions: ["eu-west"] });
    const busy = await previewPlan(h.as(dana), { serviceId: "api", artifactId: artifact.id, strategy: "sequential" });
    expect(busy.problems.map((p) => p.field)).toEqual(["regions"]);
    expect(busy.plan?.regions).toHaveLength(3);

    expect((await previewPlan(h.as(dana), { serviceId: "api", artifactId: "x", strategy: "delayed", delayMinutes: 241 })).plan).toBeNull();
  });

  it("answers a half-filled or malformed form with problems by field instead of refusing the request", async () => {
    const noArtifact = await previewPlan(h.as(dana), { serviceId: "api", strategy: "sequential" });
    expect(noArtifact.problems).toEqual([{ field: "artifactId", message: expect.stringContaining("artifactId") }]);
    expect(noArtifact.plan?.regions.map((r) => r.regionId)).toEqual(["apac-se", "us-east", "eu-west"]);
    const noArtifactNoDelay = await previewPlan(h.as(dana), { serviceId: "api", strategy: "delayed", regions: ["us-east"] });
    expect(noArtifactNoDelay.problems.map((p) => p.field)).toEqual(["artifactId", "delayMinutes"]);

    const bad = await previewPlan(h.as(dana), { serviceId: "api", artifactId: "x", strategy: "yolo", regions: [], delayMinutes: 45.5 });
    expect(bad.plan).toBeNull();
    expect(bad.problems.map((p) => p.field).sort()).toEqual(["delayMinutes", "regions", "strategy"]);
    expect(bad.problems.find((p) => p.field === "strategy")?.message).toContain('"yolo"');
    expect(bad.problems.find((p) => p.field === "regions")?.message).toBe("expected at least one region");

    expect((await previewPlan(h.as(dana), "not a form")).problems).toEqual([{ field: "input", message: expect.any(String) }]);
  });
});

describe("a quarantined artifact on the start form", () => {
  it("is marked with why in the artifact list, and its preview names the start's refusal beside the artifact", async () => {
    const bad = await register("1.4.2", DIGEST_A);
    const good = await register("1.4.3", DIGEST_B);
    await h.db.quarantines.insert({
      id: "q-1",
      serviceId: "api",
      digest: DIGEST_A,
      artifactId: bad.id,
      version: "1.4.2",
      cause: "error rate 1.2 % > 0.8 % at the 25 % stage",
      regionId: "eu-west",
      rolloutId: "r-1",
      regionRolloutId: "rr-1",
      at: h.clock.now(),
    });
    const api = (await startOptions(h.as(dana))).services.find((s) => s.id === "api")!;
    expect(api.artifacts.find((a) => a.id === bad.id)!.quarantine).toEqual({
      id: "q-1",
      description: "api 1.4.2 (sha256:aaaaaaaaaaaa…) is quarantined: rollout r-1 rolled it back in eu-west after error rate 1.2 % > 0.8 % at the 25 % stage.",
    });
    expect(api.artifacts.find((a) => a.id === good.id)!.quarantine).toBeNull();

    const preview = await previewPlan(h.as(dana), { serviceId: "api", artifactId: bad.id, strategy: "sequential", regions: ["us-east"] });
    expect(preview.problems).toEqual([{ field: "artifactId", message: expect.stringContaining("flightdeck quarantine lift q-1 --reason") }]);
    expect((await previewPlan(h.as(dana), { serviceId: "api", artifactId: good.id, strategy: "sequential", regions: ["us-east"] })).problems).toEqual([]);
  });
});

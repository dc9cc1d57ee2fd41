import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import type { Actor } from "@/server/actor";
import type { SessionUser } from "@/server/auth/session";
import { setConfig } from "@/server/config";
import { DEMO_CONFIG_PATH } from "@/server/config/load";
import { addUser, createHarness, demoConfig, DIGEST_A, phases, runUntil, type Harness } from "@/server/engine/runner/test-fixtures";

let h: Harness;
let dana: Actor;

beforeEach(() => {
  // No approval gates: these tests read what a simulated rollout leaves behind.
  h = createHarness({ config: demoConfig((raw) => ((raw.policies as Record<string, unknown>).environments = [{ match: "*", protected: false }])) });
  setConfig({ config: h.config, file: DEMO_CONFIG_PATH });
  dana = addUser(h.db, "dana", "Dana", ["deployer"]);
  addUser(h.db, "vic", "Vic", ["viewer"]);
});
afterEach(() => h.cleanup());

const asSession = (id: string, name: string, roles: SessionUser["roles"]): SessionUser => ({ id, email: `${id}@example.test`, name, roles });
const callerFor = (user: SessionUser) => createCaller({ db: h.db, user, headers: new Headers() });
const deployer = () => callerFor(asSession("dana", "Dana", dana.roles));
const viewer = () => callerFor(asSession("vic", "Vic", ["viewer"]));

const settled = (region: string) => () => ["succeeded", "rolled_back", "blocked", "aborted"].includes(phases(h.db)[region]);

describe("rollouts router", () => {
  it("shows a rolled-back region with its stages, cause, breach samples and the events with actors", async () => {
    h.world.injectFault("eu-west", 25, { errorRatePct: 1.2, latencyP95Ms: 420 });
    const { rolloutId } = await deployer().rollouts.start({
      serviceId: "api",
      artifact: { version: "1.2.0", digest: DIGEST_A, commitSha: "abc1234" },
      strategy: "parallel",
      regions: ["eu-west", "us-east"],
    });
    await runUntil(h, () => settled("eu-west")() && settled("us-east")());

    const view = await viewer().rollouts.get({ id: rolloutId });
    expect(view).toMatchObject({ id: rolloutId, serviceId: "api", status: "failed", artifact: { version: "1.2.0", digest: DIGEST_A, commitSha: "abc1234" } });
    expect(view.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    const eu = view.regions.find((r) => r.regionId === "eu-west")!;
    expect(eu).toMatchObject({ phase: "rolled_back", stageIndex: 1, stagePercent: 25, canaryPct: 0 });
    expect(eu.cause).toEqual([expect.objectContaining({ metric: "error_rate", observed: 1.2, threshold: 0.8 })]);
    expect(eu.stages.map((s) => [s.percent, s.status])).toEqual([
      [10, "passed"],
      [25, "failed"],
      [50, expect.stringMatching(/pending|skipped/)],
      [75, expect.stringMatching(/pending|skipped/)],
      [100, expect.stringMatching(/pending|skipped/)],
    ]);
    expect(eu.stages[0].finishedAt).toBeGreaterThan(eu.stages[0].startedAt!);
    expect(view.regions.find((r) => r.regionId === "us-east")).toMatchObject({ phase: "succeeded", stagePercent: 100 });

    const samples = await viewer().rollouts.samples({ id: rolloutId });
    const euPoints = samples.find((s) => s.regionId === "eu-west")!.points;
    const breach = euPoints.find((p) => p.verdict === "breach")!;
    expect(breach).toMatchObject({ stageIndex: 1, canaryErrorRatePct: 1.2, canaryP95Ms: 420, maxErrorRatePct: 0.8 });
    expect(breach.baselineErrorRatePct).toEqual(expect.any(Number));
    // The threshold steps down from stage 1 to stage 2 and the points are in time order.
    expect(euPoints[0].maxErrorRatePct).toBeGreaterThan(breach.maxErrorRatePct!);
    expect(euPoints.map((p) => p.at)).toEqual([...euPoints.map((p) => p.at)].sort((a, b) => a - b));

    const events = await viewer().rollouts.events({ id: rolloutId });
    expect(events[0].id).toBeGreaterThan(events[events.length - 1].id);
    expect(events.find((e) => e.type === "rollout.started")).toMatchObject({ actor: "user:dana" });
    expect(events.find((e) => e.type === "region.rolled_back")?.message).toContain("error rate 1.2 % > 0.8 %");
  });

  it("lists history newest first, filtered by status and region, paginated", async () => {
    const first = await deployer().rollouts.start({
      serviceId: "api",
      artifact: { version: "1.0.0", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
      strategy: "parallel",
      regions: ["us-east"],
    });
    await runUntil(h, settled("us-east"));
    h.clock.advance(60_000);
    const second = await deployer().rollouts.start({
      serviceId: "api",
      artifact: { version: "1.0.1", digest: `sha256:${"c".repeat(64)}` },
      strategy: "parallel",
      regions: ["eu-west"],
    });

    const all = await viewer().rollouts.list({});
    expect(all.items.map((r) => r.id)).toEqual([second.rolloutId, first.rolloutId]);
    expect((await viewer().rollouts.list({ status: "running" })).items.map((r) => r.version)).toEqual(["1.0.1"]);
    expect((await viewer().rollouts.list({ regionId: "us-east" })).items.map((r) => r.version)).toEqual(["1.0.0"]);
    const page1 = await viewer().rollouts.list({ limit: 1 });
    expect(page1.items.map((r) => r.id)).toEqual([second.rolloutId]);
    const page2 = await viewer().rollouts.list({ limit: 1, before: page1.nextBefore! });
    expect(page2).toEqual({ items: [expect.objectContaining({ id: first.rolloutId })], nextBefore: null });
  });

  it("refuses every control to a viewer with FORBIDDEN and lets a deployer pause with its name in the log", async () => {
    const { rolloutId } = await deployer().rollouts.start({
      serviceId: "api",
      artifact: { version: "1.0.0", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
      strategy: "parallel",
      regions: ["us-east"],
    });
    const ref = { rolloutId, regionId: "us-east" };
    for (const call of [
      () => viewer().rollouts.pause(ref),
      () => viewer().rollouts.resume(ref),
      () => viewer().rollouts.promote(ref),
      () => viewer().rollouts.abort(ref),
      () => viewer().rollouts.retry(ref),
      () => viewer().rollouts.rollback({ serviceId: "api", regionId: "us-east" }),
      () => viewer().rollouts.start({ serviceId: "api", artifactId: "x", strategy: "parallel" }),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    await expect(deployer().rollouts.pause({ ...ref, reason: "look at logs" })).resolves.toMatchObject({ regionId: "us-east" });
    const view = await viewer().rollouts.get({ id: rolloutId });
    expect(view.regions[0]).toMatchObject({ paused: true, pauseReason: "paused by Dana: look at logs" });
    expect((await viewer().rollouts.events({ id: rolloutId })).some((e) => e.actor === "user:dana" && e.type.includes("pause"))).toBe(true);
    await expect(viewer().rollouts.get({ id: "nope" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

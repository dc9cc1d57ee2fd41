import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { regionRollouts, samples } from "@/db/schema";
import { analyseCause } from "@/server/engine/machine/analysis";
import { addUser, createHarness, DIGEST_A, demoConfig } from "@/server/engine/runner/test-fixtures";
import { BUILT } from "./ci-webhook.fixtures";
import { commitUrl, fillLink, getRolloutSamples, getRolloutView, judgedMetrics } from "./rollout-view";
import { startRollout } from "./rollouts";

describe("links on the rollout page", () => {
  it("fills every placeholder of a config link and escapes the values", () => {
    const url = fillLink(
      "https://logs.example.com/search?q=region%3D{region}%20correlation_id%3D{correlationId}&s={service}&r={rolloutId}&from={from}&to={to}",
      {
        region: "eu-west",
        correlationId: "c 1",
        service: "api",
        rolloutId: "r1",
        from: "1000",
        to: "2000",
      },
    );
    expect(url).toBe("https://logs.example.com/search?q=region%3Deu-west%20correlation_id%3Dc%201&s=api&r=r1&from=1000&to=2000");
  });

  it("links a commit to the service's repository, and gives no link without a repository or a sha", () => {
    const config = demoConfig((raw) => ((raw.services as Array<Record<string, unknown>>)[0].repository = "https://github.com/acme/api/"));
    const serviceId = config.services[0].id;
    expect(commitUrl(config, serviceId, "abc123")).toBe("https://github.com/acme/api/commit/abc123");
    expect(commitUrl(config, serviceId, null)).toBeNull();
    expect(
      commitUrl(
        demoConfig((raw) => delete (raw.services as Array<Record<string, unknown>>)[0].repository),
        serviceId,
        "abc123",
      ),
    ).toBeNull();
  });
});

describe("region links on the rollout page use the card's time window", () => {
  it("runs from the region's start (or 15 minutes before its end, if earlier) to 5 minutes after its end", async () => {
    const h = createHarness();
    try {
      const dana = addUser(h.db, "dana", "Dana", ["deployer"]);
      const { rolloutId } = await startRollout(h.as(dana), {
        serviceId: "api",
        artifact: { version: "2.0.0", digest: DIGEST_A, ...BUILT },
        strategy: "parallel",
        regions: ["us-east"],
      });
      const started = 1_780_000_000_000;
      const ended = started + 60 * 60_000;
      h.db.raw.update(regionRollouts).set({ startedAt: started, finishedAt: ended }).where(eq(regionRollouts.rolloutId, rolloutId)).run();
      const [region] = (await getRolloutView(h.as(dana), rolloutId)).regions;
      expect(region.links.dashboard).toBe(`https://grafana.example.com/d/flightdeck?var-region=us-east&from=${started}&to=${ended + 5 * 60_000}`);

      // A region that ran for less than 15 minutes: the window opens 15 minutes before its end, as on a card.
      h.db.raw
        .update(regionRollouts)
        .set({ finishedAt: started + 60_000 })
        .where(eq(regionRollouts.rolloutId, rolloutId))
        .run();
      const [short] = (await getRolloutView(h.as(dana), rolloutId)).regions;
      expect(short.links.dashboard).toBe(
        `https://grafana.example.com/d/flightdeck?var-region=us-east&from=${started + 60_000 - 15 * 60_000}&to=${started + 60_000 + 5 * 60_000}`,
      );
    } finally {
      h.cleanup();
    }
  });
});

describe("every judged metric of a stage on the rollout page", () => {
  it("lists what the engine judges: error rate and p95 at every stage, CPU, memory and health at the 100 % validation stage", async () => {
    const h = createHarness();
    try {
      const dana = addUser(h.db, "dana", "Dana", ["deployer"]);
      const { rolloutId } = await startRollout(h.as(dana), {
        serviceId: "api",
        artifact: { version: "2.0.0", digest: DIGEST_A, ...BUILT },
        strategy: "parallel",
        regions: ["us-east"],
      });
      const [region] = (await getRolloutView(h.as(dana), rolloutId)).regions;
      const first = region.stages[0];
      const validation = region.stages.at(-1)!;
      expect(first.judges.map((j) => j.metric)).toEqual(["error_rate", "latency_p95"]);
      expect(validation.percent).toBe(100);
      expect(validation.judges).toEqual([
        { metric: "error_rate", limit: validation.maxErrorRatePct, rule: "atMost", unit: "%" },
        { metric: "latency_p95", limit: validation.maxLatencyP95Ms, rule: "atMost", unit: "ms" },
        { metric: "cpu", limit: 70, rule: "below", unit: "%" },
        { metric: "memory", limit: 70, rule: "below", unit: "%" },
        { metric: "health", limit: 200, rule: "equal", unit: "status" },
      ]);
    } finally {
      h.cleanup();
    }
  });

  it("names the same metrics the engine blames when every one is over its limit (the list cannot drift from the analysis)", () => {
    const stage = { index: 4, percent: 100, durationMs: 1, maxErrorRatePct: 0.2, maxLatencyP95Ms: 300, maxCpuPct: 70, maxMemoryPct: 70, healthStatus: 200 };
    const everythingWrong = { requests: 1000, errorRatePct: 5, latencyP95Ms: 900, cpuPct: 70, memoryPct: 95, healthStatus: 503 };
    expect(judgedMetrics(stage).map((j) => j.metric)).toEqual(analyseCause(stage, everythingWrong, null).map((c) => c.metric));
    const canaryStage = { ...stage, maxCpuPct: null, maxMemoryPct: null, healthStatus: null };
    expect(judgedMetrics(canaryStage).map((j) => j.metric)).toEqual(analyseCause(canaryStage, everythingWrong, null).map((c) => c.metric));
  });

  it("gives each sample its CPU, memory and health beside the stage's limits, and the metrics a breach broke", async () => {
    const h = createHarness();
    try {
      const dana = addUser(h.db, "dana", "Dana", ["deployer"]);
      const { rolloutId } = await startRollout(h.as(dana), {
        serviceId: "api",
        artifact: { version: "2.0.0", digest: DIGEST_A, ...BUILT },
        strategy: "parallel",
        regions: ["us-east"],
      });
      const [row] = h.db.raw.select().from(regionRollouts).where(eq(regionRollouts.rolloutId, rolloutId)).all();
      const base = { regionRolloutId: row.id, requests: 500, errors: 0, errorRatePct: 0, latencyP95Ms: 120, memoryPct: 40, healthStatus: 200 };
      h.db.raw
        .insert(samples)
        .values([
          { ...base, stageIndex: 0, role: "canary", takenAt: 1000, cpuPct: 35, verdict: "pass" },
          { ...base, stageIndex: 4, role: "canary", takenAt: 2000, cpuPct: 82, verdict: "breach", reasons: ["CPU 82 % ≥ 70 %"] },
          { ...base, stageIndex: 4, role: "baseline", takenAt: 2000, cpuPct: 30 },
          { ...base, stageIndex: 4, role: "canary", takenAt: 3000, cpuPct: null, verdict: "inconclusive", reasons: ["no data for CPU"] },
        ])
        .run();
      const [{ points }] = await getRolloutSamples(h.as(dana), rolloutId);
      expect(points.map((p) => [p.stageIndex, p.maxCpuPct, p.maxMemoryPct, p.healthStatus])).toEqual([
        [0, null, null, null],
        [4, 70, 70, 200],
        [4, 70, 70, 200],
      ]);
      expect(points[1]).toMatchObject({
        canaryCpuPct: 82,
        baselineCpuPct: 30,
        canaryMemoryPct: 40,
        canaryHealthStatus: 200,
        verdict: "breach",
        breached: ["cpu"],
      });
      expect(points[2]).toMatchObject({ canaryCpuPct: null, verdict: "inconclusive", breached: [], reasons: ["no data for CPU"] });
    } finally {
      h.cleanup();
    }
  });
});

describe("regions with nothing to chart say why in one line", () => {
  it("waits for the region before it in a sequential rollout, and says what blocked it once that region was rolled back", async () => {
    const h = createHarness();
    try {
      const dana = addUser(h.db, "dana", "Dana", ["deployer"]);
      const { rolloutId } = await startRollout(h.as(dana), {
        serviceId: "api",
        artifact: { version: "2.0.0", digest: DIGEST_A, ...BUILT },
        strategy: "sequential",
        regions: ["us-east", "eu-west"],
      });
      const standby = async () => Object.fromEntries((await getRolloutView(h.as(dana), rolloutId)).regions.map((r) => [r.regionId, r.standby]));
      expect(await standby()).toEqual({ "us-east": "Waiting to start", "eu-west": "Waiting for us-east to pass" });

      const set = (regionId: string, patch: Partial<typeof regionRollouts.$inferInsert>) =>
        h.db.raw
          .update(regionRollouts)
          .set(patch)
          .where(and(eq(regionRollouts.rolloutId, rolloutId), eq(regionRollouts.regionId, regionId)))
          .run();
      set("us-east", { phase: "canary", stageIndex: 1 });
      expect(await standby()).toEqual({ "us-east": null, "eu-west": "Waiting for us-east to pass" });
      set("us-east", { phase: "rolled_back" });
      set("eu-west", { phase: "blocked", outcomeReason: "blocked because us-east was rolled back" });
      expect(await standby()).toEqual({ "us-east": null, "eu-west": "Blocked: us-east was rolled back" });
    } finally {
      h.cleanup();
    }
  });
});

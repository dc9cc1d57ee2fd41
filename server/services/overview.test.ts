import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { migrateDatabase, openDatabase, type SqliteStore } from "@/db/client";
import { artifacts, events, regionRollouts, regionStates, rollouts, samples, stages } from "@/db/schema";
import { DEMO_CONFIG_PATH, parseConfig } from "@/server/config/load";
import type { Actor } from "@/server/actor";
import type { FleetConfig } from "@/server/config/schema";
import { fixedClock } from "@/server/engine/clock";
import { systemContext } from "./context";
import { syncFleet } from "./fleet";
import { getRegionsOverview, shortDigest } from "./overview";
import { OVERVIEW_SAMPLE_LIMIT } from "./overview-samples";

/** Anyone who may read sees the overview. */
const VIEWER: Actor = { kind: "user", id: "vic", name: "Vic", roles: ["viewer"] };

const NOW = 1_700_000_000_000;
const DIGEST_1 = "sha256:" + "1a2b3c4d5e6f".padEnd(64, "0");
const DIGEST_2 = "sha256:" + "abcdef012345".padEnd(64, "9");

function demoConfig(): FleetConfig {
  const { config, problems } = parseConfig(readFileSync(DEMO_CONFIG_PATH, "utf8"), process.env);
  if (!config) throw new Error(`demo config has problems: ${JSON.stringify(problems)}`);
  return config;
}

function freshDb(): SqliteStore {
  const db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), "fd-overview-")), "test.db"));
  migrateDatabase(db);
  return db;
}

/** The spec's stages: percent, max error rate %, max p95 ms. */
const STAGE_TABLE = [
  [10, 1, 500],
  [25, 0.8, 450],
  [50, 0.5, 400],
  [75, 0.3, 350],
  [100, 0.2, 300],
] as const;

type SampleSeed = {
  stageIndex: number;
  at: number;
  err: number | null;
  p95: number | null;
  verdict?: "pass" | "breach" | "inconclusive";
  role?: "canary" | "baseline";
};

function seedSamples(db: SqliteStore, regionRolloutId: string, list: SampleSeed[]) {
  db.raw
    .insert(samples)
    .values(
      list.map((s) => ({
        regionRolloutId,
        stageIndex: s.stageIndex,
        role: s.role ?? "canary",
        takenAt: s.at,
        requests: 500,
        errorRatePct: s.err,
        latencyP95Ms: s.p95,
        verdict: s.role === "baseline" ? null : (s.verdict ?? "pass"),
      })),
    )
    .run();
}

/** api 1.0.0 live on blue everywhere; 1.1.0 done in us-east (green, 100 %) and at stage 2 of 5 in eu-west. */
function seedRollout(db: SqliteStore) {
  db.raw
    .insert(artifacts)
    .values([
      { id: "ar_1", serviceId: "api", version: "1.0.0", digest: DIGEST_1, createdAt: NOW },
      { id: "ar_2", serviceId: "api", version: "1.1.0", digest: DIGEST_2, createdAt: NOW },
    ])
    .run();
  db.raw
    .insert(rollouts)
    .values({ id: "ro_1", serviceId: "api", artifactId: "ar_2", strategy: "sequential", initiator: "user:u_1", correlationId: "c_1", createdAt: NOW })
    .run();
  const base = { rolloutId: "ro_1", fromColour: "blue" as const, toColour: "green" as const, previousArtifactId: "ar_1", updatedAt: NOW };
  db.raw
    .insert(regionRollouts)
    .values([
      { ...base, id: "rr_us", regionId: "us-east", position: 0, phase: "succeeded", stageIndex: 4, canaryPct: 100 },
      { ...base, id: "rr_eu", regionId: "eu-west", position: 1, phase: "canary", stageIndex: 1, canaryPct: 25, paused: true, pauseReason: "held by Sam" },
      { ...base, id: "rr_ap", regionId: "apac-se", position: 2, phase: "pending" },
    ])
    .run();
  for (const rr of ["rr_us", "rr_eu", "rr_ap"]) {
    db.raw
      .insert(stages)
      .values(
        STAGE_TABLE.map(([percent, maxErrorRatePct, maxLatencyP95Ms], index) => ({
          id: `${rr}_s${index}`,
          regionRolloutId: rr,
          index,
          percent,
          maxErrorRatePct,
          maxLatencyP95Ms,
          durationMs: 300_000,
        })),
      )
      .run();
  }
  const setState = (regionId: string, values: Partial<typeof regionStates.$inferInsert>) =>
    db.raw
      .update(regionStates)
      .set({ ...values, updatedAt: NOW })
      .where(and(eq(regionStates.serviceId, "api"), eq(regionStates.regionId, regionId)))
      .run();
  setState("us-east", { liveColour: "green", liveArtifactId: "ar_2", previousArtifactId: "ar_1", greenPct: 100, activeRegionRolloutId: null });
  setState("eu-west", { liveColour: "blue", liveArtifactId: "ar_1", greenPct: 25, activeRegionRolloutId: "rr_eu" });
  setState("apac-se", { liveColour: "blue", liveArtifactId: "ar_1", greenPct: 0, activeRegionRolloutId: "rr_ap" });

  const event = (at: number, type: string, message: string, regionId: string | null, serviceId: string | null = "api") =>
    db.raw
      .insert(events)
      .values({ at, type, actor: "engine", message, regionId, serviceId, rolloutId: regionId ? "ro_1" : null })
      .run();
  event(NOW + 1, "region.started", "us-east started", "us-east");
  event(NOW + 2, "region.succeeded", "us-east succeeded", "us-east");
  event(NOW + 3, "stage.started", "eu-west at 10 %", "eu-west");
  event(NOW + 4, "stage.started", "eu-west at 25 %", "eu-west");
  event(NOW + 5, "region.paused", "eu-west paused by Sam", "eu-west");
  event(NOW + 6, "user.roles_changed", "Sam is now sre", null, null);
}

describe("getRegionsOverview", () => {
  let db: SqliteStore;
  let config: FleetConfig;
  beforeEach(async () => {
    db = freshDb();
    config = demoConfig();
    await syncFleet(systemContext(db, config, fixedClock(NOW)));
  });

  it("shows blue live with all traffic on blue, and no rollout yet, right after the fleet is synced", async () => {
    const overview = await getRegionsOverview({ db: db, config: config, actor: VIEWER });
    expect(overview.cursor).toBe(0);
    expect(overview.services.map((s) => [s.serviceId, s.name])).toEqual([["api", "API"]]);
    expect(overview.services[0].regions).toEqual(
      [
        ["us-east", "US East", "production-us-east"],
        ["eu-west", "EU West", "production-eu-west"],
        ["apac-se", "APAC Southeast", "production-apac-se"],
      ].map(([regionId, name, environment]) => ({
        regionId,
        name,
        environment,
        liveColour: "blue",
        liveArtifact: null,
        greenPct: 0,
        bluePct: 100,
        activeRollout: null,
        samples: null,
        lastEvent: null,
        neverRolledOut: true,
        rollback: { possible: false, serviceId: "api", regionId, reason: `No rollout of API has reached ${regionId} yet: there is nothing to roll back.` },
      })),
    );
  });

  it("lists regions in the config's order, not the database's", async () => {
    config.regions.find((r) => r.id === "us-east")!.order = 99;
    const ids = (await getRegionsOverview({ db: db, config: config, actor: VIEWER })).services[0].regions.map((r) => r.regionId);
    expect(ids).toEqual(["eu-west", "apac-se", "us-east"]);
  });

  it("shows each region's live colour, artifact, split, running stage and last event during a rollout", async () => {
    seedRollout(db);
    const overview = await getRegionsOverview({ db: db, config: config, actor: VIEWER });
    const [us, eu, ap] = overview.services[0].regions;

    expect(overview.cursor).toBe(6);
    expect(us).toMatchObject({
      liveColour: "green",
      liveArtifact: { id: "ar_2", version: "1.1.0", digest: DIGEST_2, shortDigest: "abcdef012345" },
      greenPct: 100,
      bluePct: 0,
      activeRollout: null,
      lastEvent: { id: 2, type: "region.succeeded", message: "us-east succeeded", at: NOW + 2 },
      neverRolledOut: false,
    });
    expect(eu).toMatchObject({
      liveColour: "blue",
      liveArtifact: { version: "1.0.0", shortDigest: "1a2b3c4d5e6f" },
      greenPct: 25,
      bluePct: 75,
      activeRollout: {
        regionRolloutId: "rr_eu",
        rolloutId: "ro_1",
        phase: "canary",
        stageIndex: 1,
        stageCount: 5,
        stagePercent: 25,
        canaryPct: 25,
        paused: true,
        pauseReason: "held by Sam",
        toColour: "green",
        artifactVersion: "1.1.0",
      },
      lastEvent: { id: 5, message: "eu-west paused by Sam" },
    });
    expect(ap).toMatchObject({ greenPct: 0, bluePct: 100, lastEvent: null, neverRolledOut: false });
    expect(ap.activeRollout).toMatchObject({ phase: "pending", stageIndex: -1, stagePercent: null, stageCount: 5 });
  });

  it("counts a region event without a service as the region's last event for every service", async () => {
    seedRollout(db);
    db.raw
      .insert(events)
      .values({ at: NOW + 7, type: "region.maintenance", actor: "system", message: "eu-west LB restarted", regionId: "eu-west" })
      .run();
    const eu = (await getRegionsOverview({ db: db, config: config, actor: VIEWER })).services[0].regions[1];
    expect(eu.lastEvent).toMatchObject({ id: 7, message: "eu-west LB restarted" });
  });

  it("reads the database in four statements whatever the number of services and regions", async () => {
    seedRollout(db);
    seedSamples(db, "rr_us", [{ stageIndex: 4, at: NOW + 100, err: 0.1, p95: 280 }]);
    seedSamples(db, "rr_eu", [{ stageIndex: 1, at: NOW + 100, err: 0.3, p95: 300 }]);
    const prepare = vi.spyOn(db.$client, "prepare");
    await getRegionsOverview({ db: db, config: config, actor: VIEWER });
    const small = prepare.mock.calls.length;

    const big = structuredClone(config);
    big.services.push({ id: "web", name: "Web", strategyPolicy: "off" }, { id: "jobs", name: "Jobs", strategyPolicy: "off" });
    big.regions.push({ ...big.regions[0], id: "sa-east", name: "SA East", environment: "production-sa-east", order: 4 });
    await syncFleet(systemContext(db, big, fixedClock(NOW)));
    prepare.mockClear();
    const overview = await getRegionsOverview({ db: db, config: big, actor: VIEWER });

    expect(overview.services.flatMap((s) => s.regions)).toHaveLength(12);
    expect(prepare.mock.calls.length).toBe(small);
    expect(small).toBe(4);
  });
});

describe("getRegionsOverview: samples for the sparklines", () => {
  let db: SqliteStore;
  let config: FleetConfig;
  beforeEach(async () => {
    db = freshDb();
    config = demoConfig();
    await syncFleet(systemContext(db, config, fixedClock(NOW)));
    seedRollout(db);
  });
  const regionOf = async (regionId: string) =>
    (await getRegionsOverview({ db: db, config: config, actor: VIEWER })).services[0].regions.find((r) => r.regionId === regionId)!;

  it("gives the running region rollout's canary samples oldest first, each with its own stage's thresholds, and the current stage's", async () => {
    seedSamples(db, "rr_eu", [
      { stageIndex: 1, at: NOW + 300, err: 0.9, p95: 430, verdict: "breach" },
      { stageIndex: 0, at: NOW + 100, err: 0.4, p95: 210 },
      { stageIndex: 0, at: NOW + 200, err: null, p95: null, verdict: "inconclusive" },
      { stageIndex: 1, at: NOW + 300, err: 0.2, p95: 180, role: "baseline" },
    ]);
    expect((await regionOf("eu-west")).samples).toEqual({
      regionRolloutId: "rr_eu",
      rolloutId: "ro_1",
      version: "1.1.0",
      past: false,
      maxErrorRatePct: 0.8,
      maxLatencyP95Ms: 450,
      samples: [
        { at: NOW + 100, stageIndex: 0, verdict: "pass", errorRatePct: 0.4, latencyP95Ms: 210, maxErrorRatePct: 1, maxLatencyP95Ms: 500 },
        { at: NOW + 200, stageIndex: 0, verdict: "inconclusive", errorRatePct: null, latencyP95Ms: null, maxErrorRatePct: 1, maxLatencyP95Ms: 500 },
        { at: NOW + 300, stageIndex: 1, verdict: "breach", errorRatePct: 0.9, latencyP95Ms: 430, maxErrorRatePct: 0.8, maxLatencyP95Ms: 450 },
      ],
    });
  });

  it(`keeps only the newest ${OVERVIEW_SAMPLE_LIMIT} samples of a region rollout`, async () => {
    seedSamples(
      db,
      "rr_eu",
      Array.from({ length: 35 }, (_, i) => ({ stageIndex: 1, at: NOW + i * 1000, err: i / 100, p95: 200 + i })),
    );
    const series = (await regionOf("eu-west")).samples!;
    expect(series.samples).toHaveLength(OVERVIEW_SAMPLE_LIMIT);
    expect(series.samples[0].at).toBe(NOW + 5000);
    expect(series.samples.at(-1)!.at).toBe(NOW + 34_000);
  });

  it("shows a region rollout that has not sampled yet as running with no samples", async () => {
    expect((await regionOf("apac-se")).samples).toEqual({
      regionRolloutId: "rr_ap",
      rolloutId: "ro_1",
      version: "1.1.0",
      past: false,
      maxErrorRatePct: null,
      maxLatencyP95Ms: null,
      samples: [],
    });
  });

  it("shows a region with nothing running the samples of its last sampled rollout, marked as past, against its last stage", async () => {
    seedSamples(db, "rr_us", [
      { stageIndex: 3, at: NOW + 100, err: 0.25, p95: 320 },
      { stageIndex: 4, at: NOW + 200, err: 0.1, p95: 280 },
    ]);
    // A newer rollout that never reached us-east (blocked upstream) took no samples: it does not hide the last one that did.
    db.raw
      .insert(rollouts)
      .values({ id: "ro_2", serviceId: "api", artifactId: "ar_2", strategy: "sequential", initiator: "user:u_1", correlationId: "c_2", createdAt: NOW + 1000 })
      .run();
    db.raw
      .insert(regionRollouts)
      .values({ id: "rr_us_2", rolloutId: "ro_2", regionId: "us-east", position: 0, phase: "blocked", fromColour: "green", toColour: "blue", updatedAt: NOW })
      .run();

    expect((await regionOf("us-east")).samples).toMatchObject({
      regionRolloutId: "rr_us",
      past: true,
      maxErrorRatePct: 0.2,
      maxLatencyP95Ms: 300,
      samples: [
        { stageIndex: 3, errorRatePct: 0.25, maxErrorRatePct: 0.3 },
        { stageIndex: 4, errorRatePct: 0.1, maxErrorRatePct: 0.2 },
      ],
    });
  });

  it("prefers the newest past rollout that took samples over an older one", async () => {
    seedSamples(db, "rr_us", [{ stageIndex: 4, at: NOW + 100, err: 0.1, p95: 280 }]);
    db.raw
      .insert(rollouts)
      .values({ id: "ro_2", serviceId: "api", artifactId: "ar_1", strategy: "sequential", initiator: "user:u_1", correlationId: "c_2", createdAt: NOW + 1000 })
      .run();
    db.raw
      .insert(regionRollouts)
      .values({
        id: "rr_us_2",
        rolloutId: "ro_2",
        regionId: "us-east",
        position: 0,
        phase: "rolled_back",
        stageIndex: 0,
        fromColour: "green",
        toColour: "blue",
        updatedAt: NOW,
      })
      .run();
    db.raw
      .insert(stages)
      .values({ id: "rr_us_2_s0", regionRolloutId: "rr_us_2", index: 0, percent: 10, maxErrorRatePct: 1, maxLatencyP95Ms: 500, durationMs: 300_000 })
      .run();
    seedSamples(db, "rr_us_2", [{ stageIndex: 0, at: NOW + 2000, err: 3.5, p95: 640, verdict: "breach" }]);

    expect((await regionOf("us-east")).samples).toMatchObject({
      regionRolloutId: "rr_us_2",
      rolloutId: "ro_2",
      version: "1.0.0",
      past: true,
      maxErrorRatePct: 1,
      samples: [{ errorRatePct: 3.5, latencyP95Ms: 640, verdict: "breach" }],
    });
  });

  it("never shows another service's samples in a region", async () => {
    const multi = structuredClone(config);
    multi.services.push({ id: "web", name: "Web", strategyPolicy: "off" });
    await syncFleet(systemContext(db, multi, fixedClock(NOW)));
    seedSamples(db, "rr_us", [{ stageIndex: 4, at: NOW + 100, err: 0.1, p95: 280 }]);
    const [api, web] = (await getRegionsOverview({ db: db, config: multi, actor: VIEWER })).services;
    expect(api.regions[0].samples?.samples).toHaveLength(1);
    expect(web.regions.map((r) => r.samples)).toEqual([null, null, null]);
  });
});

describe("shortDigest", () => {
  it("keeps the first 12 hex digits without the algorithm", () => {
    expect(shortDigest(DIGEST_2)).toBe("abcdef012345");
  });
});

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { migrateDatabase, openDatabase, type Db } from "@/db/client";
import { artifacts, events, regionRollouts, regionStates, rollouts, stages } from "@/db/schema";
import { DEMO_CONFIG_PATH, parseConfig } from "@/server/config/load";
import type { FleetConfig } from "@/server/config/schema";
import { syncFleet } from "./fleet";
import { getRegionsOverview, shortDigest } from "./overview";

const NOW = 1_700_000_000_000;
const DIGEST_1 = "sha256:" + "1a2b3c4d5e6f".padEnd(64, "0");
const DIGEST_2 = "sha256:" + "abcdef012345".padEnd(64, "9");

function demoConfig(): FleetConfig {
  const { config, problems } = parseConfig(readFileSync(DEMO_CONFIG_PATH, "utf8"), process.env);
  if (!config) throw new Error(`demo config has problems: ${JSON.stringify(problems)}`);
  return config;
}

function freshDb(): Db {
  const db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), "fd-overview-")), "test.db"));
  migrateDatabase(db);
  return db;
}

/** api 1.0.0 live on blue everywhere; 1.1.0 done in us-east (green, 100 %) and at stage 2 of 5 in eu-west. */
function seedRollout(db: Db) {
  db.insert(artifacts).values([
    { id: "ar_1", serviceId: "api", version: "1.0.0", digest: DIGEST_1, createdAt: NOW },
    { id: "ar_2", serviceId: "api", version: "1.1.0", digest: DIGEST_2, createdAt: NOW },
  ]).run();
  db.insert(rollouts).values({ id: "ro_1", serviceId: "api", artifactId: "ar_2", strategy: "sequential", initiator: "user:u_1", correlationId: "c_1", createdAt: NOW }).run();
  const base = { rolloutId: "ro_1", fromColour: "blue" as const, toColour: "green" as const, previousArtifactId: "ar_1", updatedAt: NOW };
  db.insert(regionRollouts).values([
    { ...base, id: "rr_us", regionId: "us-east", position: 0, phase: "succeeded", stageIndex: 4, canaryPct: 100 },
    { ...base, id: "rr_eu", regionId: "eu-west", position: 1, phase: "canary", stageIndex: 1, canaryPct: 25, paused: true, pauseReason: "held by Sam" },
    { ...base, id: "rr_ap", regionId: "apac-se", position: 2, phase: "pending" },
  ]).run();
  for (const rr of ["rr_us", "rr_eu", "rr_ap"]) {
    db.insert(stages).values(
      [10, 25, 50, 75, 100].map((percent, index) => ({ id: `${rr}_s${index}`, regionRolloutId: rr, index, percent, maxErrorRatePct: 1, maxLatencyP95Ms: 500, durationMs: 300_000 })),
    ).run();
  }
  const setState = (regionId: string, values: Partial<typeof regionStates.$inferInsert>) =>
    db.update(regionStates).set({ ...values, updatedAt: NOW }).where(and(eq(regionStates.serviceId, "api"), eq(regionStates.regionId, regionId))).run();
  setState("us-east", { liveColour: "green", liveArtifactId: "ar_2", previousArtifactId: "ar_1", greenPct: 100, activeRegionRolloutId: null });
  setState("eu-west", { liveColour: "blue", liveArtifactId: "ar_1", greenPct: 25, activeRegionRolloutId: "rr_eu" });
  setState("apac-se", { liveColour: "blue", liveArtifactId: "ar_1", greenPct: 0, activeRegionRolloutId: "rr_ap" });

  const event = (at: number, type: string, message: string, regionId: string | null, serviceId: string | null = "api") =>
    db.insert(events).values({ at, type, actor: "engine", message, regionId, serviceId, rolloutId: regionId ? "ro_1" : null }).run();
  event(NOW + 1, "region.started", "us-east started", "us-east");
  event(NOW + 2, "region.succeeded", "us-east succeeded", "us-east");
  event(NOW + 3, "stage.started", "eu-west at 10 %", "eu-west");
  event(NOW + 4, "stage.started", "eu-west at 25 %", "eu-west");
  event(NOW + 5, "region.paused", "eu-west paused by Sam", "eu-west");
  event(NOW + 6, "user.roles_changed", "Sam is now sre", null, null);
}

describe("getRegionsOverview", () => {
  let db: Db;
  let config: FleetConfig;
  beforeEach(() => {
    db = freshDb();
    config = demoConfig();
    syncFleet(db, config, NOW);
  });

  it("shows blue live with all traffic on blue, and no rollout yet, right after the fleet is synced", () => {
    const overview = getRegionsOverview(db, config);
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
        lastEvent: null,
        neverRolledOut: true,
      })),
    );
  });

  it("lists regions in the config's order, not the database's", () => {
    config.regions.find((r) => r.id === "us-east")!.order = 99;
    const ids = getRegionsOverview(db, config).services[0].regions.map((r) => r.regionId);
    expect(ids).toEqual(["eu-west", "apac-se", "us-east"]);
  });

  it("shows each region's live colour, artifact, split, running stage and last event during a rollout", () => {
    seedRollout(db);
    const overview = getRegionsOverview(db, config);
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

  it("counts a region event without a service as the region's last event for every service", () => {
    seedRollout(db);
    db.insert(events).values({ at: NOW + 7, type: "region.maintenance", actor: "system", message: "eu-west LB restarted", regionId: "eu-west" }).run();
    const eu = getRegionsOverview(db, config).services[0].regions[1];
    expect(eu.lastEvent).toMatchObject({ id: 7, message: "eu-west LB restarted" });
  });

  it("reads the database in two statements whatever the number of services and regions", () => {
    seedRollout(db);
    const prepare = vi.spyOn(db.$client, "prepare");
    getRegionsOverview(db, config);
    const small = prepare.mock.calls.length;

    const big = structuredClone(config);
    big.services.push({ id: "web", name: "Web" }, { id: "jobs", name: "Jobs" });
    big.regions.push({ ...big.regions[0], id: "sa-east", name: "SA East", environment: "production-sa-east", order: 4 });
    syncFleet(db, big, NOW);
    prepare.mockClear();
    const overview = getRegionsOverview(db, big);

    expect(overview.services.flatMap((s) => s.regions)).toHaveLength(12);
    expect(prepare.mock.calls.length).toBe(small);
    expect(small).toBe(2);
  });
});

describe("shortDigest", () => {
  it("keeps the first 12 hex digits without the algorithm", () => {
    expect(shortDigest(DIGEST_2)).toBe("abcdef012345");
  });
});

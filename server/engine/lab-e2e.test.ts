/**
 * End to end against the lab's real servers: Flightdeck's runner on the real clock deploys over SSH, moves
 * traffic on HAProxy and nginx, and judges every sample from Prometheus. A bad release is caught at 10 % and
 * rolled back; a good one walks every stage in all three regions. Each test runs on a fresh database.
 */
import { readFileSync, rmSync } from "node:fs";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { samples } from "@/db/schema";
import { buildArtifact } from "@/lab/artifacts";
import {
  haproxyWeights,
  labTestConfig,
  regionPorts,
  requestsServed,
  startFlightdeck,
  startLabOnFreePorts,
  versionServed,
  waitFor,
  type LabFlightdeck,
} from "@/lab/flightdeck-harness";
import type { RunningLab } from "@/lab/stack";
import { countColours, tempLabDir } from "@/lab/test-support";
import { startRollout } from "@/server/services/rollouts";
import { parseUpstream } from "@/server/providers/traffic-nginx/upstream";
import type { CauseItem } from "./machine/types";
import { eventsOf, regionRolloutOf, regionStateOf, rolloutRow } from "./runner/test-fixtures";

const dir = tempLabDir();
let lab: RunningLab;
let flightdeck: LabFlightdeck | null = null;

beforeAll(async () => {
  lab = await startLabOnFreePorts(dir);
}, 90_000);

afterAll(async () => {
  await flightdeck?.stop();
  await lab?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const REGIONS = ["us-east", "eu-west", "apac-se"];
const finished = (fd: LabFlightdeck, rolloutId: string, regions: string[]) => () => {
  const rows = regions.map((r) => regionRolloutOf(fd.db, rolloutId, r));
  return rows.every((r) => r.finishedAt !== null || r.paused) ? rows : null;
};
const where = (fd: LabFlightdeck, rolloutId: string, regions: string[]) => () =>
  regions.map((r) => {
    const row = regionRolloutOf(fd.db, rolloutId, r);
    return { region: r, phase: row.phase, stage: row.stageIndex, paused: row.pauseReason };
  });

describe("a bad release (5 % errors) in us-east", () => {
  it("is deployed over SSH, caught at the 10 % stage from Prometheus data and rolled back on HAProxy; blue then serves every request", async () => {
    // Given blue live on us-east's HAProxy, and a release that fails one request in 20
    flightdeck = await startFlightdeck(lab, labTestConfig(lab, { stageSeconds: [20, 5, 5, 5, 5] }));
    const fd = flightdeck;
    const bad = buildArtifact({ version: "2.0.0-bad", errorRatePct: 5 }, { dir, baseUrl: lab.artifactsUrl });
    const ports = regionPorts(lab, "us-east");
    expect(await haproxyWeights(lab, "us-east")).toEqual({ blue: 100, green: 0 });

    // When a rollout of it starts
    const started = await startRollout(fd.as(), {
      serviceId: "api",
      artifact: { version: bad.version, digest: bad.digest, url: bad.url, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
      strategy: "sequential",
      regions: ["us-east"],
    });
    const [rr] = await waitFor("us-east to finish", finished(fd, started.rolloutId, ["us-east"]), 45_000, where(fd, started.rolloutId, ["us-east"]));

    // Then it was deployed to green over SSH, digest checked on the host, each step's output in the event
    const deployed = eventsOf(fd.db, { type: "deploy.succeeded", regionId: "us-east" });
    expect(deployed).toHaveLength(1);
    const log = (deployed[0].data as { log: string[] }).log.join("\n");
    expect(log).toContain(`deploying 2.0.0-bad (${bad.digest}) to green in us-east on root@127.0.0.1`);
    expect(log).toMatch(/\[verify\] .*sha256/);
    expect(log).toMatch(/\[health\]/);
    expect(await versionServed(ports.green)).toBe("2.0.0-bad");

    // and caught at the 10 % stage, the cause naming the error rate with the value Prometheus gave
    expect(rr).toMatchObject({ phase: "rolled_back", stageIndex: 0, canaryPct: 0, paused: false });
    expect(rr.cause).toEqual([expect.objectContaining({ metric: "error_rate", threshold: 1, unit: "%", baselineAlsoBreaches: false })]);
    const observed = (rr.cause as CauseItem[])[0].observed;
    expect(observed).toBeGreaterThan(1);
    const breach = fd.db.raw
      .select()
      .from(samples)
      .where(eq(samples.regionRolloutId, rr.id))
      .all()
      .find((s) => s.verdict === "breach");
    expect(breach).toMatchObject({ role: "canary", stageIndex: 0, errorRatePct: observed });
    // judged on evidence: the 95 % lower bound over the limit, or the observed rate on at least minRequests (3)
    const test = (rr.cause as CauseItem[])[0].test!;
    if (test.kind === "bound") expect(test.lowerPct).toBeGreaterThan(1);
    else expect(test).toMatchObject({ kind: "limit", requests: expect.any(Number) });
    if (test.kind === "limit") expect(test.requests!).toBeGreaterThanOrEqual(3);
    expect(breach!.errors!).toBeGreaterThanOrEqual(1);
    const rolledBack = eventsOf(fd.db, { type: "region.rolled_back", regionId: "us-east" });
    expect(rolledBack).toHaveLength(1);
    expect(rolledBack[0].message).toContain(`error rate ${Number(observed.toFixed(2))} %`);
    expect(rolledBack[0].message).toMatch(/(> 1 %|over the 1 % limit).* at the 10 % stage/);
    expect(rolledBack[0].message).toContain("100 % of traffic is on blue again");
    const stageMoves = eventsOf(fd.db, { type: "stage.started", regionId: "us-east" });
    expect(stageMoves.map((e) => (e.data as { percent: number }).percent)).toEqual([10]);

    // and HAProxy holds green at weight 0 (get weight), blue at 100, as Flightdeck recorded
    expect(await haproxyWeights(lab, "us-east")).toEqual({ blue: 100, green: 0 });
    expect(regionStateOf(fd.db, "us-east")).toMatchObject({ liveColour: "blue", greenPct: 0, activeRegionRolloutId: null });
    expect(rolloutRow(fd.db, started.rolloutId).status).toBe("failed");

    // and from then on no request reaches green: neither 100 of ours nor the traffic generator's
    await new Promise((r) => setTimeout(r, 300)); // requests already inside green finish
    const greenBefore = await requestsServed(ports.green);
    expect(await countColours(`http://127.0.0.1:${ports.lb}/`, 100)).toEqual({ blue: 100 });
    await new Promise((r) => setTimeout(r, 1000));
    expect(await requestsServed(ports.green)).toBe(greenBefore);
    await fd.stop();
    flightdeck = null;
  }, 70_000);
});

describe("a good release", () => {
  it("walks every stage in all three regions at once and ends with green live at 100 % on HAProxy and nginx", async () => {
    // Given blue live everywhere (us-east's green holds the bad release, at weight 0)
    flightdeck = await startFlightdeck(lab, labTestConfig(lab, { stageSeconds: [5, 5, 5, 5, 5] }));
    const fd = flightdeck;
    const good = buildArtifact({ version: "2.1.0" }, { dir, baseUrl: lab.artifactsUrl });

    // When a parallel rollout of it starts
    const started = await startRollout(fd.as(), {
      serviceId: "api",
      artifact: {
        version: good.version,
        digest: good.digest,
        url: good.url,
        sourceRef: "refs/heads/main",
        commitSha: "0123456789abcdef0123456789abcdef01234567",
      },
      strategy: "parallel",
      regions: "all",
    });
    const rows = await waitFor("every region to finish", finished(fd, started.rolloutId, REGIONS), 75_000, where(fd, started.rolloutId, REGIONS));

    // Then every region passed 10, 25, 50, 75 and 100 % and succeeded
    expect(rows.map((r) => [r.regionId, r.phase, r.pauseReason, r.outcomeReason])).toEqual(
      REGIONS.map((r) => [r, "succeeded", null, "all 5 stages passed; green is live"]),
    );
    expect(rolloutRow(fd.db, started.rolloutId).status).toBe("succeeded");
    for (const region of REGIONS) {
      const moves = eventsOf(fd.db, { type: "stage.started", regionId: region }).map((e) => (e.data as { percent: number }).percent);
      expect(moves).toEqual([10, 25, 50, 75, 100]);
      expect(eventsOf(fd.db, { type: "stage.passed", regionId: region })).toHaveLength(5);
      expect(regionStateOf(fd.db, region)).toMatchObject({ liveColour: "green", greenPct: 100, liveArtifactId: started.artifact.id });
    }

    // and the load balancers say so: HAProxy's weights, nginx's upstream file, and where requests go
    for (const region of ["us-east", "eu-west"]) expect(await haproxyWeights(lab, region)).toEqual({ blue: 0, green: 100 });
    const nginx = lab.endpoints.nginx["apac-se"];
    const apac = regionPorts(lab, "apac-se");
    const upstream = parseUpstream(readFileSync(nginx.upstreamFile, "utf8"), {
      upstream: nginx.upstream,
      servers: { blue: `127.0.0.1:${apac.blue}`, green: `127.0.0.1:${apac.green}` },
    });
    expect(upstream).toEqual({ blue: 0, green: 100 });
    for (const region of REGIONS) {
      const ports = regionPorts(lab, region);
      expect(await countColours(`http://127.0.0.1:${ports.lb}/`, 30)).toEqual({ green: 30 });
      expect(await versionServed(ports.green)).toBe("2.1.0");
    }
    await fd.stop();
    flightdeck = null;
  }, 100_000);
});

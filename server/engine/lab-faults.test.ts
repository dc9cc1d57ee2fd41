/**
 * Faults against the lab's real servers, with Flightdeck's runner on the real clock: a wrong digest, a refused
 * SSH login, HAProxy down when traffic must move, Prometheus down while samples are due. Each time the region
 * pauses with an event that says what failed and where traffic stands, the load balancer holds what the
 * events say, and (where the fault can go away) the rollout goes on once it is resumed.
 */
import { rmSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { samples } from "@/db/schema";
import { buildArtifact } from "@/lab/artifacts";
import {
  haproxyWeights,
  labTestConfig,
  regionPorts,
  restartHaproxy,
  restartPrometheus,
  startFlightdeck,
  startLabOnFreePorts,
  versionServed,
  waitFor,
  type FlightdeckOptions,
  type LabFlightdeck,
  type LabTestSettings,
} from "@/lab/flightdeck-harness";
import { installRelease, restartService } from "@/lab/hosts";
import { labPaths } from "@/lab/layout";
import { stopByPidFile } from "@/lab/process";
import type { RunningLab } from "@/lab/stack";
import { tempLabDir } from "@/lab/test-support";
import { abortRegion, promoteRegion, resumeRegion } from "@/server/services/region-commands";
import { startRollout } from "@/server/services/rollouts";
import { eventsOf, regionRolloutOf } from "./runner/test-fixtures";

const dir = tempLabDir();
let lab: RunningLab;
let flightdeck: LabFlightdeck | null = null;

beforeAll(async () => {
  lab = await startLabOnFreePorts(dir);
}, 90_000);

afterEach(async () => {
  await flightdeck?.stop();
  flightdeck = null;
});

afterAll(async () => {
  await lab?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function begin(settings: LabTestSettings, options: FlightdeckOptions = {}) {
  flightdeck = await startFlightdeck(lab, labTestConfig(lab, settings), options);
  return flightdeck;
}

/** A rollout of one region; `artifact` overrides what is registered (a wrong digest). */
async function rollOut(fd: LabFlightdeck, region: string, version: string, artifact: Partial<{ digest: string }> = {}) {
  const built = buildArtifact({ version }, { dir, baseUrl: lab.artifactsUrl });
  const started = await startRollout(fd.as(), {
    serviceId: "api",
    artifact: {
      version,
      digest: built.digest,
      url: built.url,
      sourceRef: "refs/heads/main",
      commitSha: "0123456789abcdef0123456789abcdef01234567",
      ...artifact,
    },
    strategy: "sequential",
    regions: [region],
  });
  const row = () => regionRolloutOf(fd.db, started.rolloutId, region);
  const ref = { rolloutId: started.rolloutId, regionId: region };
  const state = () => ({ phase: row().phase, stage: row().stageIndex, verdict: row().lastVerdict, paused: row().pauseReason });
  return { started, row, ref, state };
}

describe("a deploy that fails", () => {
  it("a wrong digest: deploy.failed with the mismatch, paused, nothing installed and no traffic moved", async () => {
    const fd = await begin({ stageSeconds: [5, 5, 5, 5, 5] });
    const other = buildArtifact({ version: "3.0.0-other", errorRatePct: 50 }, { dir, baseUrl: lab.artifactsUrl });
    const run = await rollOut(fd, "eu-west", "3.0.0", { digest: other.digest });

    const paused = await waitFor("eu-west to pause", () => run.row().paused && run.row(), 30_000, run.state);
    expect(paused).toMatchObject({ phase: "deploying", canaryPct: 0, stageIndex: -1 });
    expect(paused.pauseReason).toContain("deploy failed: deploy of 3.0.0 to green in eu-west failed: digest mismatch: expected");
    const [failed] = eventsOf(fd.db, { type: "deploy.failed", regionId: "eu-west" });
    expect(failed.message).toContain(`digest mismatch: expected ${other.digest}`);
    expect(failed.message).toContain("no traffic moved, 100 % stays on blue");
    // The steps that ran before the verify failed are in the event, for whoever looks.
    expect((failed.data as { log: string[] }).log.join("\n")).toMatch(/\[fetch\] fetched http/);
    expect(eventsOf(fd.db, { type: "stage.started", regionId: "eu-west" })).toEqual([]);
    expect(await haproxyWeights(lab, "eu-west")).toEqual({ blue: 100, green: 0 });
    expect(await versionServed(regionPorts(lab, "eu-west").green)).toBe("1.0.0");
  }, 40_000);

  it("a refused SSH login pauses with the reason, and once the user is fixed a resume deploys and goes on", async () => {
    const env = { ...lab.env, DROPLET_USER: "flightdeck-nobody" };
    const fd = await begin({ stageSeconds: [60, 5, 5, 5, 5] }, { env });
    const run = await rollOut(fd, "eu-west", "3.1.0");

    await waitFor("eu-west to pause", () => run.row().paused, 30_000, run.state);
    expect(run.row().pauseReason).toContain(`SSH login refused for flightdeck-nobody@127.0.0.1:${lab.layout.ports.sshd}: the private key was not accepted`);
    expect(eventsOf(fd.db, { type: "deploy.failed", regionId: "eu-west" })).toHaveLength(1);

    env.DROPLET_USER = "root";
    await resumeRegion(fd.as(), run.ref);
    await waitFor("eu-west at 10 %", () => run.row().canaryPct === 10, 30_000, run.state);
    expect(await versionServed(regionPorts(lab, "eu-west").green)).toBe("3.1.0");
    expect(await haproxyWeights(lab, "eu-west")).toEqual({ blue: 90, green: 10 });

    await abortRegion(fd.as(), run.ref);
    await waitFor("eu-west to abort", () => run.row().phase === "aborted", 15_000, run.state);
    expect(await haproxyWeights(lab, "eu-west")).toEqual({ blue: 100, green: 0 });
  }, 60_000);
});

describe("a load balancer that is down when traffic must move", () => {
  it("pauses with traffic.failed and the percent it stands at; after HAProxy restarts, a resume puts 10 % back and goes on to 25 %", async () => {
    // Samples look back 20 s, so they still pass for a while after HAProxy (and so the traffic) stops.
    const fd = await begin({ stageSeconds: [120, 5, 5, 5, 5], minWindowSeconds: 20, minRequests: 2 });
    const run = await rollOut(fd, "us-east", "3.2.0");
    await waitFor("a passing sample at 10 %", () => run.row().stageIndex === 0 && run.row().lastVerdict === "pass", 30_000, run.state);

    await stopByPidFile(lab.layout.dir, "haproxy-us-east");
    await promoteRegion(fd.as(), run.ref); // the 10 % stage is done: traffic must move to 25 % now
    const paused = await waitFor("us-east to pause", () => run.row().paused && run.row(), 20_000, run.state);

    expect(paused).toMatchObject({ phase: "canary", stageIndex: 0, canaryPct: 10 });
    const [failed] = eventsOf(fd.db, { type: "traffic.failed", regionId: "us-east" });
    expect(failed.message).toMatch(
      /traffic could not be moved to 25 % on green \(HAProxy's runtime API at .*admin\.sock cannot be reached: (connection refused|no such socket) \(is HAProxy down\?\); what the load balancer holds could not be read back .*\); it stands at 10 %/,
    );
    expect(failed.data).toMatchObject({ percent: 25, canaryPct: 10 });

    // HAProxy comes back from its config: green at 0, not the 10 % the events say.
    await restartHaproxy(lab, "us-east");
    expect(await haproxyWeights(lab, "us-east")).toEqual({ blue: 100, green: 0 });
    await resumeRegion(fd.as(), run.ref);
    await waitFor("us-east at 25 %", () => run.row().canaryPct === 25, 30_000, run.state);

    const [restored] = eventsOf(fd.db, { type: "traffic.reconciled", regionId: "us-east" });
    expect(restored.data).toEqual({ found: { blue: 100, green: 0 }, restored: { blue: 90, green: 10 } });
    expect(await haproxyWeights(lab, "us-east")).toEqual({ blue: 75, green: 25 });
    await abortRegion(fd.as(), run.ref);
    await waitFor("us-east to abort", () => run.row().phase === "aborted", 15_000, run.state);
    expect(await haproxyWeights(lab, "us-east")).toEqual({ blue: 100, green: 0 });
  }, 90_000);
});

describe("Flightdeck itself down for a while", () => {
  it("judges the window it missed from Prometheus's history before promoting: errors while it was down roll the region back", async () => {
    const fd = await begin({ stageSeconds: [6, 5, 5, 5, 5] });
    const run = await rollOut(fd, "us-east", "3.4.0");
    await waitFor("a passing sample at 10 %", () => run.row().stageIndex === 0 && run.row().lastVerdict === "pass", 30_000, run.state);
    const lastSampleAt = run.row().lastSampleAt!;

    // While no runner runs, green misbehaves (a hot fix gone wrong) for a few seconds, then is fine again, and
    // the stage's time runs out: what green does now would pass; what it did meanwhile must not.
    const ports = regionPorts(lab, "us-east");
    const green = { dir: labPaths(lab.layout.dir).host("us-east", "green"), region: "us-east", colour: "green" as const, port: ports.green };
    const hotfix = buildArtifact({ version: "3.4.0-hotfix", errorRatePct: 20 }, { dir, baseUrl: lab.artifactsUrl });
    const good = buildArtifact({ version: "3.4.0" }, { dir, baseUrl: lab.artifactsUrl });
    await fd.restartRunner(async () => {
      installRelease(green, hotfix.path, hotfix.version);
      restartService(green, lab.layout.dir);
      await new Promise((r) => setTimeout(r, 5000));
      installRelease(green, good.path, good.version);
      restartService(green, lab.layout.dir);
      await new Promise((r) => setTimeout(r, 4000));
    });

    const rolledBack = await waitFor("us-east to finish", () => run.row().finishedAt !== null && run.row(), 20_000, run.state);
    expect(rolledBack).toMatchObject({ phase: "rolled_back", stageIndex: 0 });
    expect(rolledBack.cause).toEqual([expect.objectContaining({ metric: "error_rate", threshold: 1 })]);
    // The breach came from one of the 1 s windows of the gap, replayed from Prometheus's history oldest first
    // (the bad 5 s were not averaged with the good 4 s after them), before anything was promoted.
    const gap = fd.db.raw
      .select()
      .from(samples)
      .all()
      .find((s) => s.regionRolloutId === rolledBack.id && s.verdict === "breach")!;
    expect(gap.takenAt - lastSampleAt).toBeGreaterThan(0);
    expect(gap.takenAt - lastSampleAt).toBeLessThan(9000);
    expect((gap.takenAt - lastSampleAt) % 1000).toBe(0);
    expect(eventsOf(fd.db, { type: "stage.started", regionId: "us-east" }).map((e) => (e.data as { percent: number }).percent)).toEqual([10]);
    expect(await haproxyWeights(lab, "us-east")).toEqual({ blue: 100, green: 0 });
  }, 60_000);
});

describe("a metrics store that is down", () => {
  it("makes samples inconclusive, naming Prometheus, and pauses at the limit with an alert; once it is back a resume goes on", async () => {
    const fd = await begin({ stageSeconds: [8, 5, 5, 5, 5], inconclusiveLimit: 3 });
    const run = await rollOut(fd, "eu-west", "3.3.0");
    await waitFor("the 10 % stage", () => run.row().stageIndex === 0, 30_000, run.state);

    await stopByPidFile(lab.layout.dir, "prometheus");
    const paused = await waitFor("eu-west to pause", () => run.row().paused && run.row(), 20_000, run.state);

    expect(paused).toMatchObject({ phase: "canary", stageIndex: 0, canaryPct: 10, lastVerdict: "inconclusive", inconclusive: 3 });
    const down = `Prometheus at ${lab.prometheusUrl} cannot be reached: ECONNREFUSED (is it down?)`;
    const [limit] = eventsOf(fd.db, { type: "analysis.inconclusive_limit", regionId: "eu-west" });
    expect(limit.message).toContain(`the metrics could not be read (${down})`);
    expect(limit.message).toContain("Paused with 10 % of traffic on green");
    expect(limit.data).toMatchObject({ alert: true, inconclusive: 3 });
    expect(eventsOf(fd.db, { type: "analysis.inconclusive", regionId: "eu-west" }).every((e) => e.message.includes(down))).toBe(true);
    // Traffic stands where the events say.
    expect(await haproxyWeights(lab, "eu-west")).toEqual({ blue: 90, green: 10 });

    await restartPrometheus(lab);
    await new Promise((r) => setTimeout(r, 3000)); // a sample window's worth of scrapes
    await resumeRegion(fd.as(), run.ref);
    await waitFor("eu-west at 25 %", () => run.row().canaryPct === 25, 30_000, run.state);
    expect(await haproxyWeights(lab, "eu-west")).toEqual({ blue: 75, green: 25 });
    await abortRegion(fd.as(), run.ref);
    await waitFor("eu-west to abort", () => run.row().phase === "aborted", 15_000, run.state);
  }, 90_000);
});

/**
 * The SSH deploy under faults: Flightdeck logs into the lab's real sshd through a proxy
 * (lab/faults/fault-proxy.ts) that resets the connection, or stalls it mid-transfer (bytes stop flowing after
 * part of a deploy's session, the connection held open, as a hung host or a black-holed route does). Each time
 * the deploy fails within its limit, the region pauses with a deploy.failed event naming the fault, no traffic
 * moved (HAProxy still blue 100 / green 0), and once the fault clears a resume deploys and goes on.
 */
import { rmSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFaultProxy, type FaultProxy } from "@/lab/faults/fault-proxy";
import { regionOf, rollOutRegion } from "@/lab/faults/fault-test-support";
import {
  haproxyWeights,
  labTestConfig,
  regionPorts,
  startFlightdeck,
  startLabOnFreePorts,
  versionServed,
  waitFor,
  type LabFlightdeck,
} from "@/lab/flightdeck-harness";
import type { RunningLab } from "@/lab/stack";
import { tempLabDir } from "@/lab/test-support";
import { abortRegion, resumeRegion } from "@/server/services/region-commands";

const dir = tempLabDir();
let lab: RunningLab;
let flightdeck: LabFlightdeck | null = null;
let proxy: FaultProxy | null = null;

beforeAll(async () => {
  lab = await startLabOnFreePorts(dir);
}, 90_000);

afterEach(async () => {
  await flightdeck?.stop();
  await proxy?.stop();
  flightdeck = proxy = null;
});

afterAll(async () => {
  await lab?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("an sshd behind a faulty proxy", () => {
  it("a reset and a transfer that stalls half-way each fail the deploy within its limit and pause with nothing moved; once cleared a resume deploys", async () => {
    proxy = await startFaultProxy({ listen: { port: 0 }, target: { port: lab.layout.ports.sshd } });
    const config = labTestConfig(lab, { stageSeconds: [120, 5, 5, 5, 5] });
    for (const region of ["us-east", "eu-west"]) {
      const deploy = regionOf(config, region).deploy;
      if (deploy.provider !== "ssh") throw new Error(`${region} does not deploy over SSH in the lab`);
      deploy.port = proxy.port!;
      deploy.timeoutSeconds = 8;
    }
    const fd = await startFlightdeck(lab, config);
    flightdeck = fd;

    // A clean deploy first, to learn how many bytes one deploy's SSH session carries.
    const clean = await rollOutRegion(fd, lab, dir, "us-east", "6.0.0");
    await clean.passingAt(10);
    const sessionBytes = proxy.stats().bytes;
    expect(proxy.stats().connections).toBe(1);
    await abortRegion(fd.as(), clean.ref);
    await waitFor("us-east to abort", () => clean.row().phase === "aborted", 15_000, clean.state);

    const run = await rollOutRegion(fd, lab, dir, "eu-west", "6.1.0");
    const where = `root@127.0.0.1:${proxy.port}`;
    const pausedWith = async (what: string, n: number) => {
      const paused = await waitFor(`eu-west to pause (${what})`, () => run.row().paused && run.row(), 25_000, run.state);
      expect(paused).toMatchObject({ phase: "deploying", stageIndex: -1, canaryPct: 0 });
      const failed = run.events("deploy.failed");
      expect(failed).toHaveLength(n);
      expect(await haproxyWeights(lab, "eu-west")).toEqual({ blue: 100, green: 0 });
      expect(run.events("stage.started")).toEqual([]);
      return failed[n - 1].message;
    };

    // Reset as soon as sshd says anything.
    await proxy.setFault({ kind: "cut" });
    expect(await pausedWith("reset", 1)).toContain(`cannot reach ${where} over SSH: connection reset`);

    // Stalled after 60 % of a deploy's bytes: past the login, in the middle of the deploy script's exchange.
    await proxy.setFault({ kind: "stall", afterBytes: Math.round(sessionBytes * 0.6) });
    const stallStarted = Date.now();
    await resumeRegion(fd.as(), run.ref);
    const stalled = await pausedWith("stall", 2);
    // e.g. `step "prepare" on root@127.0.0.1:<port> timed out after 8 s`: the login went through, the script's exchange hung.
    expect(stalled).toMatch(
      new RegExp(`deploy of 6\\.1\\.0 to green in eu-west failed: step "[a-z-]+" on ${where} timed out after 8 s\\); no traffic moved, 100 % stays on blue`),
    );
    expect(Date.now() - stallStarted).toBeGreaterThanOrEqual(7_500);
    expect(proxy.stats().faulted).toBeGreaterThanOrEqual(2);

    await proxy.setFault({ kind: "none" });
    await resumeRegion(fd.as(), run.ref);
    await run.passingAt(10);
    expect(await versionServed(regionPorts(lab, "eu-west").green)).toBe("6.1.0");
    expect(await haproxyWeights(lab, "eu-west")).toEqual({ blue: 90, green: 10 });
    await abortRegion(fd.as(), run.ref);
    await waitFor("eu-west to abort", () => run.row().phase === "aborted", 15_000, run.state);
  }, 90_000);
});

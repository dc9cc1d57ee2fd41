/**
 * HAProxy's runtime API under faults injected on the wire, with the lab's real HAProxy behind a proxy
 * (lab/faults/fault-proxy.ts) and Flightdeck's runner on the real clock: a connection dropped (accepted, never
 * answered), reset mid-command after HAProxy already set a weight, slow, and the unix socket disappearing in
 * the middle of a weight change. Each time the region pauses with a traffic.failed event naming the fault and
 * what the balancer holds, HAProxy's own weights (read past the proxy) are never left half-shifted without the
 * event saying so, and once the fault clears a resume goes on. Faults of the other providers are in the
 * sibling provider-faults-*.test.ts files (docs/reliability.md#provider-faults).
 */
import { rmSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFaultProxy, type FaultProxy } from "@/lab/faults/fault-proxy";
import { regionOf, rollOutRegion } from "@/lab/faults/fault-test-support";
import { haproxyWeights, labTestConfig, regionPorts, startFlightdeck, startLabOnFreePorts, waitFor, type LabFlightdeck } from "@/lab/flightdeck-harness";
import type { RunningLab } from "@/lab/stack";
import { tempLabDir } from "@/lab/test-support";
import { abortRegion, promoteRegion, resumeRegion } from "@/server/services/region-commands";

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

/** Flightdeck with `region`'s traffic provider talking to HAProxy through `through` (2 s per command). */
async function begin(region: string, through: string) {
  const config = labTestConfig(lab, { stageSeconds: [120, 120, 120, 120, 5] });
  const traffic = regionOf(config, region).traffic;
  if (traffic.provider !== "haproxy") throw new Error(`${region} is not behind HAProxy in the lab`);
  traffic.socket = through;
  traffic.timeoutSeconds = 2;
  flightdeck = await startFlightdeck(lab, config);
  return flightdeck;
}

describe("HAProxy's TCP runtime API behind a faulty proxy", () => {
  it("a dropped connection and a reset mid-command pause with what HAProxy holds (a half-done move put back at once); a slow one only slows; each resumes", async () => {
    proxy = await startFaultProxy({ listen: { port: 0 }, target: { port: regionPorts(lab, "us-east").statsTcp } });
    const fd = await begin("us-east", proxy.address);
    const run = await rollOutRegion(fd, lab, dir, "us-east", "4.0.0");
    await run.passingAt(10);

    // Dropped: every command goes unanswered; the move to 25 % times out and so does the check after it.
    await proxy.setFault({ kind: "drop" });
    await promoteRegion(fd.as(), run.ref);
    const dropped = await waitFor("us-east to pause (drop)", () => run.row().paused && run.row(), 20_000, run.state);
    expect(dropped).toMatchObject({ phase: "canary", stageIndex: 0, canaryPct: 10 });
    const [timedOut] = run.events("traffic.failed");
    expect(timedOut.message).toContain(
      `traffic could not be moved to 25 % on green (HAProxy's runtime API at ${proxy.address} did not answer "get weight be_us-east/blue" within 2000 ms`,
    );
    expect(timedOut.message).toContain("what the load balancer holds could not be read back");
    expect(timedOut.message).toContain("it stands at 10 %");
    expect(timedOut.data).toMatchObject({ percent: 25, canaryPct: 10, balancer: { unverified: expect.stringContaining("did not answer") } });
    expect(await haproxyWeights(lab, "us-east")).toEqual({ blue: 90, green: 10 });

    await proxy.setFault({ kind: "none" });
    await resumeRegion(fd.as(), run.ref);
    await run.passingAt(25);
    expect(await haproxyWeights(lab, "us-east")).toEqual({ blue: 75, green: 25 });

    // Reset once, right after HAProxy took "set weight green 50" (the weight going up goes first): blue 75 /
    // green 50 is a split no one verified. The engine reads it back and puts 25 % back before it pauses.
    await proxy.setFault({ kind: "cut", match: /^set weight/, then: { kind: "none" } });
    await promoteRegion(fd.as(), run.ref);
    const cut = await waitFor("us-east to pause (reset)", () => run.row().paused && run.row(), 20_000, run.state);
    expect(cut).toMatchObject({ stageIndex: 1, canaryPct: 25 });
    const reset = run.events("traffic.failed")[1];
    expect(reset.message).toMatch(/failed during "set weight be_us-east\/green 50": (read )?ECONNRESET/);
    expect(reset.message).toContain("the load balancer held blue 60 % / green 40 % and was put back to blue 75 % / green 25 %, read back");
    expect(reset.data).toMatchObject({ balancer: { found: { blue: 60, green: 40 }, restored: { blue: 75, green: 25 } } });
    expect(await haproxyWeights(lab, "us-east")).toEqual({ blue: 75, green: 25 });

    // Slow (half a second per connection, under the 2 s limit): the move is late, not failed.
    await proxy.setFault({ kind: "delay", ms: 500 });
    await resumeRegion(fd.as(), run.ref);
    await waitFor("us-east at 50 %", () => run.row().canaryPct === 50, 30_000, run.state);
    expect(run.row().paused).toBe(false);
    expect(await haproxyWeights(lab, "us-east")).toEqual({ blue: 50, green: 50 });
    expect(proxy.stats().faulted).toBeGreaterThanOrEqual(6);

    await proxy.setFault({ kind: "none" });
    await abortRegion(fd.as(), run.ref);
    await waitFor("us-east to abort", () => run.row().phase === "aborted", 15_000, run.state);
    expect(await haproxyWeights(lab, "us-east")).toEqual({ blue: 100, green: 0 });
    expect(run.events("traffic.failed")).toHaveLength(2);
  }, 90_000);
});

describe("HAProxy's unix admin socket disappearing mid-command", () => {
  it("pauses saying the split is unverified; once the socket is back a resume puts the verified split back first, then moves on", async () => {
    const real = lab.endpoints.haproxySockets["eu-west"];
    proxy = await startFaultProxy({ listen: { path: path.join(path.dirname(real), "faulty-admin.sock") }, target: { path: real } });
    const fd = await begin("eu-west", proxy.address);
    const run = await rollOutRegion(fd, lab, dir, "eu-west", "4.1.0");
    await run.passingAt(10);

    // HAProxy takes "set weight green 25"; its answer is lost and the socket goes away before blue's command.
    await proxy.setFault({ kind: "cut", match: /^set weight/, then: { kind: "gone" } });
    await promoteRegion(fd.as(), run.ref);
    const paused = await waitFor("eu-west to pause", () => run.row().paused && run.row(), 20_000, run.state);
    expect(paused).toMatchObject({ phase: "canary", stageIndex: 0, canaryPct: 10 });
    const [failed] = run.events("traffic.failed");
    expect(failed.message).toContain(`HAProxy's runtime API at ${proxy.address} cannot be reached: no such socket (is HAProxy down?)`);
    expect(failed.message).toContain(
      "what the load balancer holds could not be read back (HAProxy's runtime API at " +
        `${proxy.address} cannot be reached: no such socket (is HAProxy down?)): unverified until it answers; a resume puts blue 90 % / green 10 % back first`,
    );
    expect(failed.data).toMatchObject({ balancer: { unverified: expect.stringContaining("no such socket") } });
    // HAProxy itself (read past the proxy) holds the half-done move the event warns of.
    expect(await haproxyWeights(lab, "eu-west")).toEqual({ blue: 90, green: 25 });

    await proxy.setFault({ kind: "none" });
    await resumeRegion(fd.as(), run.ref);
    await waitFor("eu-west at 25 %", () => run.row().canaryPct === 25, 30_000, run.state);
    const [reconciled] = run.events("traffic.reconciled");
    expect(reconciled.data).toEqual({ found: { blue: 78, green: 22 }, restored: { blue: 90, green: 10 } });
    expect(await haproxyWeights(lab, "eu-west")).toEqual({ blue: 75, green: 25 });

    await abortRegion(fd.as(), run.ref);
    await waitFor("eu-west to abort", () => run.row().phase === "aborted", 15_000, run.state);
    expect(await haproxyWeights(lab, "eu-west")).toEqual({ blue: 100, green: 0 });
  }, 60_000);
});

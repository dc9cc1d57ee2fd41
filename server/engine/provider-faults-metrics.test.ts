/**
 * Prometheus under faults: each region's metrics provider reads the lab's real Prometheus through its own
 * faulty front (lab/faults/prometheus-front.ts) that answers 500, garbage, NaN, an empty result, or too late.
 * Three regions roll out at once, one fault each. Every sample during the fault is inconclusive with a reason
 * naming it, the region pauses at the limit with traffic where it stood (read from HAProxy and nginx), and once
 * the fault clears a resume moves on. A fault shorter than the limit only costs a few samples.
 */
import { readFileSync, rmSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startPrometheusFront, type PrometheusFault, type PrometheusFront } from "@/lab/faults/prometheus-front";
import { regionOf, rollOutRegion } from "@/lab/faults/fault-test-support";
import { haproxyWeights, labTestConfig, regionPorts, startFlightdeck, startLabOnFreePorts, waitFor, type LabFlightdeck } from "@/lab/flightdeck-harness";
import type { RunningLab } from "@/lab/stack";
import { tempLabDir } from "@/lab/test-support";
import { abortRegion, promoteRegion, resumeRegion } from "@/server/services/region-commands";

const REGIONS = ["us-east", "eu-west", "apac-se"] as const;
type Region = (typeof REGIONS)[number];

const dir = tempLabDir();
let lab: RunningLab;
let flightdeck: LabFlightdeck | null = null;
let fronts: Record<Region, PrometheusFront> | null = null;

beforeAll(async () => {
  lab = await startLabOnFreePorts(dir);
}, 90_000);

afterEach(async () => {
  await flightdeck?.stop();
  await Promise.all(Object.values(fronts ?? {}).map((f) => f.stop()));
  flightdeck = fronts = null;
});

afterAll(async () => {
  await lab?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Flightdeck with each region reading Prometheus through its own front, 2 s per query, paused after 3 inconclusive samples. */
async function begin() {
  const config = labTestConfig(lab, { stageSeconds: [120, 120, 120, 120, 5], inconclusiveLimit: 3 });
  const started = await Promise.all(REGIONS.map(() => startPrometheusFront({ prometheusUrl: lab.prometheusUrl })));
  fronts = Object.fromEntries(REGIONS.map((r, i) => [r, started[i]])) as Record<Region, PrometheusFront>;
  for (const region of REGIONS) {
    const metrics = regionOf(config, region).metrics;
    if (metrics.provider !== "prometheus") throw new Error(`${region} does not read Prometheus in the lab`);
    metrics.url = fronts[region].url;
    metrics.timeoutSeconds = 2;
  }
  flightdeck = await startFlightdeck(lab, config);
  return { fd: flightdeck, fronts };
}

/** The split the region's load balancer holds now, in percent: HAProxy's runtime weights, or the weights in nginx's upstream file. */
async function weightsOf(region: Region): Promise<{ blue: number; green: number }> {
  if (region !== "apac-se") return haproxyWeights(lab, region);
  const file = readFileSync(lab.endpoints.nginx[region].upstreamFile, "utf8");
  const weight = (port: number) => {
    const m = new RegExp(`server 127\\.0\\.0\\.1:${port}(?: weight=(\\d+))?( down)?;`).exec(file);
    if (!m) throw new Error(`nginx's upstream of ${region} has no server on ${port}:\n${file}`);
    return m[2] ? 0 : Number(m[1] ?? 1);
  };
  const ports = regionPorts(lab, region);
  const [blue, green] = [weight(ports.blue), weight(ports.green)];
  const greenPct = Math.round((green * 100) / (blue + green));
  return { blue: 100 - greenPct, green: greenPct };
}

/** The fault each region meets at 10 %, and the words its inconclusive samples must say. */
async function pauseAndRecover(fd: LabFlightdeck, faults: Record<Region, { fault: PrometheusFault; says: string }>) {
  const runs = await Promise.all(REGIONS.map((region, i) => rollOutRegion(fd, lab, dir, region, `5.${i}.0`)));
  await Promise.all(runs.map((run) => run.passingAt(10)));
  for (const region of REGIONS) fronts![region].setFault(faults[region].fault);

  const paused = await Promise.all(runs.map((run) => waitFor(`${run.ref.regionId} to pause`, () => run.row().paused && run.row(), 30_000, run.state)));
  for (const [i, region] of REGIONS.entries()) {
    const run = runs[i];
    expect(paused[i]).toMatchObject({ phase: "canary", stageIndex: 0, canaryPct: 10, lastVerdict: "inconclusive", inconclusive: 3 });
    const [limit] = run.events("analysis.inconclusive_limit");
    expect(limit.message, region).toContain(faults[region].says);
    expect(limit.message, region).toContain("Paused with 10 % of traffic on green");
    expect(limit.data).toMatchObject({ alert: true, inconclusive: 3 });
    const during = run.events("analysis.inconclusive").slice(-3);
    expect(
      during.every((e) => e.message.includes(faults[region].says)),
      `${region}: ${during.map((e) => e.message).join(" | ")}`,
    ).toBe(true);
    expect(await weightsOf(region), region).toEqual({ blue: 90, green: 10 });
    expect(fronts![region].stats().faulted).toBeGreaterThan(0);
  }

  for (const region of REGIONS) fronts![region].setFault("none");
  await resumeAndPromote(fd, runs);
  for (const region of REGIONS) expect(await weightsOf(region), region).toEqual({ blue: 75, green: 25 });
  await Promise.all(runs.map((run) => abortRegion(fd.as(), run.ref)));
  await Promise.all(runs.map((run) => waitFor(`${run.ref.regionId} to abort`, () => run.row().phase === "aborted", 20_000, run.state)));
}

/** Once the fault is cleared: resumed, a sample passes again, and the next stage is reached. */
async function resumeAndPromote(fd: LabFlightdeck, runs: Array<Awaited<ReturnType<typeof rollOutRegion>>>) {
  await Promise.all(runs.map((run) => resumeRegion(fd.as(), run.ref)));
  await Promise.all(runs.map((run) => run.passingAt(10)));
  await Promise.all(runs.map((run) => promoteRegion(fd.as(), run.ref)));
  await Promise.all(runs.map((run) => run.passingAt(25)));
}

describe("a Prometheus that answers wrongly", () => {
  it("HTTP 500, garbage and NaN: inconclusive samples naming the fault, a pause at the limit with traffic unmoved, and a resume once it clears", async () => {
    const { fd, fronts: f } = await begin();
    await pauseAndRecover(fd, {
      "us-east": { fault: "http-500", says: `the metrics could not be read (Prometheus at ${f["us-east"].url} answered HTTP 500: internal server error)` },
      "eu-west": { fault: "garbage", says: `the metrics could not be read (Prometheus at ${f["eu-west"].url} answered something that is not its API` },
      "apac-se": { fault: "nan", says: "no request count for the window, so error rate and p95 latency cannot be judged" },
    });
  }, 90_000);

  it("an empty result and an answer too late pause the same way; a fault shorter than the limit costs a few samples and no pause", async () => {
    const { fd, fronts: f } = await begin();
    const short = await rollOutRegion(fd, lab, dir, "apac-se", "5.9.0");
    // Not in pauseAndRecover: apac-se meets 500s for two seconds only, under the limit of 3.
    await short.passingAt(10);
    f["apac-se"].setFault("http-500");
    await waitFor("an inconclusive sample in apac-se", () => short.row().inconclusive >= 1, 10_000, short.state);
    f["apac-se"].setFault("none");
    await waitFor("a passing sample again in apac-se", () => short.row().lastVerdict === "pass", 10_000, short.state);
    expect(short.row().paused).toBe(false);
    expect(short.events("analysis.inconclusive_limit")).toEqual([]);
    await promoteRegion(fd.as(), short.ref);
    await short.passingAt(25);
    await abortRegion(fd.as(), short.ref);
    await waitFor("apac-se to abort", () => short.row().phase === "aborted", 20_000, short.state);

    const runs = await Promise.all((["us-east", "eu-west"] as const).map((region, i) => rollOutRegion(fd, lab, dir, region, `5.${i + 5}.0`)));
    await Promise.all(runs.map((run) => run.passingAt(10)));
    f["us-east"].setFault("empty");
    f["eu-west"].setFault({ lateMs: 5000 });
    const says = {
      "us-east": "no request count for the window, so error rate and p95 latency cannot be judged",
      "eu-west": `the metrics could not be read (Prometheus at ${f["eu-west"].url} did not answer within 2000 ms)`,
    };
    for (const run of runs) {
      const region = run.ref.regionId as "us-east" | "eu-west";
      await waitFor(`${region} to pause`, () => run.row().paused, 30_000, run.state);
      const [limit] = run.events("analysis.inconclusive_limit");
      expect(limit.message, region).toContain(says[region]);
      expect(await haproxyWeights(lab, region)).toEqual({ blue: 90, green: 10 });
    }
    f["us-east"].setFault("none");
    f["eu-west"].setFault("none");
    await resumeAndPromote(fd, runs);
    for (const run of runs) expect(await haproxyWeights(lab, run.ref.regionId)).toEqual({ blue: 75, green: 25 });
    await Promise.all(runs.map((run) => abortRegion(fd.as(), run.ref)));
    await Promise.all(runs.map((run) => waitFor(`${run.ref.regionId} to abort`, () => run.row().phase === "aborted", 20_000, run.state)));
  }, 90_000);
});

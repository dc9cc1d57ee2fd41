/**
 * Rollback benchmark (issue 4), against the lab's real servers: a release failing 5 % of its requests (its
 * first one included) is rolled out to us-east over and over by Flightdeck's runner on the real clock; each
 * run times the path from green's weight verified at 10 % on HAProxy to green's weight 0 verified, split into
 * waiting for a scrape, waiting for an analysis tick, the PromQL queries, the decision, and the weight change,
 * and reports it as a ratio to the floor: scrape interval + analysis interval + HAProxy's API round trip.
 * Prometheus scrapes every second and Flightdeck samples every second; the lab sends 50 requests a second per
 * region, so a request reaches green within 0.2 s of the move; one request is enough to judge (minRequests 1).
 *
 *   npm run bench -- rollback-lab
 *   BENCH_ROLLBACK_RUNS=20 npm run bench -- rollback-lab
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import pino from "pino";
import { regionRollouts, samples } from "@/db/schema";
import { buildArtifact } from "@/lab/artifacts";
import { installRelease, restartService } from "@/lab/hosts";
import { labPaths } from "@/lab/layout";
import { labTestConfig, startFlightdeck, startLabOnFreePorts, waitFor, type LabFlightdeck } from "@/lab/flightdeck-harness";
import type { RunningLab } from "@/lab/stack";
import { realClock } from "@/server/engine/runner";
import { cachedProviders } from "@/server/engine/runner/providers";
import { SimulatedWorld } from "@/server/providers/simulated-world";
import { startRollout } from "@/server/services/rollouts";
import { greenErrorSamples, instrument, runtimeRoundTripMs } from "./rollback-lab/probes";
import { firstRiseAfter, partsOf, renderReport, type RunParts } from "./rollback-lab/timing";

const REGION = "us-east";
const SCRAPE_MS = 1000; // the lab's Prometheus scrape interval
const INTERVAL_S = 1;

export async function run(): Promise<void> {
  const runs = Math.max(10, Number(process.env.BENCH_ROLLBACK_RUNS ?? 10) || 10);
  const dir = mkdtempSync(path.join(tmpdir(), "flightdeck-bench-rollback-"));
  let lab: RunningLab | null = null;
  let flightdeck: LabFlightdeck | null = null;
  const cleanUp = async () => {
    await flightdeck?.stop().catch(() => undefined);
    await lab?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = () => void cleanUp().finally(() => process.exit(130));
  process.once("SIGINT", onSignal);
  try {
    console.log("starting the lab (50 requests a second per region)…");
    lab = await startLabOnFreePorts(dir, 36_000, { trafficPerSecond: 50 });
    const config = labTestConfig(lab, { stageSeconds: [60, 5, 5, 5, 5], intervalSeconds: INTERVAL_S, minRequests: 1, inconclusiveLimit: 1000 });
    const probes = instrument(cachedProviders(config, new SimulatedWorld(), realClock, lab.env));
    flightdeck = await startFlightdeck(lab, config, { providers: (r) => probes.providersFor(r), log: pino({ level: "silent" }) });
    const bad = buildArtifact({ version: "9.0.0-bad", errorRatePct: 5 }, { dir, baseUrl: lab.artifactsUrl });

    const parts: RunParts[] = [];
    for (let i = 1; i <= runs; i++) {
      parts.push(await oneRun(lab, flightdeck, probes, bad));
      const p = parts[parts.length - 1];
      console.log(`run ${i}/${runs}: ${Math.round(p.totalMs)} ms (scrape ${Math.round(p.scrapeMs)}, tick ${Math.round(p.tickMs)}, query ${Math.round(p.queryMs)}, decide ${p.decideMs.toFixed(1)}, weight ${p.weightMs.toFixed(1)})`);
    }
    const apiRoundTripMs = await runtimeRoundTripMs(lab.endpoints.haproxySockets[REGION], `be_${REGION}/green`);
    console.log(`\n${renderReport(parts, { scrapeMs: SCRAPE_MS, intervalMs: INTERVAL_S * 1000, apiRoundTripMs })}`);
    console.log("command: npm run bench -- rollback-lab (BENCH_ROLLBACK_RUNS=<n> for more runs)");
  } finally {
    process.off("SIGINT", onSignal);
    await cleanUp();
  }
}

/**
 * Green back on the lab's clean release first, as the idle colour would be before a new rollout: its 5xx
 * counter then reads 0 in Prometheus before the bad release restarts it. (Were the bad release's own counter
 * of 1 scraped, then the new process's 1, Prometheus could not tell the restart and would see no new error.)
 */
async function resetGreen(lab: RunningLab): Promise<void> {
  const ports = lab.layout.regions.find((r) => r.id === REGION)!.ports;
  const host = { dir: labPaths(lab.layout.dir).host(REGION, "green"), region: REGION, colour: "green" as const, port: ports.green };
  installRelease(host, lab.baseline.path, lab.baseline.version);
  restartService(host, lab.layout.dir);
  await new Promise((r) => setTimeout(r, 2 * SCRAPE_MS));
}

async function oneRun(lab: RunningLab, fd: LabFlightdeck, probes: ReturnType<typeof instrument>, bad: { version: string; digest: string; url: string }): Promise<RunParts> {
  await resetGreen(lab);
  probes.reset();
  const started = startRollout(fd.as(), { serviceId: "api", artifact: { version: bad.version, digest: bad.digest, url: bad.url }, strategy: "sequential", regions: [REGION] });
  const row = await waitFor(`${REGION} to roll back`, () => {
    const r = fd.db.select().from(regionRollouts).where(eq(regionRollouts.id, started.regions[0].regionRolloutId)).get();
    return r && (r.finishedAt !== null || r.paused) && r;
  }, 60_000);
  if (row.phase !== "rolled_back" || row.stageIndex !== 0) throw new Error(`expected a rollback at the 10 % stage, got ${row.phase} at stage ${row.stageIndex}: ${row.outcomeReason ?? row.pauseReason}`);

  const shift = probes.weightCalls.find((c) => c.canaryPct === 10);
  const rollback = probes.weightCalls.find((c) => c.canaryPct === 0);
  const breach = fd.db.select().from(samples).where(and(eq(samples.regionRolloutId, row.id), eq(samples.verdict, "breach"))).get();
  if (!shift || !rollback || !breach) throw new Error(`run incomplete: shift ${!!shift}, rollback ${!!rollback}, breach sample ${!!breach}`);
  const queries = probes.measureCalls.filter((m) => m.to === breach.takenAt);
  const errorScrapedAt = firstRiseAfter(await greenErrorSamples(lab.prometheusUrl, REGION, rollback.endedAt + 100), shift.startedAt);
  if (errorScrapedAt === null) throw new Error("Prometheus holds no rise of green's 5xx counter after the move");
  return partsOf({
    shiftStartedAt: shift.startedAt,
    shiftVerifiedAt: shift.endedAt,
    errorScrapedAt,
    breachTickAt: breach.takenAt,
    queriedAt: Math.max(...queries.map((q) => q.endedAt)),
    rollbackStartedAt: rollback.startedAt,
    rollbackVerifiedAt: rollback.endedAt,
  });
}

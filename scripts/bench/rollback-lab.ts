/**
 * Rollback benchmark (issues 4 and 12), against the lab's real servers: a release failing 5 % of its requests
 * (its first one included) is rolled out to us-east over and over by Flightdeck's runner on the real clock,
 * alternately on the Prometheus-only path and with the fast path on (`metrics.fast`: HAProxy's counters read
 * every 500 ms). Each run times green's weight verified at 10 % on HAProxy to green's weight 0 verified. The
 * Prometheus path splits it into waiting for a scrape, for an analysis tick, the PromQL queries, the decision
 * and the weight change, as a ratio to its floor: scrape interval + analysis interval + HAProxy's API round
 * trip. The fast path splits it into waiting for the read that saw the error, that read, the decision and the
 * weight change, as a ratio to its floor: fast interval + a "show stat" round trip. Prometheus scrapes every
 * second and Flightdeck samples every second; the lab sends 50 requests a second per region, so a request
 * reaches green within 0.2 s of the move; one request is enough to judge (minRequests 1).
 *
 *   npm run bench -- rollback-lab                              (20 runs of each path)
 *   BENCH_ROLLBACK_RUNS=40 npm run bench -- rollback-lab
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import { buildArtifact } from "@/lab/artifacts";
import { installRelease, restartService } from "@/lab/hosts";
import { labPaths } from "@/lab/layout";
import { labTestConfig, startFlightdeck, startLabOnFreePorts, waitFor, type LabFlightdeck } from "@/lab/flightdeck-harness";
import type { RunningLab } from "@/lab/stack";
import type { FleetConfig } from "@/server/config/schema";
import { realClock } from "@/server/engine/runner";
import { cachedProviders } from "@/server/engine/runner/providers";
import { SimulatedWorld } from "@/server/providers/simulated-world";
import { startRollout } from "@/server/services/rollouts";
import { greenErrorSamples, instrument, runtimeRoundTripMs } from "./rollback-lab/probes";
import { fastPartsOf, firstRiseAfter, partsOf, renderFastReport, renderReport, type FastRunParts, type RunParts } from "./rollback-lab/timing";

const REGION = "us-east";
const SCRAPE_MS = 1000; // the lab's Prometheus scrape interval
const INTERVAL_S = 1;
const FAST_MS = 500;

/** The lab's config with the fast source on us-east (the bench switches it on and off between runs). */
function withFastSource(config: FleetConfig): FleetConfig {
  return {
    ...config,
    regions: config.regions.map((r) =>
      r.id === REGION && r.metrics.provider === "prometheus"
        ? { ...r, metrics: { ...r.metrics, fast: { provider: "haproxy-stats", intervalMs: FAST_MS, timeoutSeconds: 2 } } }
        : r,
    ),
  };
}

export async function run(): Promise<void> {
  const runs = Math.max(20, Number(process.env.BENCH_ROLLBACK_RUNS ?? 20) || 20);
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
    lab = await startLabOnFreePorts(dir, { trafficPerSecond: 50 });
    const config = withFastSource(labTestConfig(lab, { stageSeconds: [60, 5, 5, 5, 5], intervalSeconds: INTERVAL_S, minRequests: 1, inconclusiveLimit: 1000 }));
    const probes = instrument(cachedProviders(config, new SimulatedWorld(), realClock, lab.env));
    flightdeck = await startFlightdeck(lab, config, { providers: (r) => probes.providersFor(r), log: pino({ level: "silent" }) });
    const bad = buildArtifact({ version: "9.0.0-bad", errorRatePct: 5 }, { dir, baseUrl: lab.artifactsUrl });

    const parts: RunParts[] = [];
    const fastParts: FastRunParts[] = [];
    let caughtByFast = 0;
    for (let i = 1; i <= runs; i++) {
      probes.switches.fastOn = false;
      const p = await oneRun(lab, flightdeck, probes, bad);
      parts.push(p);
      console.log(
        `run ${i}/${runs}, Prometheus only: ${Math.round(p.totalMs)} ms (scrape ${Math.round(p.scrapeMs)}, tick ${Math.round(p.tickMs)}, query ${Math.round(p.queryMs)}, decide ${p.decideMs.toFixed(1)}, weight ${p.weightMs.toFixed(1)})`,
      );
      probes.switches.fastOn = true;
      const f = await oneFastRun(lab, flightdeck, probes, bad);
      fastParts.push(f.parts);
      if (f.byFast) caughtByFast += 1;
      const q = f.parts;
      console.log(
        `run ${i}/${runs}, fast path:       ${Math.round(q.totalMs)} ms (wait ${Math.round(q.waitMs)}, show stat ${q.readMs.toFixed(1)}, decide ${q.decideMs.toFixed(1)}, weight ${q.weightMs.toFixed(1)})${f.byFast ? "" : " (caught by a Prometheus sample first)"}`,
      );
    }
    const socket = lab.endpoints.haproxySockets[REGION];
    const apiRoundTripMs = await runtimeRoundTripMs(socket, `get weight be_${REGION}/green`);
    const statRoundTripMs = await runtimeRoundTripMs(socket, `show stat be_${REGION} 4 -1`);
    console.log(`\n${renderReport(parts, { scrapeMs: SCRAPE_MS, intervalMs: INTERVAL_S * 1000, apiRoundTripMs })}`);
    console.log(`\n${renderFastReport(fastParts, { fastIntervalMs: FAST_MS, statRoundTripMs })}`);
    console.log(`caught by the fast path in ${caughtByFast} of ${runs} runs`);
    console.log("command: npm run bench -- rollback-lab (BENCH_ROLLBACK_RUNS=<n> for more runs of each path)");
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

type Probes = ReturnType<typeof instrument>;
type Artifact = { version: string; digest: string; url: string };

/** One rollout of the bad release to us-east, back to blue at the 10 % stage: the region rollout when done. */
async function rolledBack(lab: RunningLab, fd: LabFlightdeck, probes: Probes, bad: Artifact) {
  await resetGreen(lab);
  probes.reset();
  const started = await startRollout(fd.as(), {
    serviceId: "api",
    artifact: { version: bad.version, digest: bad.digest, url: bad.url, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
    strategy: "sequential",
    regions: [REGION],
  });
  const row = await waitFor(
    `${REGION} to roll back`,
    async () => {
      const r = await fd.db.regionRollouts.byId(started.regions[0].regionRolloutId);
      return r && (r.finishedAt !== null || r.paused) && r;
    },
    60_000,
  );
  if (row.phase !== "rolled_back" || row.stageIndex !== 0)
    throw new Error(`expected a rollback at the 10 % stage, got ${row.phase} at stage ${row.stageIndex}: ${row.outcomeReason ?? row.pauseReason}`);
  return row;
}

/** One run to its rollback: the move to 10 %, the move back to 0 % and the breach sample, each as recorded. */
async function rolledBackRun(lab: RunningLab, fd: LabFlightdeck, probes: Probes, bad: Artifact) {
  const row = await rolledBack(lab, fd, probes, bad);
  const shift = probes.weightCalls.find((c) => c.canaryPct === 10);
  const rollback = probes.weightCalls.find((c) => c.canaryPct === 0);
  const breach = await fd.db.samples.firstWithVerdict(row.id, "breach");
  if (!shift || !rollback || !breach) throw new Error(`run incomplete: shift ${!!shift}, rollback ${!!rollback}, breach sample ${!!breach}`);
  return { shift, rollback, breach };
}

/** The fast path: the first read of HAProxy's counters after the move whose green errors rose over the base read before it. */
async function oneFastRun(lab: RunningLab, fd: LabFlightdeck, probes: Probes, bad: Artifact): Promise<{ parts: FastRunParts; byFast: boolean }> {
  const { shift, rollback, breach } = await rolledBackRun(lab, fd, probes, bad);
  const base = probes.countersCalls.filter((c) => c.endedAt <= shift.startedAt).at(-1);
  const read = probes.countersCalls.find(
    (c) => c.startedAt >= shift.endedAt && base !== undefined && c.greenErrors > base.greenErrors && c.endedAt <= rollback.startedAt,
  );
  const byFast = !probes.measureCalls.some((m) => m.to === breach.takenAt);
  if (!read)
    throw new Error(
      `no read of HAProxy's counters saw green's error before the rollback (base ${base ? "read" : "missing"}; ${probes.countersCalls.length} reads)`,
    );
  return {
    parts: fastPartsOf({
      shiftVerifiedAt: shift.endedAt,
      readStartedAt: read.startedAt,
      readEndedAt: read.endedAt,
      rollbackStartedAt: rollback.startedAt,
      rollbackVerifiedAt: rollback.endedAt,
    }),
    byFast,
  };
}

async function oneRun(lab: RunningLab, fd: LabFlightdeck, probes: Probes, bad: Artifact): Promise<RunParts> {
  const { shift, rollback, breach } = await rolledBackRun(lab, fd, probes, bad);
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

/**
 * Load benchmark (issue 16): Flightdeck as users run it (the production build, SQLite, the engine in the server;
 * scripts/bench/load/flightdeck.ts) with one rollout sampling in each of 100 simulated regions (every 10 s: three
 * times the default 30 s, so 10 samples a second reach the feeds), while 200 live feeds
 * stay open (the dashboard's SSE subscription, signed in) and API reads arrive at 50 a second (REST with a token,
 * the rollout page's and overview's tRPC queries), for 10 minutes, all on 127.0.0.1. One region is paused and
 * resumed through the REST API every 2 s, so stored events keep flowing to the feeds; it is left out of the lag.
 *
 * Reports API latency (p50/p99 from when each read was due), live-feed delay (event committed → received by each
 * feed), the server's RSS and JS heap over time with the slope after warm-up (a leak is flagged), and the engine's
 * decision lag (due → decided and saved; goal p99 < 100 ms). Prints one block and a `BENCH_RESULT {json}` line.
 *
 *   npm run bench -- load                      (10 minutes)
 *   npm run bench -- load --minutes 2 --regions 100 --interval 10 --feeds 200 --rps 50
 */
import { mkdtempSync, rmSync } from "node:fs";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { ensureBuild } from "../ensure-build.mjs";
import { openFeeds } from "./load/feeds";
import { loadFleet, prepareDatabase, processCpuMs, signIn, spawnServer, startRollouts, waitForHealth, writeConfig } from "./load/flightdeck";
import { watchDecisionLag, watchMemory } from "./load/probes";
import { READ_KINDS, readAtRate } from "./load/reads";
import { growthAfter, summarize, type Growth, type Summary } from "./load/stats";

const PORT = 3290;
const GOAL_LAG_P99_MS = 100;
const MIB = 1024 * 1024;
/** A leak: a fitted rise after warm-up of more than 16 MiB and 10 % of the mean (scripts/bench/load/stats.ts). */
const LEAK_RULE = { minRiseBytes: 16 * MIB, minRiseFraction: 0.1 };
const MARKER_EVERY_MS = 2_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

function options(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      minutes: { type: "string", default: "10" },
      "warmup-minutes": { type: "string" },
      regions: { type: "string", default: "100" },
      interval: { type: "string", default: "10" },
      feeds: { type: "string", default: "200" },
      rps: { type: "string", default: "50" },
    },
    strict: true,
  });
  const num = (name: string, value: string | undefined, min: number, max: number) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`npm run bench -- load: --${name} must be a number from ${min} to ${max} (got ${value})`);
    return n;
  };
  const minutes = num("minutes", values.minutes, 0.5, 120);
  return {
    minutes,
    warmupMinutes: num("warmup-minutes", values["warmup-minutes"] ?? String(Math.min(2, minutes / 5)), 0, minutes - 0.25),
    regions: num("regions", values.regions, 2, 1000),
    intervalSeconds: num("interval", values.interval, 0.05, 3600),
    feeds: num("feeds", values.feeds, 0, 2000),
    rps: num("rps", values.rps, 1, 1000),
  };
}

/** The machine's 1-minute load average, sampled every 10 s while the bench runs. */
function watchLoadAverage(signal: AbortSignal): number[] {
  const seen: number[] = [];
  const timer = setInterval(() => seen.push(os.loadavg()[0]), 10_000);
  signal.addEventListener("abort", () => clearInterval(timer), { once: true });
  return seen;
}

/** Pauses and resumes the marker region in turn through the REST API, so the feeds get stored events at a steady rate. */
async function driveMarker(base: string, token: string, rolloutId: string, regionId: string, signal: AbortSignal): Promise<number> {
  let failures = 0;
  for (let n = 0; !signal.aborted; n++) {
    const action = n % 2 === 0 ? "pause" : "resume";
    const res = await fetch(`${base}/api/v1/rollouts/${rolloutId}/regions/${regionId}/${action}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(action === "pause" ? { reason: "load bench marker" } : {}),
      signal,
    }).catch(() => null);
    if (res && !res.ok) failures++;
    await res?.arrayBuffer();
    await sleep(MARKER_EVERY_MS);
  }
  return failures;
}

const ms = (v: number | null) => (v === null ? "—" : `${Math.round(v)} ms`);
const mib = (v: number | null) => (v === null ? "—" : `${(v / MIB).toFixed(1)} MiB`);
const line = (name: string, s: Summary) =>
  `  ${name.padEnd(22)} n=${String(s.n).padEnd(7)} p50 ${ms(s.p50).padStart(8)}  p99 ${ms(s.p99).padStart(8)}  max ${ms(s.max).padStart(8)}`;
const growthLine = (name: string, g: Growth, first: number | undefined) =>
  `  ${name.padEnd(6)} ${mib(first ?? null)} at start, mean ${mib(g.meanBytes)} after warm-up, slope ${g.bytesPerMinute === null ? "—" : `${(g.bytesPerMinute / MIB).toFixed(2)} MiB/min`} (${g.samples} samples)  ${g.leak ? "LEAK" : "flat"}`;

export async function run(args: string[]): Promise<void> {
  const o = options(args);
  ensureBuild();
  const dir = mkdtempSync(path.join(tmpdir(), "flightdeck-bench-load-"));
  const dbFile = path.join(dir, "flightdeck.db");
  // Stages outlast the run, so every region samples its first stage throughout.
  const config = loadFleet(o.regions, Math.ceil(o.minutes) + 30, PORT, o.intervalSeconds);
  const configFile = writeConfig(dir, config);
  const { db, readToken, deployToken } = await prepareDatabase(dbFile, config);
  const server = spawnServer({ dir, dbFile, configFile, port: PORT, log: "server.log" });
  const stop = new AbortController();
  let finished = false;
  try {
    await waitForHealth(server, path.join(dir, "server.log"));
    const rolloutIds = await startRollouts(db, config, Date.now() + 3_000);
    const marker = { rolloutId: rolloutIds[rolloutIds.length - 1], regionId: config.regions[config.regions.length - 1].id };
    const markerRow = db.$client.prepare("select id from region_rollouts where rollout_id = ?").get(marker.rolloutId) as { id: string };
    const cookie = await signIn(server.base, "demo-viewer");
    const sampling = db.$client.prepare("select count(*) as n from region_rollouts where phase = 'canary' and last_sample_at is not null");
    const deadline = Date.now() + 60_000 + 2 * o.intervalSeconds * 1000;
    while ((sampling.get() as { n: number }).n < o.regions) {
      if (Date.now() > deadline)
        throw new Error(`only ${(sampling.get() as { n: number }).n} of ${o.regions} regions sample after a minute and two intervals; see ${dir}/server.log`);
      await sleep(200);
    }

    const loadAverages = watchLoadAverage(stop.signal);
    const cpuBefore = process.cpuUsage();
    const serverCpuBefore = processCpuMs(server.pid);
    const start = Date.now();
    const until = start + o.minutes * 60_000;
    const warmupEndsAt = start + o.warmupMinutes * 60_000;
    const memory = watchMemory(server.base, server.pid, 5_000, stop.signal);
    const lag = watchDecisionLag(db, 100, stop.signal, new Set([markerRow.id]));
    const feeds = await openFeeds(server.base, cookie, o.feeds, stop.signal);
    const markerDone = driveMarker(server.base, deployToken, marker.rolloutId, marker.regionId, stop.signal);
    console.log(
      `load: ${o.regions} regions sampling, ${o.feeds} feeds open, ${o.rps} reads/s for ${o.minutes} min (warm-up ${o.warmupMinutes} min); server log ${dir}/server.log`,
    );
    const reads = await readAtRate(server.base, { perSecond: o.rps, until, rolloutIds, token: readToken, cookie, maxInFlight: 500, signal: stop.signal });
    await sleep(until - Date.now());
    const serverCpuPct = ((processCpuMs(server.pid) - serverCpuBefore) / (Date.now() - start)) * 100;
    stop.abort();
    const [markerFailures] = await Promise.all([markerDone, memory.done, lag.done, feeds.done]);
    const benchCpuPct = (() => {
      const c = process.cpuUsage(cpuBefore);
      return ((c.user + c.system) / 1000 / (Date.now() - start)) * 100;
    })();

    // Figures after warm-up only, but the memory's start level is from the first sample.
    const lagAfter = lag.trace.lags.filter((l) => l.at >= warmupEndsAt).map((l) => l.lagMs);
    const api = Object.fromEntries(READ_KINDS.map((k) => [k, summarize(reads.latenciesMs[k])]));
    const apiAll = summarize(READ_KINDS.flatMap((k) => reads.latenciesMs[k]));
    const feedDelay = summarize(feeds.stats.delaysMs);
    const lagSummary = summarize(lagAfter);
    const rss = growthAfter(memory.trace.rss, warmupEndsAt, LEAK_RULE);
    const heap = growthAfter(memory.trace.heap, warmupEndsAt, LEAK_RULE);
    const loadAvg = { mean: loadAverages.reduce((s, v) => s + v, 0) / Math.max(1, loadAverages.length), max: Math.max(0, ...loadAverages) };
    const cores = os.cpus().length;
    const lagMet = lagSummary.p99 !== null && lagSummary.p99 < GOAL_LAG_P99_MS;
    const failures = Object.entries(reads.failures);

    console.log(
      `Load, ${o.minutes} min (${o.warmupMinutes} min warm-up left out of the latencies and slopes): ${o.regions} rollouts sampling every ${o.intervalSeconds} s, ${o.feeds} live feeds, ${o.rps} API reads/s`,
    );
    console.log(`API reads, from due to answered (${reads.sent} sent, ${reads.shed} shed, ${failures.reduce((s, [, n]) => s + n, 0)} failed):`);
    console.log(line("all", apiAll));
    for (const k of READ_KINDS) console.log(line(k, api[k]));
    for (const [what, n] of failures) console.log(`  failed: ${what} ×${n}`);
    console.log(`Live feeds, event committed → received (${o.feeds} feeds, ${feeds.stats.notices} sample notices, ${feeds.stats.reconnects} reconnects):`);
    console.log(line("stored events", feedDelay));
    for (const e of [...new Set(feeds.stats.errors)].slice(0, 5)) console.log(`  error: ${e}`);
    console.log(`Server memory (RSS of its process tree, JS heap from /api/metrics; a leak: rise > 16 MiB and > 10 % after warm-up):`);
    console.log(growthLine("RSS", rss, memory.trace.rss[0]?.bytes));
    console.log(growthLine("heap", heap, memory.trace.heap[0]?.bytes));
    console.log(`Engine decision lag, due → decided and saved (goal p99 < ${GOAL_LAG_P99_MS} ms):`);
    console.log(`${line("canary passes", lagSummary)}  ${lagMet ? "goal met" : "GOAL MISSED"}`);
    console.log(
      `Machine: ${cores} cores, 1-min load average mean ${loadAvg.mean.toFixed(2)} max ${loadAvg.max.toFixed(2)}; the server used ${serverCpuPct.toFixed(0)} % of a core, this bench's client ${benchCpuPct.toFixed(0)} %${loadAvg.mean > cores ? " — CONTENDED: the figures include waiting for the CPU" : ""}`,
    );
    if (markerFailures > 0) console.log(`  the marker region's pause/resume failed ${markerFailures} times`);
    console.log(
      `BENCH_RESULT ${JSON.stringify({
        bench: "load",
        at: new Date(start).toISOString(),
        minutes: o.minutes,
        warmupMinutes: o.warmupMinutes,
        regions: o.regions,
        intervalSeconds: o.intervalSeconds,
        feeds: o.feeds,
        readsPerSecond: o.rps,
        apiMs: { all: apiAll, ...api },
        reads: { sent: reads.sent, shed: reads.shed, failures: reads.failures },
        feedDelayMs: feedDelay,
        feedNotices: feeds.stats.notices,
        feedReconnects: feeds.stats.reconnects,
        memory: {
          rss: { ...rss, firstBytes: memory.trace.rss[0]?.bytes ?? null },
          heap: { ...heap, firstBytes: memory.trace.heap[0]?.bytes ?? null },
          serverLoopDelayP99MsMax: Math.max(0, ...memory.trace.loopDelayP99Ms),
        },
        decisionLagMs: lagSummary,
        lagGoalMet: lagMet,
        loadAverage: loadAvg,
        cores,
        serverCpuPctOfCore: serverCpuPct,
        benchClientCpuPctOfCore: benchCpuPct,
      })}`,
    );
    finished = true;
  } finally {
    stop.abort();
    await server.stop();
    db.$client.close();
    // Kept when the bench failed: the server's log is in it.
    if (finished) rmSync(dir, { recursive: true, force: true });
  }
}

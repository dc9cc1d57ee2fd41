/**
 * One run of the engine benchmark, in its own process so its CPU and memory are its own:
 * `tsx scripts/bench/engine/measure.ts <regions> <warm-up s> <measure s>` prints one `BENCH_RESULT {json}` line.
 *
 * The engine runs as in production (startEngine, real clock, a temp SQLite file in WAL) on the simulated
 * providers. It is instrumented from outside only: the metrics provider is wrapped, and a sample of the window
 * [from, to] was due at from + interval (the runner's stored nextTickAt), so `to − from − interval` is how late
 * that pass ran. Runner ticks are counted by wrapping the runner's tick method; nothing in the engine changes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { migrateDatabase, openDatabase } from "@/db/client";
import type { Actor } from "@/server/actor";
import { Runner, realClock, startEngine } from "@/server/engine/runner";
import { cachedProviders } from "@/server/engine/runner/providers";
import { SimulatedWorld } from "@/server/providers/simulated-world";
import { systemContext } from "@/server/services/context";
import { syncFleet } from "@/server/services/fleet";
import { benchConfig, startStaggered, watchingMeasurements } from "./fleet";
import { percentile } from "./stats";

const INTERVAL_MS = 1_000;
const STAGE_MINUTES = 60;

export type EngineBenchResult = {
  regions: number;
  measureSeconds: number;
  /** Region passes that took a sample in the window, per second (ideal: regions / interval). */
  passesPerSecond: number;
  runnerTicksPerSecond: number | null;
  lagMs: { p50: number | null; p99: number | null; max: number | null; samples: number };
  eventLoopDelayP99Ms: number;
  /** Process CPU (user + system) over the window, in % of one core. */
  cpuPctOfCore: number;
  /** Share of the window the engine's thread was ready but waited for the CPU (other processes, GC threads; Linux). */
  cpuWaitPct: number | null;
  /** The machine's 1-minute load average at the end (other processes compete for the core). */
  loadAverage: number;
  rssBytesPerRegionRollout: number;
  heapBytesPerRegionRollout: number;
  /** Region rollouts still sampling their first stage at the end, and the verdicts in the window. */
  inCanary: number;
  verdicts: Record<string, number>;
  /** How late the last rollout was written after the first one's start time (0: the stagger held). */
  createdLateMs: number;
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
/** Nanoseconds this process's main thread was ready to run but waited for a CPU (Linux); null elsewhere. */
function runQueueWaitNs(): number | null {
  try {
    return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[1]);
  } catch {
    return null;
  }
}

const gc = () => (globalThis as { gc?: () => void }).gc?.();

/** Count the runner's ticks by wrapping its (private) tick launcher; null if it is not there any more. */
function countRunnerTicks(): { count: () => number | null } {
  const proto = Runner.prototype as unknown as Record<string, unknown>;
  const original = proto.launchTick;
  if (typeof original !== "function") return { count: () => null };
  let ticks = 0;
  proto.launchTick = function (this: unknown, ...args: unknown[]) {
    ticks++;
    return original.apply(this, args);
  };
  return { count: () => ticks };
}

export async function measureEngine(regions: number, warmupSeconds: number, measureSeconds: number): Promise<EngineBenchResult> {
  const dir = mkdtempSync(path.join(tmpdir(), "flightdeck-bench-"));
  const db = openDatabase(path.join(dir, "bench.db"));
  migrateDatabase(db);
  const config = benchConfig(regions, INTERVAL_MS / 1000, STAGE_MINUTES);
  await syncFleet(systemContext(db, config));
  await db.users.insert({ id: "bench", email: "bench@bench.flightdeck", name: "Bench", createdAt: Date.now() });
  await db.users.appendRoleChanges([{ userId: "bench", role: "deployer", change: "granted", changedBy: "bench", at: Date.now() }]);
  const actor: Actor = { kind: "user", id: "bench", name: "Bench", roles: ["deployer"] };

  let window = { from: Infinity, to: Infinity };
  const lags: number[] = [];
  const lagTimes: number[] = [];
  const ticks = countRunnerTicks();
  const world = new SimulatedWorld({ seed: 1, requestsPerSecond: 1_000, recordCalls: false });
  // Every region deploys to green (blue is live at the start): green is the canary. Its window was due at
  // from + interval; the pass measures it now (a late pass still asks for one interval at a time).
  const providers = watchingMeasurements(cachedProviders(config, world, realClock), (input) => {
    const at = Date.now();
    if (input.colour !== "green" || at < window.from || at >= window.to) return;
    lags.push(at - input.from - INTERVAL_MS);
    lagTimes.push(at);
  });

  gc();
  const before = process.memoryUsage();
  // Staggered starts over one interval, as a fleet's rollouts would be, so due times spread over the second.
  // Each rollout is written with its start time (`now`, hence its first nextTickAt) in the near future, then
  // the engine starts: it takes every lease in its first tick and runs each rollout's first pass at its start
  // time. (Started live, a rollout waits for the runner's next lease scan, up to 1 s, which would bunch them.)
  const startAt = Date.now() + 1_000 + regions * 2;
  await startStaggered(db, config, actor, regions, startAt, INTERVAL_MS);
  const createdLateMs = Math.max(0, Date.now() - startAt);
  const runner = startEngine({ db, config, clock: realClock, world, providers, runner: { id: "bench" } });
  await sleep(startAt + INTERVAL_MS - Date.now());

  await sleep(warmupSeconds * 1000);
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  const ticksBefore = ticks.count();
  const cpuBefore = process.cpuUsage();
  const waitBefore = runQueueWaitNs();
  window = { from: Date.now(), to: Date.now() + measureSeconds * 1000 };
  loopDelay.enable();
  await sleep(window.to - Date.now());
  loopDelay.disable();
  const cpu = process.cpuUsage(cpuBefore);
  const waitAfter = runQueueWaitNs();
  const wallMs = Date.now() - window.from;
  const ticksAfter = ticks.count();
  gc();
  const after = process.memoryUsage();
  await runner.stop();

  // The bench's own tallies, read straight from its SQLite file once the engine stopped.
  const inCanary = (
    db.$client.prepare("select count(*) as n from region_rollouts where phase = 'canary' and stage_index = 0 and paused = 0").get() as { n: number }
  ).n;
  const verdictRows = db.$client
    .prepare("select verdict, count(*) as n from samples where role = 'canary' and taken_at >= ? and taken_at <= ? group by verdict")
    .all(window.from, window.to) as Array<{ verdict: string | null; n: number }>;
  // BENCH_ENGINE_TRACE=<file>: every pass of the window as "ms into the window, lag ms", to find what is periodic.
  if (process.env.BENCH_ENGINE_TRACE) writeFileSync(process.env.BENCH_ENGINE_TRACE, lags.map((lag, i) => `${lagTimes[i] - window.from},${lag}`).join("\n"));
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });

  return {
    regions,
    measureSeconds,
    passesPerSecond: lags.length / (wallMs / 1000),
    runnerTicksPerSecond: ticksBefore === null || ticksAfter === null ? null : (ticksAfter - ticksBefore) / (wallMs / 1000),
    lagMs: { p50: percentile(lags, 50), p99: percentile(lags, 99), max: lags.length ? Math.max(...lags) : null, samples: lags.length },
    eventLoopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    cpuPctOfCore: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
    cpuWaitPct: waitBefore === null || waitAfter === null ? null : ((waitAfter - waitBefore) / 1e6 / wallMs) * 100,
    loadAverage: os.loadavg()[0],
    rssBytesPerRegionRollout: (after.rss - before.rss) / regions,
    heapBytesPerRegionRollout: (after.heapUsed - before.heapUsed) / regions,
    inCanary,
    verdicts: Object.fromEntries(verdictRows.map((r) => [r.verdict ?? "none", r.n])),
    createdLateMs,
  };
}

if (import.meta.filename === path.resolve(process.argv[1] ?? "")) {
  const [regions, warmup, seconds] = process.argv.slice(2).map(Number);
  if (![regions, warmup, seconds].every((n) => Number.isFinite(n) && n > 0)) {
    console.error("usage: tsx scripts/bench/engine/measure.ts <regions> <warm-up seconds> <measure seconds>");
    process.exit(2);
  }
  const result = await measureEngine(regions, warmup, seconds);
  console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
  process.exit(0);
}

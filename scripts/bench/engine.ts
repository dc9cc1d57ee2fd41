/**
 * Engine benchmark (issue 3): N concurrent region rollouts (N = 10, 100, 1000) in one process on the simulated
 * providers, with a 1 s analysis interval, in real time. Reports ticks per second, the decision lag p50 / p99
 * (how late a due pass runs), CPU and memory per region rollout. Goal: 1,000 region rollouts with p99 lag
 * under 100 ms on one core. Each N runs in its own process pinned to one core (taskset, when there is one).
 *
 *   npm run bench -- engine
 *   BENCH_ENGINE_SIZES=10,100,1000 BENCH_ENGINE_SECONDS=30 BENCH_ENGINE_WARMUP=5 npm run bench -- engine
 *   BENCH_ENGINE_PROFILE=<dir>: write a CPU profile of each run there (node --cpu-prof).
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import type { EngineBenchResult } from "./engine/measure";

const GOAL = { regions: 1000, p99Ms: 100 };
const ROOT = path.resolve(import.meta.dirname, "../..");
const MEASURE = path.join(ROOT, "scripts/bench/engine/measure.ts");
const TASKSET = "/usr/bin/taskset";

const numbers = (text: string | undefined, fallback: number[]) =>
  text
    ? text
        .split(",")
        .map(Number)
        .filter((n) => Number.isInteger(n) && n > 0)
    : fallback;

function measureInChild(regions: number, warmup: number, seconds: number): Promise<EngineBenchResult> {
  const node = [process.execPath, "--expose-gc", "--import", "tsx"];
  if (process.env.BENCH_ENGINE_PROFILE) node.push("--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_ENGINE_PROFILE}`);
  const argv = [...node, MEASURE, String(regions), String(warmup), String(seconds)];
  const [cmd, ...args] = existsSync(TASKSET) ? [TASKSET, "-c", "0", ...argv] : argv;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" }, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
      if (code !== 0 || !line) return reject(new Error(`the ${regions}-region run exited with ${code}:\n${out}`));
      resolve(JSON.parse(line.slice("BENCH_RESULT ".length)) as EngineBenchResult);
    });
  });
}

const ms = (v: number | null) => (v === null ? "n/a" : `${Math.round(v)} ms`);
const fixed = (v: number | null, digits = 1) => (v === null ? "n/a" : v.toFixed(digits));
const kib = (bytes: number) => `${Math.round(bytes / 1024)} KiB`;

function table(results: EngineBenchResult[]): string {
  const head = [
    "N",
    "passes/s (due/s)",
    "runner ticks/s",
    "lag p50",
    "lag p99",
    "lag max",
    "loop delay p99",
    "CPU % core",
    "CPU/rollout",
    "RSS/rollout",
    "heap/rollout",
    "CPU wait",
    "load",
    "in canary",
    "verdicts",
  ];
  const rows = results.map((r) => [
    String(r.regions),
    `${fixed(r.passesPerSecond, 0)} (${r.regions})`,
    fixed(r.runnerTicksPerSecond),
    ms(r.lagMs.p50),
    ms(r.lagMs.p99),
    ms(r.lagMs.max),
    ms(r.eventLoopDelayP99Ms),
    `${fixed(r.cpuPctOfCore)} %`,
    `${fixed((r.cpuPctOfCore * 10) / r.regions, 3)} ms/s`,
    kib(r.rssBytesPerRegionRollout),
    kib(r.heapBytesPerRegionRollout),
    r.cpuWaitPct === null ? "n/a" : `${fixed(r.cpuWaitPct)} %`,
    fixed(r.loadAverage, 2),
    `${r.inCanary}/${r.regions}`,
    Object.entries(r.verdicts)
      .map(([v, n]) => `${v} ${n}`)
      .join(", "),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => "| " + cells.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |";
  return [line(head), "| " + widths.map((w) => "-".repeat(w)).join(" | ") + " |", ...rows.map(line)].join("\n");
}

export async function run(): Promise<void> {
  const sizes = numbers(process.env.BENCH_ENGINE_SIZES, [10, 100, 1000]);
  const [seconds] = numbers(process.env.BENCH_ENGINE_SECONDS, [30]);
  const [warmup] = numbers(process.env.BENCH_ENGINE_WARMUP, [5]);
  console.log(`command: npm run bench -- engine   (BENCH_ENGINE_SIZES=${sizes.join(",")} BENCH_ENGINE_SECONDS=${seconds} BENCH_ENGINE_WARMUP=${warmup})`);
  console.log(
    `N one-region rollouts on simulated providers, 1 s analysis interval, real clock, temp SQLite (WAL), ${existsSync(TASKSET) ? "pinned to core 0" : "not pinned"};`,
  );
  console.log(`starts staggered over 1 s, ${warmup} s warm-up, then ${seconds} s measured while every region samples its first stage.`);
  const results: EngineBenchResult[] = [];
  for (const regions of sizes) {
    process.stdout.write(`  running N = ${regions} ...\n`);
    results.push(await measureInChild(regions, warmup, seconds));
  }
  console.log("\n" + table(results));
  console.log(
    "\nlag: when a pass sampled minus when it was due (its stored nextTickAt). CPU/rollout: CPU time per second per region rollout." +
      "\nRSS/rollout, heap/rollout: growth from before the first rollout to the end, over N (fixed costs dominate at small N)." +
      "\nCPU wait: share of the window the engine's thread was ready to run but waited for the core (other processes, or this" +
      "\nprocess's own GC threads pinned to the same core). Lag above the goal with a high CPU wait is the machine, not the engine.",
  );
  for (const r of results) {
    if (r.createdLateMs > 0)
      console.log(`N = ${r.regions}: writing the rollouts overran their staggered start times by ${r.createdLateMs} ms; the first passes bunched.`);
  }
  const goal = results.find((r) => r.regions === GOAL.regions);
  if (goal) {
    const met = goal.lagMs.p99 !== null && goal.lagMs.p99 < GOAL.p99Ms && goal.passesPerSecond >= goal.regions * 0.98;
    const waited = goal.cpuWaitPct !== null && goal.cpuWaitPct > 5 ? `; the engine waited for the core ${fixed(goal.cpuWaitPct)} % of the time` : "";
    const contended = waited && !met ? `${waited}: rerun on a quiet machine` : waited;
    console.log(
      `goal (${GOAL.regions} region rollouts, p99 lag < ${GOAL.p99Ms} ms on one core): ${met ? "met" : "missed"} (p99 ${ms(goal.lagMs.p99)}, ${fixed(goal.passesPerSecond, 0)} passes/s${contended})`,
    );
  }
}

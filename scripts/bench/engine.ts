/**
 * Engine benchmark (issue 3): N concurrent region rollouts (N = 10, 100, 1000) in one process on the simulated
 * providers, with a 1 s analysis interval, in real time. Reports ticks per second, the decision lag p50 / p99
 * (how late a due pass runs), CPU and memory per region rollout. Goal: 1,000 region rollouts with p99 lag
 * under 100 ms on one core. Each N runs in its own process pinned to one core (taskset, when there is one).
 *
 *   npm run bench -- engine
 *   BENCH_ENGINE_SIZES=10,100,1000 BENCH_ENGINE_SECONDS=30 BENCH_ENGINE_WARMUP=5 npm run bench -- engine
 *   BENCH_ENGINE_PROFILE=<dir>: write a CPU profile of each run there (node --cpu-prof).
 *
 * Before and after in the same run (issue 13's "keep the speed"): BENCH_ENGINE_BEFORE=<rev>[:<measure rev>] checks
 * out <rev> in a temporary git worktree (measured with the measure script of <measure rev> when given, for a <rev>
 * whose own script measured differently) and runs it and this checkout in turn, BENCH_ENGINE_ROUNDS times each
 * (default 3), then reports each side's median and the ratio after / before:
 *
 *   BENCH_ENGINE_BEFORE=1ca8698:0bcc824 BENCH_ENGINE_SIZES=1000 npm run bench -- engine
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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

function measureInChild(regions: number, warmup: number, seconds: number, root = ROOT): Promise<EngineBenchResult> {
  const node = [process.execPath, "--expose-gc", "--import", "tsx"];
  if (process.env.BENCH_ENGINE_PROFILE) node.push("--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_ENGINE_PROFILE}`);
  const argv = [...node, path.join(root, path.relative(ROOT, MEASURE)), String(regions), String(warmup), String(seconds)];
  const [cmd, ...args] = existsSync(TASKSET) ? [TASKSET, "-c", "0", ...argv] : argv;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" }, stdio: ["ignore", "pipe", "inherit"] });
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

/** `<rev>[:<measure rev>]` checked out in a temporary worktree sharing this checkout's node_modules. */
function checkoutBefore(spec: string): { dir: string; remove: () => void } {
  const [rev, measureRev] = spec.split(":");
  const git = (...args: string[]) => execFileSync("git", args, { cwd: ROOT });
  const dir = mkdtempSync(path.join(tmpdir(), "flightdeck-bench-before-"));
  git("worktree", "add", "--detach", "--force", dir, rev);
  if (measureRev) writeFileSync(path.join(dir, path.relative(ROOT, MEASURE)), git("show", `${measureRev}:${path.relative(ROOT, MEASURE)}`));
  symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  return { dir, remove: () => git("worktree", "remove", "--force", dir) };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? null : sorted[Math.floor((sorted.length - 1) / 2)];
};

/** Before and after, in turn, ROUNDS times each per N; each side's median p99 lag and CPU per rollout, and the ratio. */
async function compare(spec: string, sizes: number[], warmup: number, seconds: number): Promise<void> {
  const [rounds] = numbers(process.env.BENCH_ENGINE_ROUNDS, [3]);
  const before = checkoutBefore(spec);
  try {
    console.log(`before: ${spec} (worktree ${before.dir}); after: this checkout; ${rounds} rounds each, in turn.`);
    for (const regions of sizes) {
      const runs: Record<"before" | "after", EngineBenchResult[]> = { before: [], after: [] };
      for (let round = 1; round <= rounds; round++) {
        for (const side of ["before", "after"] as const) {
          const r = await measureInChild(regions, warmup, seconds, side === "before" ? before.dir : ROOT);
          runs[side].push(r);
          console.log(
            `  N = ${regions}, round ${round}, ${side}: lag p99 ${ms(r.lagMs.p99)}, CPU ${fixed(r.cpuPctOfCore)} % of a core, CPU wait ${fixed(r.cpuWaitPct)} %`,
          );
        }
      }
      const p99 = (side: "before" | "after") => median(runs[side].map((r) => r.lagMs.p99 ?? Infinity));
      const cpu = (side: "before" | "after") => median(runs[side].map((r) => r.cpuPctOfCore / r.regions));
      const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : a / b);
      const lagRatio = ratio(p99("after"), p99("before"));
      const cpuRatio = ratio(cpu("after"), cpu("before"));
      const within = (r: number | null) => (r !== null && r <= 1.2 ? "within 20 %" : "more than 20 % worse");
      console.log(
        `N = ${regions} medians: lag p99 ${ms(p99("before"))} before, ${ms(p99("after"))} after (${fixed(lagRatio, 2)}×, ${within(lagRatio)}); ` +
          `CPU per rollout ${fixed(cpuRatio, 2)}× before's (${within(cpuRatio)})`,
      );
    }
  } finally {
    before.remove();
  }
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
  if (process.env.BENCH_ENGINE_BEFORE) return compare(process.env.BENCH_ENGINE_BEFORE, sizes, warmup, seconds);
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

/**
 * High-availability benchmark (issue 14): N concurrent one-region rollouts on the simulated providers at a 1 s
 * analysis interval, driven by 1, 2 and 3 replicas (separate processes) on one PostgreSQL, and by one process on
 * SQLite for comparison, all in the same run. Per setup: decision lag p50 / p99 (how late a due pass sampled),
 * passes per second, database round trips per pass, CPU per replica and PostgreSQL's. Then the failover time:
 * kill -9 of the replica holding the most leases, to the first pass of one of its rollouts on another replica,
 * over K kills (each followed by a replacement replica). Goals: p99 lag under 200 ms at 3 replicas, failover
 * under one lease TTL + 1 s. Prints a table and one `BENCH_RESULT {json}` line.
 *
 *   npm run bench -- ha [--rollouts 3000] [--seconds 30] [--warmup 10] [--kills 10] [--ttl 15000]
 */
import { mkdtempSync, rmSync } from "node:fs";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createDatabase, startPostgres } from "@/lab/servers/postgres";
import { ensureSystemPackages } from "../system-packages.mjs";
import { measureFailover, type FailoverResult } from "./ha/failover";
import { measureSetup, type SetupResult } from "./ha/setup";

const GOAL = { p99Ms: 200, replicas: 3, failoverSlackMs: 1_000 };

function options(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      rollouts: { type: "string", default: "3000" },
      seconds: { type: "string", default: "30" },
      warmup: { type: "string", default: "10" },
      kills: { type: "string", default: "10" },
      ttl: { type: "string", default: "15000" },
    },
    strict: true,
  });
  const number = (name: keyof typeof values, min: number) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) throw new Error(`npm run bench -- ha: --${name} wants a whole number of at least ${min}, not "${values[name]}"`);
    return n;
  };
  return {
    rollouts: number("rollouts", 1),
    seconds: number("seconds", 1),
    warmup: number("warmup", 0),
    kills: number("kills", 0),
    ttlMs: number("ttl", 1_000),
  };
}

export async function run(args: string[] = []): Promise<void> {
  const o = options(args);
  console.log(
    `command: npm run bench -- ha --rollouts ${o.rollouts} --seconds ${o.seconds} --warmup ${o.warmup} --kills ${o.kills} --ttl ${o.ttlMs}\n` +
      `${o.rollouts} one-region rollouts (services × up to 1,000 regions) on simulated providers, 1 s analysis interval, real clock;\n` +
      `${os.cpus().length} cores, nothing pinned. ` +
      `PostgreSQL 15 (Debian, fsync on, default settings) on 127.0.0.1; SQLite: a temp file (WAL). Each setup writes its rollouts due over 1 s,\n` +
      `waits ${o.warmup} s, then measures ${o.seconds} s while every region samples its first stage.`,
  );
  ensureSystemPackages(["postgresql"]);
  const dir = mkdtempSync(path.join(tmpdir(), "fd-bench-ha-"));
  // Its own dir, which startPostgres gives to the postgres user as root.
  const pgDir = mkdtempSync(path.join(tmpdir(), "fd-bench-ha-pg-"));
  const server = await startPostgres({ dir: pgDir });
  try {
    const setups: SetupResult[] = [];
    const base = { rollouts: o.rollouts, seconds: o.seconds, warmup: o.warmup, leaseTtlMs: o.ttlMs, logDir: dir };
    for (const replicas of [1, 2, 3]) {
      process.stdout.write(`  PostgreSQL, ${replicas} replica(s) ...\n`);
      setups.push(await measureSetup({ ...base, store: "postgres", database: await createDatabase(server.url, `bench_${replicas}`), replicas }));
      progress(setups.at(-1)!);
    }
    process.stdout.write("  SQLite, 1 process ...\n");
    setups.push(await measureSetup({ ...base, store: "sqlite", database: path.join(dir, "bench.db"), replicas: 1 }));
    progress(setups.at(-1)!);
    let failover: FailoverResult | null = null;
    if (o.kills > 0) {
      process.stdout.write(`  failover: ${o.kills} kills of 3 replicas on PostgreSQL, lease TTL ${o.ttlMs / 1000} s ...\n`);
      failover = await measureFailover({ ...base, database: await createDatabase(server.url, "bench_failover"), kills: o.kills });
    }
    report(o, setups, failover);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(pgDir, { recursive: true, force: true });
  }
}

const ms = (v: number | null) => (v === null ? "n/a" : `${Math.round(v)} ms`);

/** One line as each setup ends, so a run cut short still said what it measured. */
function progress(s: SetupResult): void {
  process.stdout.write(`    ${fixed(s.passesPerSecond, 0)} passes/s of ${s.rollouts} due, lag p50 ${ms(s.lagMs.p50)}, p99 ${ms(s.lagMs.p99)}\n`);
}
const fixed = (v: number | null, digits = 1) => (v === null ? "n/a" : v.toFixed(digits));

function report(o: ReturnType<typeof options>, setups: SetupResult[], failover: FailoverResult | null): void {
  const head = [
    "store",
    "replicas",
    "passes/s (due/s)",
    "lag p50",
    "lag p99",
    "lag max",
    "round trips/pass",
    "db xact/s",
    "CPU per replica",
    "PostgreSQL CPU",
    "machine busy",
    "others' CPU",
    "in canary",
  ];
  const rows = setups.map((s) => [
    s.store,
    String(s.replicas),
    `${fixed(s.passesPerSecond, 0)} (${s.rollouts})`,
    ms(s.lagMs.p50),
    ms(s.lagMs.p99),
    ms(s.lagMs.max),
    fixed(s.roundTripsPerPass),
    fixed(s.xactPerSecond, 0),
    s.cpuPctOfCorePerReplica.map((c) => `${fixed(c, 0)} %`).join(", "),
    s.postgresCpuPctOfCore === null ? "n/a" : `${fixed(s.postgresCpuPctOfCore, 0)} %`,
    `${fixed(s.machineBusyPct, 0)} %`,
    `${fixed(s.otherCpuPctOfCore, 0)} %`,
    `${s.inCanary}/${s.rollouts}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => "| " + cells.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |";
  console.log(["", line(head), "| " + widths.map((w) => "-".repeat(w)).join(" | ") + " |", ...rows.map(line)].join("\n"));
  console.log(
    "\nlag: when a pass sampled minus when it was due. round trips/pass: every query the replicas sent to PostgreSQL in the window\n" +
      "(counted in each process on its pooled connections: node-postgres sends one query per round trip) over the sampling passes;\n" +
      "db xact/s: pg_stat_database xact_commit + xact_rollback over the window (a cross-check). CPU in % of one core; machine busy\n" +
      "over all cores (/proc/stat); others' CPU: the rest of the machine meanwhile (other processes, the kernel). A setup that\n" +
      "cannot keep up shows passes/s below N and a growing lag.",
  );
  for (const s of setups.filter((s) => s.unreported.length > 0))
    console.log(
      `${s.store} × ${s.replicas}: ${s.unreported.join(", ")} did not report within a minute of the window's end (overloaded: its timers starved), so no figure of that setup is given.`,
    );
  const contended = setups.filter((s) => s.otherCpuPctOfCore > 20);
  if (contended.length > 0)
    console.log(
      `other processes used ${contended.map((s) => `${fixed(s.otherCpuPctOfCore, 0)} %`).join(", ")} of a core during ${contended.map((s) => `${s.store} × ${s.replicas}`).join(", ")}: those figures are contended; rerun on a quiet machine.`,
    );
  for (const s of setups)
    if (s.createdLateMs > 0) console.log(`${s.store} × ${s.replicas}: writing the rollouts overran their start times by ${s.createdLateMs} ms.`);

  const three = setups.find((s) => s.store === "postgres" && s.replicas === GOAL.replicas);
  const sqlite = setups.find((s) => s.store === "sqlite");
  if (three && sqlite) {
    const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? "n/a" : `${(a / b).toFixed(2)}×`);
    const cpu = (s: SetupResult) => s.cpuPctOfCorePerReplica.reduce((a, b) => a + b, 0) + (s.postgresCpuPctOfCore ?? 0);
    console.log(
      `\nPostgreSQL × 3 replicas / SQLite × 1 process: lag p50 ${ratio(three.lagMs.p50, sqlite.lagMs.p50)}, p99 ${ratio(three.lagMs.p99, sqlite.lagMs.p99)}, ` +
        `passes/s ${ratio(three.passesPerSecond, sqlite.passesPerSecond)}, CPU (replicas + database) ${ratio(cpu(three), cpu(sqlite))}`,
    );
  }
  if (failover) {
    console.log(
      `\nfailover (lease TTL ${o.ttlMs / 1000} s; kill -9 of the replica holding the most leases, each followed by a replacement):\n` +
        failover.kills
          .map(
            (k, i) =>
              `  kill ${i + 1}: ${k.victimHeld} rollouts; leases taken ${ms(k.leaseTakenMs)} (all ${ms(k.allLeasesTakenMs)}), first pass of one ${ms(k.firstPassMs)}, all resumed ${ms(k.allResumedMs)}`,
          )
          .join("\n") +
        (failover.stopped ? `\n  stopped ${failover.stopped}` : "") +
        `\n  first pass of a taken-over rollout after the kill: p50 ${ms(failover.firstPassMs.p50)}, max ${ms(failover.firstPassMs.max)}; ` +
        `all of the victim's rollouts resumed: p50 ${ms(failover.allResumedMs.p50)}, max ${ms(failover.allResumedMs.max)}` +
        "\n  (the replicas' ids are not of the host:pid shape, so a killed one's leases are waited out as for another machine; each replica\n" +
        "  simulates its own load balancers, so the traffic check of a taken-over rollout puts its split back: one more write each)",
    );
  }
  const lagMet = three ? three.lagMs.p99 !== null && three.lagMs.p99 < GOAL.p99Ms && (three.passesPerSecond ?? 0) >= three.rollouts * 0.98 : null;
  const failoverMet = failover ? failover.firstPassMs.max !== null && failover.firstPassMs.max < o.ttlMs + GOAL.failoverSlackMs : null;
  const word = (met: boolean | null) => (met === null ? "not measured" : met ? "met" : "missed");
  console.log(
    `\ngoals: p99 lag < ${GOAL.p99Ms} ms with ${GOAL.replicas} replicas at ${o.rollouts} rollouts: ${word(lagMet)} (p99 ${ms(three?.lagMs.p99 ?? null)}, ` +
      `${fixed(three?.passesPerSecond ?? null, 0)} passes/s); failover < TTL + 1 s (${(o.ttlMs + GOAL.failoverSlackMs) / 1000} s): ${word(failoverMet)} (max ${ms(failover?.firstPassMs.max ?? null)})`,
  );
  console.log(`BENCH_RESULT ${JSON.stringify({ bench: "ha", ...o, setups, failover, goals: { lagMet, failoverMet } })}`);
}

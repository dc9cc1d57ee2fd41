/**
 * `npm run chaos`: Flightdeck's engine as its own process (dist/worker.mjs, as `npm run worker` runs it) rolling
 * releases out to the lab's real servers, killed with SIGKILL (its whole process group) at named crash points
 * and at random moments, then started again. After each rollout the world is checked from the servers' side
 * (./check.ts). The engine's own records are only used to know which cards and steps exist.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseDocument, stringify } from "yaml";
import { migrateDatabase, openDatabase, type SqliteStore } from "@/db/client";
import type { FleetConfig } from "@/server/config/schema";
import { realClock } from "@/server/engine/clock";
import { systemContext } from "@/server/services/context";
import { syncFleet } from "@/server/services/fleet";
import { startRollout } from "@/server/services/rollouts";
import { buildArtifact } from "@/lab/artifacts";
import { readNginxTap, startHaproxyTap, writeNginxTap, type WeightMove } from "@/lab/chaos/balancer-taps";
import { startCardReceiver } from "@/lab/chaos/card-receiver";
import { countingRestartCommand, readInstalls } from "@/lab/chaos/install-log";
import { haproxyWeights, LAB_DEPLOYER, labTestConfig, regionPorts, restartHaproxy, startLabOnFreePorts } from "@/lab/flightdeck-harness";
import { COLOURS, PROJECT_ROOT, type LabColour } from "@/lab/layout";
import { stopByPidFile } from "@/lab/process";
import type { RunningLab } from "@/lab/stack";
import { buildWorker, WORKER_OUT } from "@/scripts/build-worker.mjs";
import { CARD_CHANNELS, checkRun, type RegionWorld } from "./check";
import { kindOf, label, runPlans, type Kill, type RunPlan } from "./plan";

export type ChaosOptions = {
  seed: number;
  kills: number;
  /** Seconds of each of the five stages. */
  stageSeconds?: number;
  log?: (line: string) => void;
};

export type KillOutcome = { run: number; kill: Kill; kind: string; survived: boolean };
export type ChaosReport = {
  seed: number;
  made: number;
  survived: number;
  kills: KillOutcome[];
  failures: string[];
  /** Cards the receiver got, and how many of them were marked as a possible repeat. */
  cards: { posts: number; repeats: number };
  seconds: number;
};

type Worker = { name: string; child: ChildProcess; logFile: string; exited: Promise<void> };

const TERMINAL = ["succeeded", "failed", "aborted"];

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const log = options.log ?? ((line: string) => console.log(line));
  const stageSeconds = options.stageSeconds ?? 3;
  buildWorker();
  const dir = mkdtempSync(path.join(tmpdir(), "flightdeck-chaos-"));
  const lab = await startLabOnFreePorts(path.join(dir, "lab"));
  const closers: Array<() => Promise<void> | void> = [() => lab.stop(), () => rmSync(dir, { recursive: true, force: true })];
  const workers: Worker[] = [];
  try {
    const moves: WeightMove[] = [];
    const world = await tapTheLab(lab, dir, moves, closers);
    const config = labTestConfig({ ...lab, configFile: world.configFile, env: world.env }, { stageSeconds: Array(5).fill(stageSeconds) });
    const configFile = path.join(dir, "fleet.json");
    writeFileSync(configFile, JSON.stringify(config)); // JSON is YAML
    const db = openDatabase(path.join(dir, "flightdeck.db"));
    closers.unshift(() => void db.$client.close());
    migrateDatabase(db);
    await syncFleet(systemContext(db, config));

    const startWorker = (crashAt?: string): Worker => {
      const name = `worker-${workers.length + 1}`;
      const logFile = path.join(dir, `${name}.log`);
      const out = openSync(logFile, "a");
      // The worker's own database and crash point, never this process's.
      const parent = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== "FLIGHTDECK_CRASH_AT" && k !== "FLIGHTDECK_DATABASE_URL"));
      const env = {
        ...parent,
        ...world.env,
        FLIGHTDECK_DB: path.join(dir, "flightdeck.db"),
        FLIGHTDECK_CONFIG: configFile,
        FLIGHTDECK_LEASE_TTL_MS: "1000",
        NODE_ENV: "test", // crash points are refused in production
        LOG_LEVEL: "warn",
        ...(crashAt ? { FLIGHTDECK_CRASH_AT: crashAt } : {}),
      };
      // node itself, detached: the worker leads its own process group, which the kill takes whole.
      const child = spawn(process.execPath, [WORKER_OUT], { cwd: PROJECT_ROOT, env: env as NodeJS.ProcessEnv, stdio: ["ignore", out, out], detached: true });
      closeSync(out);
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      const worker = { name, child, logFile, exited };
      workers.push(worker);
      return worker;
    };
    closers.unshift(async () => {
      for (const w of workers) await killGroup(w);
    });

    const report: ChaosReport = { seed: options.seed, made: 0, survived: 0, kills: [], failures: [], cards: { posts: 0, repeats: 0 }, seconds: 0 };
    for (const plan of runPlans(options.seed, stageSeconds)) {
      if (report.made >= options.kills) break;
      const kills = plan.kills.slice(0, options.kills - report.made);
      const outcome = await oneRun({ ...plan, kills }, { lab, dir, db, config, moves, world, startWorker, stageSeconds, log });
      for (const kill of outcome.made) {
        const survived = outcome.problems.length === 0;
        report.kills.push({ run: plan.index, kill, kind: kill.kind === "point" ? kindOf(kill.point) : "random", survived });
        report.made++;
        if (survived) report.survived++;
      }
      const where = `seed ${options.seed}, run ${plan.index} (${plan.scenario}), kills: ${outcome.made.map(label).join(", ") || "none made"}`;
      if (outcome.problems.length) {
        const failure = `FAILED ${where}\n${outcome.problems.map((p) => `  - ${p}`).join("\n")}`;
        report.failures.push(failure);
        log(failure);
      } else log(`ok ${where} (${outcome.seconds} s)`);
      for (const note of outcome.notes) log(`  ${note}`);
    }
    report.cards = { posts: world.receiver.posts.length, repeats: world.receiver.posts.filter((p) => p.repeat).length };
    report.seconds = Math.round((Date.now() - started) / 1000);
    return report;
  } finally {
    for (const close of closers) await close();
  }
}

type RunContext = {
  lab: RunningLab;
  dir: string;
  db: SqliteStore;
  config: FleetConfig;
  moves: WeightMove[];
  world: Awaited<ReturnType<typeof tapTheLab>>;
  startWorker: (crashAt?: string) => Worker;
  stageSeconds: number;
  log: (line: string) => void;
};

/** One rollout of a new release to every region, its kills, a last worker that finishes it; then the checks. */
async function oneRun(plan: RunPlan, ctx: RunContext): Promise<{ made: Kill[]; problems: string[]; notes: string[]; seconds: number }> {
  const t0 = Date.now();
  const { lab, db } = ctx;
  const regions = lab.layout.regions.map((r) => r.id);
  const liveBefore: Record<string, LabColour> = {};
  for (const region of regions) liveBefore[region] = liveColourOf(await serverWeights(ctx, region), region);
  const movesBefore = ctx.moves.length;
  const cardsBefore = ctx.world.receiver.posts.length;
  const version = `2.${plan.index}.0`;
  const release = buildArtifact({ version, errorRatePct: plan.scenario === "bad" ? 5 : 0 }, { dir: lab.layout.dir, baseUrl: lab.artifactsUrl });
  const { rolloutId } = await startRollout(
    { db, config: ctx.config, actor: LAB_DEPLOYER, clock: realClock },
    {
      serviceId: "api",
      artifact: { version, digest: release.digest, url: release.url, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
      strategy: "parallel",
    },
  );
  const ended = async () => TERMINAL.includes((await db.rollouts.byId(rolloutId))?.status ?? "");
  const made: Kill[] = [];
  const notes: string[] = [];
  const problems: string[] = [];

  for (const kill of plan.kills) {
    if (await ended()) break;
    const worker = ctx.startWorker(kill.kind === "point" ? `${kill.point}:${kill.n}` : undefined);
    if (kill.kind === "point") {
      // The worker kills itself at the point, or the rollout ends without reaching it (then the next kill goes on).
      const died = await until(async () => worker.child.signalCode !== null || worker.child.exitCode !== null || (await ended()), 120_000);
      if (worker.child.signalCode === "SIGKILL") {
        if (readFileSync(worker.logFile, "utf8").includes(`crash point ${kill.point} reached (time ${kill.n})`)) made.push(kill);
        else problems.push(`${worker.name} died of SIGKILL without reaching ${kill.point}:${kill.n}: ${tailOf(worker.logFile)}`);
      } else if (worker.child.exitCode !== null) problems.push(`${worker.name} exited with ${worker.child.exitCode}: ${tailOf(worker.logFile)}`);
      else {
        notes.push(died ? `${label(kill)} was not reached before the rollout ended: no kill made` : `${label(kill)}: not reached in 120 s`);
        await killGroup(worker);
      }
    } else {
      if (kill.afterWeight !== undefined) {
        const toColour = otherColour(liveBefore["us-east"]);
        await until(() => ctx.moves.slice(movesBefore).some((m) => m.region === "us-east" && (m.weights[toColour] ?? 0) >= kill.afterWeight!), 60_000);
      }
      await sleep(kill.afterMs);
      if (await ended()) notes.push(`${label(kill)} came after the rollout ended: no kill made`);
      else made.push(kill);
      await killGroup(worker);
    }
    if (plan.scenario === "balancer-restart" && made.length === 1 && made[0] === kill) {
      // While Flightdeck is down, us-east's HAProxy restarts and comes back with its config's weights.
      await stopByPidFile(lab.layout.dir, "haproxy-us-east");
      await restartHaproxy(lab, "us-east");
      ctx.moves.push({ at: Date.now(), region: "us-east", by: "restart", weights: await haproxyWeights(lab, "us-east") });
    }
    // A card whose POST may have left stays claimed for the dead sender's 60 s lease: run that clock forward, as
    // the crash tests do, so the next worker sends it again (marked as a possible repeat) now.
    db.$client.prepare("UPDATE notification_outbox SET next_attempt_at = ? WHERE status = 'sending'").run(Date.now());
  }

  const last = ctx.startWorker();
  // Every card delivered (Pushgateway's clean-ups may wait longer: they are not the suite's business).
  const finished = await until(
    async () =>
      (await ended()) &&
      (await db.outbox.listForRollout(rolloutId)).every(
        (r) => !CARD_CHANNELS.includes(r.row.channelId) || r.row.status === "sent" || r.row.status === "grouped",
      ),
    180_000,
  );
  if (!finished) problems.push(`the rollout did not end with every card sent within 180 s: ${JSON.stringify(await db.rollouts.byId(rolloutId))}`);
  await stopWorker(last);

  const worlds: RegionWorld[] = [];
  for (const region of regions) {
    worlds.push({
      region,
      liveBefore: liveBefore[region],
      weightsNow: await serverWeights(ctx, region),
      moves: [...ctx.moves.slice(movesBefore), ...nginxMoves(ctx, region)].filter((m) => m.region === region && m.at >= t0).sort((a, b) => a.at - b.at),
      installs: readInstalls(ctx.world.installLog).filter((i) => i.region === region && i.version === version),
    });
  }
  problems.push(
    ...(await checkRun({
      db,
      rolloutId,
      expectSuccess: plan.scenario !== "bad",
      version,
      regions: worlds,
      posts: ctx.world.receiver.posts.slice(cardsBefore),
      postsOf: ctx.world.receiver.postsOf,
    })),
  );
  return { made, problems, notes, seconds: Math.round((Date.now() - t0) / 1000) };
}

/**
 * The lab as the chaos suite watches it: HAProxy's runtime API behind a tap, nginx behind a wrapper that logs
 * each reload, every host's restart counted, and two Slack channels posting to the card receiver. Returns the
 * lab's config file so changed, and the environment it names.
 */
async function tapTheLab(lab: RunningLab, dir: string, moves: WeightMove[], closers: Array<() => Promise<void> | void>) {
  const receiver = await startCardReceiver();
  closers.unshift(receiver.close);
  const installLog = path.join(dir, "installs.log");
  const raw = parseDocument(readFileSync(lab.configFile, "utf8")).toJS() as Record<string, unknown> & {
    regions: Array<{ id: string; deploy: { restartCommand: string }; traffic: Record<string, string> }>;
  };
  const nginxLogs: Record<string, string> = {};
  for (const region of raw.regions) {
    region.deploy.restartCommand = countingRestartCommand(region.id, region.deploy.restartCommand, installLog);
    if (region.traffic.provider === "haproxy") {
      const tap = await startHaproxyTap({
        region: region.id,
        socket: region.traffic.socket,
        tapPath: path.join(dir, `haproxy-${region.id}.sock`),
        onMove: (m) => moves.push(m),
      });
      closers.unshift(tap.close);
      region.traffic.socket = tap.path;
    } else {
      const [binary, ...args] = region.traffic.nginxCommand.split(" ");
      const wrapperPath = path.join(dir, `nginx-${region.id}.sh`);
      nginxLogs[region.id] = path.join(dir, `nginx-${region.id}.reloads.log`);
      writeNginxTap({ nginxBinary: binary, upstreamFile: region.traffic.upstreamFile, wrapperPath, logPath: nginxLogs[region.id] });
      region.traffic.nginxCommand = [wrapperPath, ...args].join(" ");
    }
  }
  const channel = (id: string, purpose: string) => ({ id, kind: "slack", purpose, webhookUrlEnv: "CHAOS_CARDS_URL", name: `#chaos-${id}` });
  raw.notifications = { channels: [channel("deployments", "deployments"), channel("incidents", "incidents")] };
  const configFile = path.join(dir, "lab-config.yaml");
  writeFileSync(configFile, stringify(raw, { lineWidth: 0 }));
  return { configFile, env: { ...lab.env, CHAOS_CARDS_URL: receiver.url }, receiver, installLog, nginxLogs, upstreamFiles: lab.endpoints.nginx };
}

function nginxMoves(ctx: RunContext, region: string): WeightMove[] {
  const file = ctx.world.nginxLogs[region];
  return file ? readNginxTap(file, region, regionPorts(ctx.lab, region)) : [];
}

/** The weights a region's balancer holds now: HAProxy's `get weight`, or nginx's upstream file. */
async function serverWeights(ctx: RunContext, region: string): Promise<Record<LabColour, number>> {
  const nginx = ctx.world.upstreamFiles[region];
  if (!nginx) return haproxyWeights(ctx.lab, region);
  const ports = regionPorts(ctx.lab, region);
  const text = readFileSync(nginx.upstreamFile, "utf8");
  const weights = { blue: 0, green: 0 };
  for (const colour of COLOURS) {
    const m = new RegExp(`server 127\\.0\\.0\\.1:${ports[colour]}(?: weight=(\\d+))?( down)?;`).exec(text);
    weights[colour] = !m || m[2] ? 0 : Number(m[1] ?? 1);
  }
  return weights;
}

function liveColourOf(weights: Record<LabColour, number>, region: string): LabColour {
  const live = COLOURS.find((c) => weights[c] === 100 && weights[otherColour(c)] === 0);
  if (!live) throw new Error(`${region} is split (${JSON.stringify(weights)}) before a rollout: the previous run left it so`);
  return live;
}

const otherColour = (c: LabColour): LabColour => (c === "blue" ? "green" : "blue");

async function killGroup(worker: Worker): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  try {
    process.kill(-worker.child.pid!, "SIGKILL");
  } catch {
    // already gone
  }
  await worker.exited;
}

/** A clean stop (SIGTERM: leases given up), SIGKILL after 10 s. */
async function stopWorker(worker: Worker): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  worker.child.kill("SIGTERM");
  if (!(await until(() => worker.child.exitCode !== null || worker.child.signalCode !== null, 10_000))) await killGroup(worker);
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(50);
  }
  return false;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tailOf(file: string): string {
  return readFileSync(file, "utf8").trim().split("\n").slice(-5).join("\n");
}

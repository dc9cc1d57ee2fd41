/**
 * Every named crash point, with real processes. For each point (server/engine/crash-points.ts) a worker runs a
 * rollout of us-east on a SQLite file, the simulated world kept in a file (the load balancer and the hosts
 * outlive the process, as real ones would) and a card receiver on 127.0.0.1; it kills itself with SIGKILL at
 * the point (FLIGHTDECK_CRASH_AT). A new worker without the variable finishes the rollout. Then the world is
 * checked against the engine's records: the balancer's weights only rose, in plan order, and hold the verified
 * split; the release was installed once on its colour; every card arrived once, or again marked as a possible
 * repeat; no event twice; every step done, the interrupted one with its attempts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { and, eq, inArray } from "drizzle-orm";
import { parseDocument } from "yaml";
import { beforeAll, describe, type ExpectStatic, it } from "vitest";
import { migrateDatabase, openDatabase } from "@/db/client";
import { events, notificationOutbox, regionRollouts, regionStates, rollouts, steps } from "@/db/schema";
import { DEMO_CONFIG_PATH, parseConfig } from "@/server/config/load";
import type { FleetConfig } from "@/server/config/schema";
import { TERMINAL_PHASES } from "@/server/engine/machine/types";
import { CRASH_POINTS, type CrashPoint } from "@/server/engine/crash-points";
import { realClock } from "@/server/engine/clock";
import { startReceiver } from "@/server/engine/outbox/test-receiver";
import { CHANNELS } from "@/server/engine/outbox/test-notify-fixtures";
import { SimulatedWorld } from "@/server/providers/simulated-world";
import { splitFor } from "@/server/providers/types";
import { systemContext } from "@/server/services/context";
import { syncFleet } from "@/server/services/fleet";
import { startRollout } from "@/server/services/rollouts";
import { buildWorker, WORKER_OUT } from "@/scripts/build-worker.mjs";
import { FOUND_DONE } from "./steps";
import { addUser, DIGEST_A } from "./test-fixtures";

const PLAN = [10, 50, 100];
const STAGE_SECONDS = 0.75;

/**
 * What the rollout meets: it succeeds; it breaches at 50 % (p95 far over its limit) and is rolled back; or its
 * worker is killed during the 50 % stage and the balancer, restarted meanwhile, comes back all blue, so the next
 * worker's traffic check puts the verified split back.
 */
type Scenario = "succeeds" | "rolls back" | "balancer lost its split";
type Case = { point: CrashPoint; n: number; scenario: Scenario; what: string };

function casesOf(point: CrashPoint): Case[] {
  const kind = point.split(".")[0];
  if (kind === "traffic") return PLAN.map((pct, i) => ({ point, n: i + 1, scenario: "succeeds", what: `the weight change to ${pct} %` }));
  if (kind === "deploy") return [{ point, n: 1, scenario: "succeeds", what: "the deploy" }];
  if (kind === "rollback") return [{ point, n: 1, scenario: "rolls back", what: "the move back to blue after a breach at 50 %" }];
  if (kind === "traffic-check") return [{ point, n: 1, scenario: "balancer lost its split", what: "the split put back on a balancer restarted all blue" }];
  return [
    { point, n: 1, scenario: "succeeds", what: "the first card" },
    { point, n: 3, scenario: "rolls back", what: "the third card of a rollout rolled back" },
  ];
}

// The worker as production runs it (`npm run worker`): compiled to dist/worker.mjs from the code under test.
beforeAll(() => {
  buildWorker();
});

describe.concurrent.each(CRASH_POINTS)("a worker killed at %s", (point) => {
  it.for(casesOf(point))("(time $n: $what), then restarted: the world matches the records", { timeout: 90_000 }, async (c, { expect }) => {
    const run = await setUp(c.scenario);
    try {
      await crashAndRecover(run, c, expect);
      checkWorld(run, c, expect);
    } catch (err) {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n${stateOf(run)}\nworker logs:\n${run.logs()}`, { cause: err });
    } finally {
      await run.close();
    }
  });
});

/** The demo fleet with changes; the webhook variables are the worker's (set when it starts), not this process's. */
function fleetConfig(change: (raw: Record<string, unknown>) => void): FleetConfig {
  const raw = parseDocument(readFileSync(DEMO_CONFIG_PATH, "utf8")).toJS() as Record<string, unknown>;
  change(raw);
  const { config, problems } = parseConfig(JSON.stringify(raw), {}, { requireEnv: false });
  if (!config) throw new Error(problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
  return config;
}

it.concurrent(
  "in production the variable is refused, said at start-up, and the worker runs the rollout to its end",
  { timeout: 60_000 },
  async ({ expect }) => {
    const run = await setUp("succeeds");
    try {
      const worker = run.startWorker("worker-1", { NODE_ENV: "production", FLIGHTDECK_CRASH_AT: "deploy.before-effect" });
      await waitFor("the rollout to succeed", () => run.db.raw.select().from(rollouts).where(eq(rollouts.id, run.rolloutId)).get()?.status === "succeeded");
      expect(worker.exitCode ?? worker.signalCode).toBeNull();
      expect(run.logs()).toContain("FLIGHTDECK_CRASH_AT is ignored: crash points are for tests only, and NODE_ENV is production");
      expect(SimulatedWorld.read(run.stateFile).deployCalls).toHaveLength(1);
    } finally {
      await run.close();
    }
  },
);

type Run = Awaited<ReturnType<typeof setUp>>;

async function setUp(scenario: Scenario) {
  const dir = mkdtempSync(path.join(tmpdir(), "flightdeck-crash-points-"));
  const dbFile = path.join(dir, "flightdeck.db");
  const stateFile = path.join(dir, "world.json");
  const configFile = path.join(dir, "fleet.yaml");
  const stageMinutes = STAGE_SECONDS / 60;
  const config = fleetConfig((raw) => {
    raw.stages = [
      { percent: 10, maxErrorRatePct: 1, maxLatencyP95Ms: 500, durationMinutes: stageMinutes },
      { percent: 50, maxErrorRatePct: 0.5, maxLatencyP95Ms: 400, durationMinutes: stageMinutes },
      { percent: 100, maxErrorRatePct: 0.2, maxLatencyP95Ms: 300, durationMinutes: stageMinutes, maxCpuPct: 70, maxMemoryPct: 70, healthStatus: 200 },
    ];
    // As in crash.test.ts: too few requests a window to bound an error rate, so the observed one is judged.
    raw.analysis = { intervalSeconds: 0.25, failureLimit: 1, inconclusiveLimit: 1000, minRequests: 0, errorRatePass: "observed", minJudgedFraction: 0 };
    raw.policies = { allowedRefs: ["refs/heads/main"], environments: [{ match: "*", protected: false }] };
    raw.notifications = { channels: CHANNELS };
    const usEast = (raw.regions as Array<Record<string, unknown>>).find((r) => r.id === "us-east")!;
    usEast.deploy = { provider: "simulated", seconds: 0.2 };
    if (scenario === "rolls back") usEast.metrics = { provider: "simulated", faults: [{ stagePercent: 50, latencyP95Ms: 2_000 }] };
  });
  writeFileSync(configFile, JSON.stringify(config)); // JSON is YAML

  const db = openDatabase(dbFile);
  migrateDatabase(db);
  await syncFleet(systemContext(db, config));
  const receiver = await startReceiver([]);
  const children: ChildProcess[] = [];
  const env = {
    FLIGHTDECK_DB: dbFile,
    FLIGHTDECK_CONFIG: configFile,
    FLIGHTDECK_SIM_STATE: stateFile,
    FLIGHTDECK_LEASE_TTL_MS: "1000",
    SLACK_WEBHOOK_URL: receiver.url,
    GLOBAL_TEAMS_WEBHOOK: receiver.url,
    // Crash points are refused in production; everything else runs as `npm run worker` does.
    NODE_ENV: "test",
    LOG_LEVEL: "warn",
  };
  const startWorker = (name: string, extra: Partial<Record<"FLIGHTDECK_CRASH_AT" | "NODE_ENV", string>> = {}): ChildProcess => {
    const out = openSync(path.join(dir, `${name}.log`), "a");
    // Not this process's crash point or PostgreSQL: the worker's own, on its SQLite file.
    const parent = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== "FLIGHTDECK_CRASH_AT" && name !== "FLIGHTDECK_DATABASE_URL"));
    // node directly (not npm): one process, so SIGKILL hits the worker itself.
    const child = spawn(process.execPath, [WORKER_OUT], {
      cwd: process.cwd(),
      env: { ...parent, ...env, ...extra } as NodeJS.ProcessEnv,
      stdio: ["ignore", out, out],
      detached: true,
    });
    children.push(child);
    return child;
  };
  const dana = addUser(db, "dana", "Dana", ["deployer"]);
  const { rolloutId } = await startRollout(
    { db, config, actor: dana, clock: realClock },
    {
      serviceId: "api",
      artifact: { version: "3.1.0", digest: DIGEST_A, sourceRef: "refs/heads/main", commitSha: "0123456789abcdef0123456789abcdef01234567" },
      strategy: "parallel",
      regions: ["us-east"],
    },
  );
  const logs = () =>
    children
      .map((_, i) => {
        const file = path.join(dir, `worker-${i + 1}.log`);
        return `--- worker-${i + 1}\n${readFileSync(file, "utf8")}`;
      })
      .join("\n");
  const close = async () => {
    for (const child of children) killGroup(child);
    await receiver.close();
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, db, config, stateFile, receiver, rolloutId, startWorker, children, logs, close };
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

async function waitFor<T>(what: string, probe: () => T | null | undefined | false, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const value = probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const usEastOf = (run: Run) =>
  run.db.raw
    .select()
    .from(regionRollouts)
    .where(and(eq(regionRollouts.rolloutId, run.rolloutId), eq(regionRollouts.regionId, "us-east")))
    .get()!;
const cardRows = (run: Run) =>
  run.db.raw
    .select()
    .from(notificationOutbox)
    .where(inArray(notificationOutbox.eventId, run.db.raw.select({ id: events.id }).from(events).where(eq(events.rolloutId, run.rolloutId))))
    .all();

/** Where the rollout stands, for a failure's message. */
function stateOf(run: Run): string {
  const rollout = run.db.raw.select().from(rollouts).where(eq(rollouts.id, run.rolloutId)).get();
  const row = usEastOf(run);
  const cards = cardRows(run).map((r) => `${r.id} ${r.channelId} ${r.status} (attempts ${r.attempts}) ${r.lastError ?? ""}`);
  const timeline = run.db.raw.select().from(events).where(eq(events.rolloutId, run.rolloutId)).all();
  return [
    `rollout ${rollout?.status}; us-east ${row.phase}${row.paused ? ` (paused: ${row.pauseReason})` : ""}, stage ${row.stageIndex} at ${row.canaryPct} %`,
    `cards: ${cards.join("; ")}`,
    `events: ${timeline.map((e) => e.type).join(", ")}`,
  ].join("\n");
}

/** The worker dies at the point; a new one (without the variable) finishes the rollout and sends every card. */
async function crashAndRecover(run: Run, c: Case, expect: ExpectStatic): Promise<void> {
  if (c.scenario === "balancer lost its split") {
    // us-east in its 50 % stage with time left: killed by the test, and the balancer restarts all blue meanwhile.
    const first = run.startWorker("worker-1");
    await waitFor("us-east in its 50 % stage", () => {
      const row = usEastOf(run);
      return row.stageIndex === 1 && row.canaryPct === 50 && row.deadlineAt! - Date.now() > 300;
    });
    first.kill("SIGKILL");
    await waitFor("the first worker to die", () => first.signalCode === "SIGKILL");
    const world = JSON.parse(readFileSync(run.stateFile, "utf8")) as { weights: Record<string, unknown> };
    world.weights["us-east"] = { blue: 100, green: 0 };
    writeFileSync(run.stateFile, JSON.stringify(world));
  }
  const n = run.children.length + 1;
  const dying = run.startWorker(`worker-${n}`, { FLIGHTDECK_CRASH_AT: `${c.point}:${c.n}` });
  await waitFor(`the worker to kill itself at ${c.point} (time ${c.n})`, () => dying.signalCode === "SIGKILL" || dying.exitCode !== null);
  expect(dying.signalCode).toBe("SIGKILL");
  expect(readFileSync(path.join(run.dir, `worker-${n}.log`), "utf8")).toContain(`crash point ${c.point} reached (time ${c.n})`);

  // A card whose POST may have left is sent again once its sender's claim runs out (60 s): run that clock forward.
  run.db.raw.update(notificationOutbox).set({ nextAttemptAt: Date.now() }).where(eq(notificationOutbox.status, "sending")).run();
  run.startWorker(`worker-${n + 1}`);
  await waitFor(
    "the rollout to end and every card to be sent",
    () => {
      const rollout = run.db.raw.select().from(rollouts).where(eq(rollouts.id, run.rolloutId)).get()!;
      const cards = cardRows(run);
      return rollout.status !== "running" && cards.length > 0 && cards.every((r) => r.status === "sent");
    },
    45_000,
  );
}

function checkWorld(run: Run, c: Case, expect: ExpectStatic): void {
  const world = SimulatedWorld.read(run.stateFile);
  const row = usEastOf(run);
  const rollout = run.db.raw.select().from(rollouts).where(eq(rollouts.id, run.rolloutId)).get()!;
  const rolledBack = c.scenario === "rolls back";
  expect(rollout.status).toBe(rolledBack ? "failed" : "succeeded");
  expect(TERMINAL_PHASES).toContain(row.phase);

  // The balancer: every weight change in plan order, never down but the rollback's move to 0; it holds the verified split.
  const moves = world.weightCalls.filter((w) => w.region === "us-east").map((w) => w.split.green);
  const expected = { succeeds: [10, 50, 100], "rolls back": [10, 50, 0], "balancer lost its split": [10, 50, 50, 100] }[c.scenario];
  expect(moves).toEqual(expected);
  const held = world.weightOf("us-east");
  expect(held).toEqual(splitFor(row.toColour, row.canaryPct));
  const serving = run.db.raw
    .select()
    .from(regionStates)
    .where(and(eq(regionStates.serviceId, "api"), eq(regionStates.regionId, "us-east")))
    .get()!;
  expect(serving.greenPct).toBe(held.green);

  // The hosts: the release installed once, on its colour.
  expect(world.deployCalls.map((d) => `${d.region}/${d.colour}/${d.version}`)).toEqual([`us-east/${row.toColour}/3.1.0`]);

  // The receiver: every card arrived, each once unmarked at most, any other post of it marked as a possible repeat.
  // A kill while any card's POST is under way leaves one that may have arrived: a kill at a send point always does.
  const cards = cardRows(run).map((r) => `flightdeck-outbox-${r.id}`);
  const posts = run.receiver.received.map((r) => {
    const text = JSON.stringify(r.body);
    return { repeat: /possible repeat of flightdeck-outbox-\d+/i.test(text), key: /Delivery key: `?(flightdeck-outbox-\d+)/.exec(text)?.[1] ?? null };
  });
  const postsOf = (key: string) => posts.filter((p) => p.key === key).map((p) => (p.repeat ? "marked" : "unmarked"));
  expect(posts.map((p) => p.key ?? "no key").filter((k) => !cards.includes(k))).toEqual([]);
  for (const card of cards) expect(postsOf(card), card).toSatisfy((seen: string[]) => /^(unmarked)?(,?marked)?$/.test(seen.join(",")) && seen.length > 0);
  const shapes = cards.map((card) => postsOf(card).join(","));
  if (c.point === "send.before-effect") expect(shapes).toContain("marked");
  if (c.point === "send.after-effect") expect(shapes).toContain("unmarked,marked");

  // The timeline: no event twice (samples aside: one per window, checked by their own tests).
  const timeline = run.db.raw
    .select()
    .from(events)
    .where(eq(events.rolloutId, run.rolloutId))
    .all()
    .filter((e) => !e.type.startsWith("analysis."))
    .map((e) => `${e.regionId ?? ""} ${e.type} ${JSON.stringify(e.data)}`);
  expect(timeline.length, timeline.join("\n")).toBe(new Set(timeline).size);

  // The steps: each done. The one the worker died in keeps its interrupted attempt (or was recorded before the
  // kill, then replayed); another step under way at a kill elsewhere (the deploy, when a card is sent) may too.
  const stepRows = run.db.raw.select().from(steps).where(eq(steps.regionRolloutId, row.id)).all();
  const crashed = crashedStep(c);
  const boundary = c.point.split(".")[1];
  for (const step of stepRows) {
    const outcomes = step.attempts?.map((a) => a.outcome);
    expect(step.status, step.key).toBe("done");
    if (crashed !== null && step.key.endsWith(crashed)) {
      const want = { "before-effect": ["interrupted", "done"], "after-effect": ["interrupted", FOUND_DONE], "after-record": ["done"] }[boundary];
      expect(outcomes, step.key).toEqual(want);
    } else if (crashed !== null) {
      expect(outcomes, step.key).toEqual(["done"]);
    } else {
      expect([["done"], ["interrupted", "done"], ["interrupted", FOUND_DONE]], step.key).toContainEqual(outcomes);
    }
  }
  if (crashed) expect(stepRows.some((s) => s.key.endsWith(crashed))).toBe(true);
}

/** The end of the key of the step the worker died in, or null when the point is not an engine step. */
function crashedStep(c: Case): string | null {
  const kind = c.point.split(".")[0];
  if (kind === "deploy") return "/deploy";
  if (kind === "traffic") return `/weight-${PLAN[c.n - 1]}`;
  if (kind === "rollback") return "/rollback";
  return null;
}

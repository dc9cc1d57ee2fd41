/**
 * `flightdeck simulate`: the production reconciler (machine + runner) on an in-memory database, the simulated
 * providers and a virtual clock, from the same config. A 5.5-hour delayed rollout runs in seconds. It is the
 * rollback drill and the planner to run before a real rollout. Deterministic for a given --seed.
 */
import { readFileSync } from "node:fs";
import { migrateDatabase, openDatabase, type Store } from "@/db/client";
import type { Actor } from "@/server/actor";
import { rawEnv, serverEnv } from "@/server/config/env";
import { parseConfig, resolveConfigPath, type ConfigProblem } from "@/server/config/load";
import { resolveRegionName } from "@/server/config/region-names";
import type { FleetConfig } from "@/server/config/schema";
import { fixedClock } from "@/server/engine/clock";
import { createEngine, VirtualClock } from "@/server/engine/runner";
import type { CauseItem, RegionPhase } from "@/server/engine/machine/types";
import { formatMinutes } from "@/lib/format";
import { describeBreach } from "@/server/engine/machine/messages";
import { SimulatedWorld } from "@/server/providers/simulated-world";
import { approveGate } from "@/server/services/approvals";
import { systemContext } from "@/server/services/context";
import { ServiceError } from "@/server/services/errors";
import { syncFleet } from "@/server/services/fleet";
import { startRollout } from "@/server/services/rollouts";
import { ArgumentError, type SimulateOptions } from "./simulate-args";

export type SimulationResult = {
  strategy: SimulateOptions["strategy"];
  /** `held`: waiting for approvals (--hold-approvals); `paused`: a region paused and nothing moves until a person acts. */
  outcome: "succeeded" | "failed" | "aborted" | "held" | "paused";
  durationMinutes: number;
  regions: Array<{
    region: string;
    outcome: RegionPhase;
    stoppedAtStage: number | null;
    cause: Array<Pick<CauseItem, "metric" | "observed" | "threshold" | "unit">>;
    startedAtMinute: number | null;
    finishedAtMinute: number | null;
  }>;
  events: Array<{ atMinute: number; region: string | null; type: string; message: string }>;
};

const START = Date.UTC(2026, 0, 5, 9, 0, 0);
const MAX_TICKS = Number(serverEnv().FLIGHTDECK_SIM_MAX_TICKS ?? 100_000);

/** The config to simulate, with every region on the simulated providers (its faults kept). */
export function simulationConfig(opts: SimulateOptions): FleetConfig {
  const file = opts.configPath ?? resolveConfigPath();
  let source: string;
  try {
    source = readFileSync(file, "utf8");
  } catch {
    throw new ArgumentError(`--config: cannot read ${file}`);
  }
  const { config, problems } = parseConfig(source, rawEnv(), { requireEnv: false });
  if (!config) throw new ArgumentError(`--config ${file}:\n` + problems.map((p: ConfigProblem) => `  ${p.path}: ${p.message}`).join("\n"));
  return {
    ...config,
    // A simulation starts on an empty database: the migration path is for the real fleet, not for its drills.
    services: config.services.map((s) => ({ ...s, strategyPolicy: "off" as const })),
    regions: config.regions.map((r) => ({
      ...r,
      deploy: r.deploy.provider === "simulated" ? r.deploy : { provider: "simulated", seconds: 60 },
      traffic: { provider: "simulated" },
      metrics: r.metrics.provider === "simulated" ? { ...r.metrics, seed: opts.seed } : { provider: "simulated", faults: [], seed: opts.seed },
    })),
  };
}

async function person(db: Store, id: string, name: string, roles: Actor["roles"]): Promise<Actor> {
  await db.users.insert({ id, email: `${id}@simulator.flightdeck`, name, createdAt: START });
  await db.users.appendRoleChanges(roles.map((role) => ({ userId: id, role, change: "granted" as const, changedBy: "simulator", at: START })));
  return { kind: "user", id, name, roles };
}

export async function simulate(opts: SimulateOptions): Promise<SimulationResult> {
  const config = simulationConfig(opts);
  // Regions by id or the spec's short names (us, eu, apac), as the server takes them.
  if (opts.regions !== "all") {
    const known = config.regions.map((r) => r.id);
    const unknown = opts.regions.filter((r) => !resolveRegionName(config, r).ok);
    if (unknown.length)
      throw new ArgumentError(`--regions: unknown region ${unknown.map((r) => JSON.stringify(r)).join(", ")}; the config has ${known.join(", ")}`);
  }
  const faults = opts.faults.map((f) => {
    const named = resolveRegionName(config, f.regionId);
    if (!named.ok) throw new ArgumentError(`--fault: unknown region ${JSON.stringify(f.regionId)}`);
    return { ...f, regionId: named.region.id };
  });

  const db = openDatabase(":memory:");
  migrateDatabase(db);
  const clock = new VirtualClock(START);
  await syncFleet(systemContext(db, config, clock));
  const deployer = await person(db, "release-engineer", "Release engineer", ["deployer"]);
  const reviewers = [await person(db, "functional-reviewer", "Functional reviewer", ["reviewer"]), await person(db, "sre-reviewer", "SRE reviewer", ["sre"])];

  const world = new SimulatedWorld({ seed: opts.seed });
  for (const f of faults) world.injectFault(f.regionId, f.stagePercent, f.values);
  const { runner } = createEngine({ db, config, clock, world, runner: { id: "simulator" } });

  let started;
  try {
    started = await startRollout(
      { db, config, actor: deployer, clock },
      {
        serviceId: config.services[0].id,
        artifact: { version: "simulated", digest: "sha256:" + "0".repeat(64), sourceRef: "refs/heads/main", commitSha: "0".repeat(40) },
        strategy: opts.strategy,
        regions: opts.regions,
        delayMinutes: opts.delayMinutes,
      },
    );
  } catch (err) {
    if (err instanceof ServiceError && err.message.includes("delay")) throw new ArgumentError(`--delay: ${err.message}`);
    throw err;
  }
  const rolloutId = started.rolloutId;
  const status = async () => (await db.rollouts.byId(rolloutId))!.status;

  let held = false;
  let paused = false;
  let failingTicks = 0;
  let quietTicks = 0;
  let eventsSeen = 0;
  for (let i = 0; i < MAX_TICKS && (await status()) === "running"; i++) {
    const tick = await runner.tick();
    failingTicks = tick.errors > 0 ? failingTicks + 1 : 0;
    if (failingTicks >= 20) throw new Error("the engine failed 20 ticks in a row; its log above says why");
    // A paused region waits for a person: once nothing has happened for a while, the drill ends there.
    const eventCount = await db.events.countForRollout(rolloutId);
    quietTicks = eventCount === eventsSeen ? quietTicks + 1 : 0;
    eventsSeen = eventCount;
    if (quietTicks >= QUIET_TICKS && (await anyPaused(db, rolloutId))) {
      paused = true;
      break;
    }
    if (opts.holdApprovals && (await onlyWaitingForApproval(db, rolloutId))) {
      held = true;
      break;
    }
    if (!opts.holdApprovals) await grantApprovals(db, config, rolloutId, reviewers, clock.now());
    const next = await runner.nextDueAt();
    if (next !== null) clock.setTime(Math.max(next, clock.now()));
  }
  await runner.stop();
  return report(db, rolloutId, opts, held, paused);
}

/** Ticks with no new event after which a rollout with a paused region is taken as waiting for a person. */
const QUIET_TICKS = 30;

async function anyPaused(db: Store, rolloutId: string): Promise<boolean> {
  return (await db.regionRollouts.listForRollout(rolloutId)).some((r) => r.paused);
}

/** Nothing moves until someone approves: a gate is open and no region is deploying or in canary. */
async function onlyWaitingForApproval(db: Store, rolloutId: string): Promise<boolean> {
  const phases = (await db.regionRollouts.listForRollout(rolloutId)).map((r) => r.phase);
  return phases.includes("awaiting_approval") && !phases.some((p) => p === "deploying" || p === "canary");
}

/** The simulator's reviewers approve every open gate at once, all at `now` (each grant is an event). */
async function grantApprovals(db: Store, config: FleetConfig, rolloutId: string, reviewers: Actor[], now: number): Promise<void> {
  const waiting = (await db.regionRollouts.listForRollout(rolloutId)).filter((r) => r.phase === "awaiting_approval");
  for (const rr of waiting) {
    for (const [i, reviewer] of reviewers.entries()) {
      try {
        await approveGate(
          { db, config, actor: reviewer, clock: fixedClock(now) },
          { rolloutId, regionId: rr.regionId, as: i === 0 ? "functional" : "sre", comment: "granted by the simulator" },
        );
      } catch (err) {
        // A gate that needs only one capacity refuses the other: that is fine.
        if (!(err instanceof ServiceError)) throw err;
      }
    }
  }
}

async function report(db: Store, rolloutId: string, opts: SimulateOptions, held: boolean, paused = false): Promise<SimulationResult> {
  const minute = (t: number | null) => (t === null ? null : Math.round(((t - START) / 60_000) * 100) / 100);
  const rollout = (await db.rollouts.byId(rolloutId))!;
  const rrs = await db.regionRollouts.listForRollout(rolloutId);
  const stageRows = await db.stages.listForRegionRollouts(rrs.map((rr) => rr.id));
  const log = await db.events.listForRollout(rolloutId);
  const lastAt = Math.max(START, ...log.map((e) => e.at));
  return {
    strategy: opts.strategy,
    outcome: rollout.status !== "running" ? rollout.status : held ? "held" : paused ? "paused" : "failed",
    durationMinutes: minute(rollout.finishedAt ?? lastAt)!,
    regions: rrs.map((rr) => {
      const stopped =
        rr.phase === "rolled_back" || rr.phase === "aborted" ? stageRows.find((s) => s.regionRolloutId === rr.id && s.index === rr.stageIndex) : undefined;
      return {
        region: rr.regionId,
        outcome: rr.phase,
        stoppedAtStage: stopped?.percent ?? null,
        cause: ((rr.cause as CauseItem[] | null) ?? []).map(({ metric, observed, threshold, unit }) => ({ metric, observed, threshold, unit })),
        startedAtMinute: minute(rr.startedAt),
        finishedAtMinute: minute(rr.finishedAt),
      };
    }),
    events: log.map((e) => ({ atMinute: minute(e.at)!, region: e.regionId, type: e.type, message: e.message })),
  };
}

const OUTCOME_MARK: Record<string, string> = { succeeded: "✔", rolled_back: "↩", blocked: "⛔", aborted: "✘" };

export function formatSimulation(result: SimulationResult, colour: boolean): string {
  const paint = (code: number, s: string) => (colour ? `\x1b[${code}m${s}\x1b[0m` : s);
  const clock = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${(m % 60).toFixed(1).padStart(4, "0")}`;
  const lines = result.events
    .filter((e) => !e.type.startsWith("analysis.pass"))
    .map((e) => `${clock(e.atMinute)}  ${(e.region ?? "").padEnd(10)} ${paint(2, e.type.padEnd(26))} ${e.message}`);
  lines.push("", `${result.strategy} rollout ${result.outcome} after ${formatMinutes(result.durationMinutes)}`);
  for (const r of result.regions) {
    const cause = r.cause.map((c) => describeBreach({ ...c, baseline: null, baselineAlsoBreaches: false })).join(", ");
    const where = r.stoppedAtStage !== null ? ` at the ${r.stoppedAtStage} % stage` : "";
    const code = r.outcome === "succeeded" ? 32 : 31;
    lines.push(`  ${OUTCOME_MARK[r.outcome] ?? "…"} ${r.region.padEnd(10)} ${paint(code, r.outcome)}${where}${cause ? `: ${cause}` : ""}`);
  }
  return lines.join("\n");
}

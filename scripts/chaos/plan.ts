/**
 * The chaos suite's kills, drawn from a seed: the same seed gives the same runs, releases and kills. Each run is
 * one rollout of a new release to the lab's three regions at once, with two or three kills: a named crash point
 * (server/engine/crash-points.ts) that this run's rollout will reach, then a kill -9 at a random moment after a
 * start. Crash points are dealt from a shuffled deck so that every point comes up before any comes up twice.
 */
import { CRASH_POINTS, type CrashPoint } from "@/server/engine/crash-points";

/** A random kill comes `afterMs` after the worker started, or after us-east's new colour reached `afterWeight` %. */
export type Kill = { kind: "point"; point: CrashPoint; n: number } | { kind: "random"; afterMs: number; afterWeight?: number };
/** good: the release passes every stage; bad: it fails 5 % of requests and is rolled back at 10 %; balancer-restart:
 * good, and us-east's HAProxy restarts (back to its config's weights) while Flightdeck is down after a random kill. */
export type Scenario = "good" | "bad" | "balancer-restart";
export type RunPlan = { index: number; scenario: Scenario; kills: Kill[] };

/** mulberry32: small, fast and the same on every machine. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const kindOf = (point: CrashPoint) => point.split(".")[0];

/** How many times a point is reached in a run of three regions: `n` is drawn up to this. */
function reachable(point: CrashPoint): number {
  const kind = kindOf(point);
  if (kind === "traffic") return 6; // five weight changes a region, three regions
  if (kind === "send") return 2; // a rollout's cards: a worker taking over a short rollback may have only a few left
  return kind === "traffic-check" ? 1 : 2; // deploy, rollback: one a region, the three start together
}

export function label(kill: Kill): string {
  if (kill.kind === "point") return `${kill.point}:${kill.n}`;
  return `random kill ${(kill.afterMs / 1000).toFixed(1)} s after ${kill.afterWeight === undefined ? "the start" : `us-east reached ${kill.afterWeight} %`}`;
}

/** An endless series of runs for `seed`; the caller takes runs until it has made the kills it wants. */
export function* runPlans(seed: number, stageSeconds: number): Generator<RunPlan> {
  const rand = random(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  let deck: CrashPoint[] = [];
  // A random kill lands anywhere from a worker's start-up to about the end of what is left of the rollout after a
  // first kill: a rollback's few seconds, or most of a good release's five stages.
  const randomKill = (scenario: Scenario): Kill => ({
    kind: "random",
    afterMs: Math.round(300 + rand() * (scenario === "bad" ? 3_000 : 2_000 + 3 * stageSeconds * 1000)),
  });
  for (let index = 1; ; index++) {
    if (deck.length === 0) deck = [...CRASH_POINTS].sort(() => rand() - 0.5);
    const point = deck.shift()!;
    const kind = kindOf(point);
    const scenario: Scenario =
      kind === "rollback" ? "bad" : kind === "traffic-check" ? "balancer-restart" : kind === "traffic" ? "good" : pick(["good", "good", "bad"] as const);
    const n = 1 + Math.floor(rand() * reachable(point));
    const atPoint: Kill = { kind: "point", point, n };
    // The traffic check runs when a worker takes over a rollout whose balancer lost its split: a random kill during
    // a stage, the balancer restarted, then the worker armed with the point.
    const kills =
      scenario === "balancer-restart"
        ? [{ kind: "random" as const, afterWeight: 25, afterMs: Math.round(rand() * stageSeconds * 500) }, atPoint, randomKill(scenario)]
        : [atPoint, randomKill(scenario)];
    yield { index, scenario, kills };
  }
}

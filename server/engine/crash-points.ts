/**
 * Named crash points, for the crash tests only. The engine and the sender call `crashPoint(name)` at each
 * boundary of an effect: before it (its start recorded, the world not yet touched), after it and before its
 * record, and after its record. With `FLIGHTDECK_CRASH_AT=<point>[:<n>]` the process kills itself with SIGKILL
 * the n-th time (default 1) it reaches that point, as `kill -9` at that instant would: no handler runs, nothing
 * is flushed. Unset (always, in production), a call is one comparison. The variable is read once, at start-up;
 * with NODE_ENV=production it is refused with an error in the log.
 */
import { writeSync } from "node:fs";
import { serverEnv } from "@/server/config/env";
import { logger } from "@/server/log";
import type { Effect } from "@/server/engine/machine/types";

/** Every crash point, by effect: the crash tests (runner/crash-points.test.ts) kill a worker at each. */
export const CRASH_POINTS = [
  // The deploy step (install and restart the new colour).
  "deploy.before-effect",
  "deploy.after-effect",
  "deploy.after-record",
  // A stage's weight change (each one: `traffic.after-effect:2` is the second).
  "traffic.before-effect",
  "traffic.after-effect",
  "traffic.after-record",
  // The move back to the old colour (a rollback or an abort).
  "rollback.before-effect",
  "rollback.after-effect",
  "rollback.after-record",
  // The traffic check of a runner taking a rollout over: the last verified split put back on a balancer that lost it.
  "traffic-check.before-effect",
  "traffic-check.after-effect",
  "traffic-check.after-record",
  // A card's POST to its channel (before-effect: its start is on the row; after-record: the outcome is).
  "send.before-effect",
  "send.after-effect",
  "send.after-record",
] as const;

export type CrashPoint = (typeof CRASH_POINTS)[number];
export type CrashBoundary = "before-effect" | "after-effect" | "after-record";
export type CrashAt = { point: CrashPoint; n: number };

/** FLIGHTDECK_CRASH_AT read: the point armed, or why it is not (null and no reason when unset). */
export function parseCrashAt(value: string | undefined, nodeEnv: string | undefined): { armed: CrashAt | null; refused?: string } {
  if (!value) return { armed: null };
  if (nodeEnv === "production") return { armed: null, refused: "crash points are for tests only, and NODE_ENV is production" };
  const [name, count] = value.split(":");
  const point = CRASH_POINTS.find((p) => p === name);
  if (!point) return { armed: null, refused: `${JSON.stringify(name)} is no crash point; the points: ${CRASH_POINTS.join(", ")}` };
  const n = count === undefined ? 1 : Number(count);
  if (!Number.isInteger(n) || n < 1) return { armed: null, refused: `expected <point>[:<n>] with n a whole number from 1, got ${JSON.stringify(value)}` };
  return { armed: { point, n } };
}

const crashAt = serverEnv().FLIGHTDECK_CRASH_AT;
const setting = parseCrashAt(crashAt, process.env.NODE_ENV);
const armed = setting.armed;
let reached = 0;
if (setting.refused) logger.error({ FLIGHTDECK_CRASH_AT: crashAt }, `FLIGHTDECK_CRASH_AT is ignored: ${setting.refused}`);
if (armed) logger.warn({ crashAt: armed }, `crash point armed (tests only): this process kills itself with SIGKILL at ${armed.point}, time ${armed.n}`);

export function crashPoint(point: CrashPoint): void {
  if (armed === null || point !== armed.point || ++reached < armed.n) return;
  // Written synchronously: the kill leaves no chance to flush a buffered log line.
  writeSync(2, `flightdeck: crash point ${point} reached (time ${reached}): SIGKILL\n`);
  process.kill(process.pid, "SIGKILL");
}

/** The crash point of an engine step's effect at `boundary` (a step of another kind has none). */
export function crashPointOfStep(effect: unknown, boundary: CrashBoundary): void {
  if (armed === null) return;
  const e = effect as Effect | null | undefined;
  const kind = e?.kind === "deploy" ? "deploy" : e?.kind === "setWeight" ? (e.reason === "stage" ? "traffic" : "rollback") : null;
  if (kind) crashPoint(`${kind}.${boundary}`);
}

/**
 * The engine's hot reads and writes as prepared statements, built once per database connection: a sample pass
 * of a region rollout is a handful of statements, and building and preparing each query anew cost more than
 * running it. Plain drizzle queries with placeholders, so they stay portable.
 */
import { and, asc, eq, gt, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { approvals, events, regionRollouts, samples } from "@/db/schema";

const p = sql.placeholder;
/** A placeholder in an UPDATE's SET, bound as given: the caller passes driver values (see `toDriverRow`). */
const raw = (name: string) => sql`${sql.placeholder(name)}`;

function prepare(db: Db) {
  return {
    regionRollout: db
      .select()
      .from(regionRollouts)
      .where(eq(regionRollouts.id, p("id")))
      .prepare(),
    upstream: db
      .select({
        regionId: regionRollouts.regionId,
        phase: regionRollouts.phase,
        finishedAt: regionRollouts.finishedAt,
        observeUntil: regionRollouts.observeUntil,
      })
      .from(regionRollouts)
      .where(and(eq(regionRollouts.rolloutId, p("rolloutId")), eq(regionRollouts.position, p("position"))))
      .prepare(),
    approvals: db
      .select()
      .from(approvals)
      .where(eq(approvals.regionRolloutId, p("id")))
      .prepare(),
    /**
     * Every column a decision may change, `WHERE version = expected`; no row back means another writer won.
     * Values are bound as driver values: `paused` as 0/1 and `cause` as JSON text.
     */
    saveRegionRollout: db
      .update(regionRollouts)
      .set({
        phase: raw("phase"),
        paused: raw("paused"),
        pauseReason: raw("pauseReason"),
        stageIndex: raw("stageIndex"),
        stageStartedAt: raw("stageStartedAt"),
        deadlineAt: raw("deadlineAt"),
        pausedRemainingMs: raw("pausedRemainingMs"),
        canaryPct: raw("canaryPct"),
        fromColour: raw("fromColour"),
        toColour: raw("toColour"),
        breaches: raw("breaches"),
        inconclusive: raw("inconclusive"),
        lastSampleAt: raw("lastSampleAt"),
        lastVerdict: raw("lastVerdict"),
        requestedAction: raw("requestedAction"),
        requestedBy: raw("requestedBy"),
        cause: raw("cause"),
        outcomeReason: raw("outcomeReason"),
        attempt: raw("attempt"),
        startedAt: raw("startedAt"),
        finishedAt: raw("finishedAt"),
        rollbackAttempts: raw("rollbackAttempts"),
        rollbackNextAt: raw("rollbackNextAt"),
        rollbackLastError: raw("rollbackLastError"),
        rollbackFirstFailedAt: raw("rollbackFirstFailedAt"),
        rollbackLastAlertAt: raw("rollbackLastAlertAt"),
        observeUntil: raw("observeUntil"),
        extendedMs: raw("extendedMs"),
        promotedAt: raw("promotedAt"),
        nextTickAt: raw("nextTickAt"),
        updatedAt: raw("updatedAt"),
        version: raw("newVersion"),
      })
      .where(and(eq(regionRollouts.id, p("id")), eq(regionRollouts.version, p("version"))))
      .returning()
      .prepare(),
    saveNextTick: db
      .update(regionRollouts)
      .set({ nextTickAt: raw("nextTickAt") })
      .where(and(eq(regionRollouts.id, p("id")), eq(regionRollouts.version, p("version"))))
      .prepare(),
    insertEvent: db
      .insert(events)
      .values({
        at: p("at"),
        type: p("type"),
        actor: p("actor"),
        message: p("message"),
        serviceId: p("serviceId"),
        rolloutId: p("rolloutId"),
        regionId: p("regionId"),
        correlationId: p("correlationId"),
        data: p("data"),
      })
      .returning({ id: events.id })
      .prepare(),
    insertSample: db
      .insert(samples)
      .values({
        regionRolloutId: p("regionRolloutId"),
        stageIndex: p("stageIndex"),
        role: p("role"),
        takenAt: p("takenAt"),
        requests: p("requests"),
        errors: p("errors"),
        errorRatePct: p("errorRatePct"),
        latencyP95Ms: p("latencyP95Ms"),
        cpuPct: p("cpuPct"),
        memoryPct: p("memoryPct"),
        healthStatus: p("healthStatus"),
        verdict: p("verdict"),
        reasons: p("reasons"),
        judgement: p("judgement"),
      })
      .prepare(),
    /** The samples of one stage of a region rollout after a moment (its stage's start), oldest first. */
    stageSamples: db
      .select({
        role: samples.role,
        takenAt: samples.takenAt,
        requests: samples.requests,
        errors: samples.errors,
        latencyP95Ms: samples.latencyP95Ms,
        verdict: samples.verdict,
        judgement: samples.judgement,
      })
      .from(samples)
      .where(and(eq(samples.regionRolloutId, p("id")), eq(samples.stageIndex, p("stageIndex")), gt(samples.takenAt, p("after"))))
      .orderBy(asc(samples.takenAt), asc(samples.id))
      .prepare(),
  };
}

export type Statements = ReturnType<typeof prepare>;
const byConnection = new WeakMap<object, Statements>();

/** Statements of this connection (a transaction handle of better-sqlite3 shares its connection's). */
export function statements(db: Db): Statements {
  let s = byConnection.get(db.$client);
  if (!s) byConnection.set(db.$client, (s = prepare(db)));
  return s;
}

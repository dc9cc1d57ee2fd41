/**
 * Failover with real processes on a real PostgreSQL: three replicas (`node dist/worker.mjs`, each under its own
 * host name as on three machines) share one-region rollouts through leases.
 * - The replica holding the most leases is killed with SIGKILL in the middle of a stage: the others take its
 *   rollouts over within one lease TTL, and every rollout ends as it would have without the kill.
 * - It is paused with SIGSTOP instead, in the middle of its passes (inside their saves, their lease rows locked),
 *   past its TTL: the others take over within one lease scan of the later of the lapse and the server ending the
 *   sessions left idle in their transactions (IDLE_IN_TRANSACTION_MS), which frees the lease rows. Once it runs
 *   again, its saves are refused (the fencing token, or the row version the new owner moved on), it says it lost
 *   its leases, and it lets the rollouts go.
 * What happened is read from the world, not only from Flightdeck's events: the simulated hosts' installs and load
 * balancers' weight changes (the state file the replicas share) and the cards the receiver got.
 */
import { afterEach, beforeAll, expect, it } from "vitest";
import { IDLE_IN_TRANSACTION_MS } from "@/db/pg/driver";
import { rawRows } from "@/db/store/test-stores";
import { SimulatedWorld } from "@/server/providers/simulated-world";
import { buildWorker } from "@/scripts/build-worker.mjs";
import { rolloutLeaseName } from "./rollout-leases";
import { PLAN, startFleet, waitFor, type Fleet } from "./replicas.fixtures";

/** Long enough that the rollouts of one replica, started over a few seconds, share a moment in their 50 % stage. */
const STAGE_SECONDS = 8;
const LEASE_TTL_MS = 3_000;
/**
 * From a lease's lapse to its new owner's first pass: one lease scan (TTL / 4), a tick, the test's 50 ms poll, and
 * what four processes on a loaded 2-core machine add (CI runs other suites beside this one).
 */
const SLACK_MS = 2_000;

let fleet: Fleet | undefined;

// The worker as production runs it (`npm run worker`): compiled to dist/worker.mjs from the code under test.
beforeAll(() => {
  buildWorker();
});

afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

it(
  "the replica holding the most leases is killed mid-stage: the others take its rollouts over within one TTL and every effect happens once",
  { timeout: 120_000 },
  async () => {
    const regions = 30;
    fleet = await startFleet({ regions, replicas: 3, stageSeconds: STAGE_SECONDS, intervalSeconds: 0.5, leaseTtlMs: LEASE_TTL_MS });
    const f = fleet;
    await f.startRollouts();
    const victim = await busiestReplicaMidStage(f, regions);

    victim.replica.child.kill("SIGKILL");
    const lapsedAt = await lapseWithinOneTtl(f, victim, Date.now());
    const { takenAt, passedAt } = await takeover(f, victim);
    expect(Math.max(...takenAt.values()) - lapsedAt, "last lease taken over, ms after the leases lapsed").toBeLessThan(SLACK_MS);
    expect(Math.max(...passedAt.values()) - lapsedAt, "last first pass of a taken-over rollout, ms after the leases lapsed").toBeLessThan(SLACK_MS);

    await everyRolloutEnded(f);
    await expectEveryEffectOnce(f, regions);
  },
);

it(
  "a replica paused past its TTL in the middle of its saves is taken over once its leases lapse and the server ends its idle transactions; woken up, it writes nothing over the new owners' work and lets the rollouts go",
  { timeout: 120_000 },
  async () => {
    const regions = 12;
    fleet = await startFleet({ regions, replicas: 3, stageSeconds: STAGE_SECONDS, intervalSeconds: 0.5, leaseTtlMs: LEASE_TTL_MS });
    const f = fleet;
    await f.startRollouts();
    const victim = await busiestReplicaMidStage(f, regions);

    // Catch its passes mid-way: one of its rows held, so the save of that rollout waits on it (its lease confirmed,
    // so locked), then the samples table held, so the saves of its other rollouts wait at their sample's insert
    // (their leases confirmed too: a pass reads its stage's samples from the runner's cache). Then pause it. A save
    // that only takes a sample is one statement (db/pg/sampled-save.ts): the server finishes it once the table is
    // let go, paused client or not, before any take-over (which waits for the lease row). A save in a transaction
    // sits idle in it, holding its lease row, until the server ends it.
    const pool = f.db.raw.$client;
    const holder = await pool.connect();
    let freedAt = Infinity;
    try {
      await holder.query("begin");
      await holder.query(`select id from region_rollouts where id = '${victim.rows[0].id}' for update`);
      await waitFor("a save of the victim waiting inside its transaction", async () => {
        // Waiting for the held row after its lease was confirmed (a write: the backend has a transaction id): the victim's save.
        const { rows } = await pool.query(
          `select pid from pg_stat_activity where wait_event_type = 'Lock' and backend_xid is not null and query ilike '%update "region_rollouts"%'`,
        );
        return rows.length > 0;
      });
      await holder.query("lock table samples in access exclusive mode");
      await new Promise((r) => setTimeout(r, 1_000)); // every due pass reaches the samples table meanwhile
      victim.replica.child.kill("SIGSTOP");
    } finally {
      await holder.query("commit");
      freedAt = Date.now() + IDLE_IN_TRANSACTION_MS;
      holder.release();
    }
    const lapsedAt = await lapseWithinOneTtl(f, victim, Date.now());

    const { takenAt } = await takeover(f, victim);
    expect(
      Math.max(...takenAt.values()) - Math.max(lapsedAt, freedAt),
      "last lease taken over, ms after the leases lapsed and the server freed the paused replica's lease rows",
    ).toBeLessThan(SLACK_MS);
    await new Promise((r) => setTimeout(r, 1_000));
    victim.replica.child.kill("SIGCONT");

    // Woken up: it finds its leases taken over (its next renewal, or a save of a pass it had under way: LeaseLost),
    // says so and drops them; it lives on as a replica, and whatever it holds again it took anew (a higher token).
    await waitFor(
      "the woken replica to say it lost its leases",
      () => /lease lost/.test(victim.replica.log()),
      10_000,
      () => f.describe(),
    );
    await everyRolloutEnded(f);
    expect(victim.replica.child.exitCode).toBeNull();
    const leases = await f.leases();
    for (const lease of victim.leases) expect(leases.find((l) => l.name === lease.name)!.token).toBeGreaterThan(lease.token);
    await expectEveryEffectOnce(f, regions);
  },
);

type Victim = Awaited<ReturnType<typeof busiestReplicaMidStage>>;

/**
 * Wait until the replica holding the most leases has every one of its rollouts in the middle of the 50 % stage,
 * the three replicas hold a lease each, and the cards of the starts were all sent (none in flight).
 */
async function busiestReplicaMidStage(f: Fleet, regions: number) {
  const found = await waitFor(
    "every rollout of the replica holding the most leases in the middle of its 50 % stage",
    async () => {
      const held = (await f.leases()).filter((l) => l.expiresAt > Date.now());
      const owners = new Map<string, number>();
      for (const l of held) owners.set(l.owner, (owners.get(l.owner) ?? 0) + 1);
      const [id] = [...owners].sort((a, b) => b[1] - a[1])[0] ?? [];
      const leases = held.filter((l) => l.owner === id);
      const rows = (await f.regionRollouts()).filter((r) => leases.some((l) => l.name === rolloutLeaseName(r.rolloutId)));
      const pending = await rawRows(f.db, "select id from notification_outbox where status <> 'sent'");
      const midStage = rows.every((r) => r.stageIndex === 1 && r.deadlineAt! - Date.now() > 2_000);
      return held.length === regions && owners.size === 3 && pending.length === 0 && midStage && { id, leases, rows };
    },
    45_000,
    () => f.describe(),
  );
  const replica = f.replicas.find((r) => found.id.includes(`:${r.pid}:`))!;
  const others = await Promise.all(f.replicas.filter((r) => r !== replica).map((r) => f.runnerOf(r)));
  return { ...found, replica, others };
}

/**
 * The victim's leases as it last renewed them (read once a statement it had sent may have landed): each lapses
 * within one TTL of the kill or pause. Returns when the last of them lapses.
 */
async function lapseWithinOneTtl(f: Fleet, victim: Victim, stoppedAt: number): Promise<number> {
  await new Promise((r) => setTimeout(r, 200));
  const names = new Set(victim.leases.map((l) => l.name));
  const lapsedAt = Math.max(...(await f.leases()).filter((l) => names.has(l.name) && l.owner === victim.id).map((l) => l.expiresAt));
  expect(lapsedAt - stoppedAt, "the victim's last lease lapses, ms after it stopped").toBeLessThanOrEqual(LEASE_TTL_MS);
  return lapsedAt;
}

/** When each of the victim's leases had a new owner (one of the others, its token one higher), and each of its rollouts its first save since. */
async function takeover(f: Fleet, victim: Victim): Promise<{ takenAt: Map<string, number>; passedAt: Map<string, number> }> {
  const since = Date.now();
  const takenAt = new Map<string, number>();
  const passedAt = new Map<string, number>();
  await waitFor(
    "the victim's rollouts taken over and saved by the others",
    async () => {
      const now = Date.now();
      for (const l of await f.leases()) {
        const old = victim.leases.find((v) => v.name === l.name);
        if (old && l.owner !== victim.id && !takenAt.has(l.name)) {
          expect(victim.others).toContain(l.owner);
          expect(l.token).toBe(old.token + 1);
          takenAt.set(l.name, now);
        }
      }
      for (const r of await f.regionRollouts())
        if (victim.rows.some((v) => v.id === r.id) && r.updatedAt > since && !passedAt.has(r.id)) passedAt.set(r.id, now);
      return takenAt.size === victim.leases.length && passedAt.size === victim.rows.length;
    },
    LEASE_TTL_MS * 3,
    () => f.describe(),
  );
  return { takenAt, passedAt };
}

async function everyRolloutEnded(f: Fleet): Promise<void> {
  await waitFor(
    "every rollout to end and every card to be sent",
    async () => {
      const running = await rawRows(f.db, "select id from rollouts where status = 'running'");
      const pending = await rawRows(f.db, "select id from notification_outbox where status <> 'sent'");
      return running.length === 0 && pending.length === 0;
    },
    60_000,
    () => f.describe(),
  );
}

/**
 * Every rollout ended as without the failure, and the world saw each effect once: each region installed once on
 * green, its weights set once per stage (only rising), each card received once; the engine's records agree.
 */
async function expectEveryEffectOnce(f: Fleet, regions: number): Promise<void> {
  const statuses = await rawRows<{ status: string }>(f.db, "select status from rollouts");
  expect(statuses.map((r) => r.status)).toEqual(Array(regions).fill("succeeded"));
  const timelines = await timelinesByRegion(f);
  const [expected] = Object.values(timelines);
  expect(expected).toEqual(expect.arrayContaining(PLAN.map((pct) => `stage.started ${pct}`)));
  for (const [region, timeline] of Object.entries(timelines)) expect(timeline, region).toEqual(expected);

  const world = SimulatedWorld.read(f.stateFile);
  for (const region of f.config.regions.map((r) => r.id)) {
    expect(
      world.deployCalls.filter((c) => c.region === region).map((c) => c.colour),
      region,
    ).toEqual(["green"]);
    expect(
      world.weightCalls.filter((c) => c.region === region).map((c) => c.split.green),
      region,
    ).toEqual(PLAN);
    expect(world.weightOf(region)).toEqual({ blue: 0, green: 100 });
  }

  // Three cards a rollout (started, region succeeded, rollout finished), each posted once, none marked a repeat.
  const cards = await rawRows<{ id: string; kind: string; attempts: number }>(
    f.db,
    "select id::text, kind, attempts::float8 as attempts from notification_outbox",
  );
  for (const kind of ["rollout-started", "region-succeeded", "rollout-finished"]) expect(cards.filter((c) => c.kind === kind)).toHaveLength(regions);
  expect(cards.every((c) => c.attempts === 1)).toBe(true);
  const posts = f.receiver.received.map((r) => JSON.stringify(r.body));
  expect(posts.filter((p) => /possible repeat/i.test(p))).toEqual([]);
  expect(posts.map((p) => /flightdeck-outbox-(\d+)/.exec(p)?.[1]).sort()).toEqual(cards.map((c) => c.id).sort());

  // One sample per window: no pass of a replica that lost its lease wrote its judgement beside the new owner's.
  expect(await rawRows(f.db, "select region_rollout_id, role, taken_at from samples group by 1, 2, 3 having count(*) > 1")).toEqual([]);

  // A deploy and a weight change per stage, each step done at its first attempt.
  const steps = await rawRows<{ key: string; status: string; attempts: Array<{ outcome: string }> }>(f.db, "select key, status, attempts from steps");
  expect(steps).toHaveLength(regions * (1 + PLAN.length));
  for (const step of steps) expect([step.status, ...step.attempts.map((a) => a.outcome)], step.key).toEqual(["done", "done"]);
}

/** Each region's events in order, samples aside (their number depends on timing), as "type stage-percent". */
async function timelinesByRegion(f: Fleet): Promise<Record<string, string[]>> {
  const rows = await rawRows<{ regionId: string; type: string; percent: number | null }>(
    f.db,
    `select region_id as "regionId", type, (data->>'percent')::float8 as percent from events
     where region_id is not null and type not like 'analysis.%' order by id`,
  );
  const timelines: Record<string, string[]> = {};
  for (const r of rows) (timelines[r.regionId] ??= []).push(r.percent === null ? r.type : `${r.type} ${r.percent}`);
  return timelines;
}

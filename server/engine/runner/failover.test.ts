/**
 * Failover with real processes on a real PostgreSQL: three replicas (`node dist/worker.mjs`, each under its own
 * host name as on three machines) share 30 one-region rollouts through leases. The replica holding the most is killed with SIGKILL in the middle of a stage; the
 * others take its rollouts over within one lease TTL, and every rollout ends as it would have without the kill.
 * What happened is read from the world, not only from Flightdeck's events: the simulated hosts' installs and
 * load balancers' weight changes (the state file the replicas share) and the cards the receiver got.
 */
import { afterEach, beforeAll, expect, it } from "vitest";
import { rawRows } from "@/db/store/test-stores";
import { SimulatedWorld } from "@/server/providers/simulated-world";
import { buildWorker } from "@/scripts/build-worker.mjs";
import { rolloutLeaseName } from "./rollout-leases";
import { PLAN, startFleet, waitFor, type Fleet } from "./test-replicas";

const REGIONS = 30;
/** Long enough that the rollouts of one replica, started over a few seconds, share a moment in their 50 % stage. */
const STAGE_SECONDS = 8;
const LEASE_TTL_MS = 3_000;
/** A pass runs at the next tick once the lease is taken: allow one lease scan (TTL / 4) and a tick. */
const SLACK_MS = 1_000;

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
    fleet = await startFleet({ regions: REGIONS, replicas: 3, stageSeconds: STAGE_SECONDS, intervalSeconds: 0.5, leaseTtlMs: LEASE_TTL_MS });
    const f = fleet;
    await f.startRollouts();

    // Mid-stage: every rollout of the replica holding the most leases in its 50 % stage with time left, and the
    // cards of the starts all sent (none in flight).
    const { victimId, victimLeases, victimRows } = await waitFor(
      "every rollout of the replica holding the most leases in the middle of its 50 % stage",
      async () => {
        const held = (await f.leases()).filter((l) => l.expiresAt > Date.now());
        const owners = new Map<string, number>();
        for (const l of held) owners.set(l.owner, (owners.get(l.owner) ?? 0) + 1);
        const [victimId] = [...owners].sort((a, b) => b[1] - a[1])[0] ?? [];
        const victimLeases = held.filter((l) => l.owner === victimId);
        const victimRows = (await f.regionRollouts()).filter((r) => victimLeases.some((l) => l.name === rolloutLeaseName(r.rolloutId)));
        const pending = await rawRows(f.db, "select id from notification_outbox where status <> 'sent'");
        const midStage = victimRows.every((r) => r.stageIndex === 1 && r.deadlineAt! - Date.now() > 2_000);
        return held.length === REGIONS && owners.size === 3 && pending.length === 0 && midStage && { victimId, victimLeases, victimRows };
      },
      45_000,
      () => f.describe(),
    );
    const victim = f.replicas.find((r) => victimId.includes(`:${r.pid}:`))!;
    const survivors = await Promise.all(f.replicas.filter((r) => r !== victim).map((r) => f.runnerOf(r)));

    victim.child.kill("SIGKILL");
    const killedAt = Date.now();
    // When each of the victim's rollouts had a new owner, and its first pass saved.
    const takenAt = new Map<string, number>();
    const passedAt = new Map<string, number>();
    await waitFor(
      "the victim's rollouts taken over and passed",
      async () => {
        const now = Date.now();
        for (const l of await f.leases())
          if (victimLeases.some((v) => v.name === l.name) && l.owner !== victimId && !takenAt.has(l.name)) takenAt.set(l.name, now);
        for (const r of await f.regionRollouts())
          if (victimRows.some((v) => v.id === r.id) && r.updatedAt > killedAt && !passedAt.has(r.id)) passedAt.set(r.id, now);
        return takenAt.size === victimLeases.length && passedAt.size === victimRows.length;
      },
      LEASE_TTL_MS * 3,
      () => f.describe(),
    );
    expect(Math.max(...takenAt.values()) - killedAt, "last lease taken over, ms after the kill").toBeLessThan(LEASE_TTL_MS + SLACK_MS);
    expect(Math.max(...passedAt.values()) - killedAt, "last first pass of a taken-over rollout, ms after the kill").toBeLessThan(LEASE_TTL_MS + SLACK_MS);
    const after = await f.leases();
    for (const lease of victimLeases) {
      const now = after.find((l) => l.name === lease.name)!;
      expect(survivors).toContain(now.owner);
      expect(now.token).toBe(lease.token + 1);
    }

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

    // Every rollout ended as without the kill: succeeded, through the same phases and stages.
    const statuses = await rawRows<{ status: string }>(f.db, "select status from rollouts");
    expect(statuses.map((r) => r.status)).toEqual(Array(REGIONS).fill("succeeded"));
    const timelines = await timelinesByRegion(f);
    const [expected] = Object.values(timelines);
    expect(expected).toEqual(expect.arrayContaining(PLAN.map((pct) => `stage.started ${pct}`)));
    for (const [region, timeline] of Object.entries(timelines)) expect(timeline, region).toEqual(expected);

    // The world: each region installed once, on green; its weights set once per stage, only rising; 100 % on green now.
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

    // The cards: three a rollout (started, region succeeded, rollout finished), each received once, none marked a repeat.
    const cards = await rawRows<{ id: string; kind: string; attempts: number }>(
      f.db,
      "select id::text, kind, attempts::float8 as attempts from notification_outbox",
    );
    expect(cards.filter((c) => c.kind === "rollout-started")).toHaveLength(REGIONS);
    expect(cards.filter((c) => c.kind === "region-succeeded")).toHaveLength(REGIONS);
    expect(cards.filter((c) => c.kind === "rollout-finished")).toHaveLength(REGIONS);
    expect(cards.every((c) => c.attempts === 1)).toBe(true);
    const posts = f.receiver.received.map((r) => JSON.stringify(r.body));
    expect(posts.filter((p) => /possible repeat/i.test(p))).toEqual([]);
    const keys = posts.map((p) => /flightdeck-outbox-(\d+)/.exec(p)?.[1]).sort();
    expect(keys).toEqual(cards.map((c) => c.id).sort());

    // The engine's records agree: every step done at its first attempt, every stage started and ended once.
    const steps = await rawRows<{ key: string; status: string; attempts: Array<{ outcome: string }> }>(f.db, "select key, status, attempts from steps");
    expect(steps).toHaveLength(REGIONS * (1 + PLAN.length));
    for (const step of steps) expect([step.status, ...step.attempts.map((a) => a.outcome)], step.key).toEqual(["done", "done"]);
  },
);

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

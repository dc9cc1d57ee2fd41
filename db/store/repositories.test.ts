/**
 * The repositories on both dialects, one test matrix: the paths where SQLite and PostgreSQL differ (booleans,
 * JSON, counts and other aggregates, version-checked saves, leases and outbox claims raced by two writers, the
 * append-only tables, cursor paging, LIKE, window functions).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "./store";
import { DIALECTS, freshStore, NOW, rawSql, seedRollout, type AnyStore } from "./test-stores";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(DIALECTS)("the repositories on $dialect", ({ open }) => {
  let db: AnyStore;
  beforeEach(async () => {
    db = await freshStore(open);
  });
  afterEach(() => db.close());

  describe("values", () => {
    it("reads booleans back as booleans, and filters on them", async () => {
      await db.users.insert({ id: "u_demo", email: "demo@example.com", name: "Demo", demo: true, createdAt: NOW });
      await db.users.insert({ id: "u_real", email: "real@example.com", name: "Real", createdAt: NOW });
      expect((await db.users.byId("u_demo"))?.demo).toBe(true);
      expect((await db.users.byId("u_real"))?.demo).toBe(false);
      expect((await db.users.listDemo()).map((u) => u.id)).toEqual(["u_demo"]);
    });

    it("reads times past 2^31 back as the same numbers", async () => {
      await db.sessions.insert({ id: "s_1", userId: await user(db, "u_1"), createdAt: NOW, expiresAt: NOW + 86_400_000 });
      expect(await db.sessions.liveUser("s_1", NOW + 1)).toEqual({ userId: "u_1", name: "u_1" });
      const [event] = await db.events.insertAll([{ at: NOW, type: "x", actor: "system", message: "m" }]);
      expect(event.at).toBe(NOW);
      expect(typeof event.id).toBe("number");
    });

    it("keeps JSON as written: objects, arrays, strings that look like numbers, and SQL NULL apart from JSON", async () => {
      const data = { list: [1, "two", { three: null }], flag: false, text: "42" };
      const id = await db.events.insertOne({ at: NOW, type: "x", actor: "system", message: "m", data });
      const nullId = await db.events.insertOne({ at: NOW, type: "x", actor: "system", message: "m", data: null });
      const rows = await db.events.auditPage({ type: "x" }, 10);
      expect(rows.find((r) => r.id === id)?.data).toEqual(data);
      expect(rows.find((r) => r.id === nullId)?.data).toBeNull();
      const delivery = { receivedAt: NOW, bodySha256: "b", status: 202 };
      await db.webhookDeliveries.insertIfAbsent({ ...delivery, deliveryId: "d1", response: "42" });
      expect((await db.webhookDeliveries.byId("d1"))?.response).toBe("42");
      await db.webhookDeliveries.insertIfAbsent({ ...delivery, deliveryId: "d2", response: { rolloutId: "ro_1" } });
      expect((await db.webhookDeliveries.byId("d2"))?.response).toEqual({ rolloutId: "ro_1" });
    });

    it("counts and aggregates as numbers", async () => {
      await seedRollout(db);
      await db.events.insertAll([1, 2, 3].map((i) => ({ at: NOW + i, type: "t", actor: "system", message: "m", rolloutId: "ro_1" })));
      expect(await db.events.countForRollout("ro_1")).toBe(3);
      expect(await db.rollouts.countByStatus()).toEqual([{ key: "running", n: 1 }]);
      expect(await db.regionRollouts.countByPhase()).toEqual([{ key: "pending", n: 2 }]);
      const states = await db.regions.overviewStates(["api"]);
      expect(states.map((s) => s.stageCount)).toEqual([0, 0]);
      await db.regions.claimState("api", "us-east", "rr_ro_1_us-east", NOW);
      const claimed = (await db.regions.overviewStates(["api"])).find((s) => s.regionId === "us-east");
      expect(claimed).toMatchObject({ stageCount: 3, rrId: "rr_ro_1_us-east", paused: false });
      expect(await db.events.latestId()).toBe(3);
    });
  });

  describe("samples", () => {
    beforeEach(async () => {
      await seedRollout(db);
      for (let i = 0; i < 5; i++)
        await db.samples.insert({
          regionRolloutId: "rr_ro_1_us-east",
          stageIndex: i < 3 ? 0 : 1,
          role: "canary",
          takenAt: NOW + i * 1000,
          requests: 100,
          errorRatePct: i / 10,
          verdict: i === 4 ? "breach" : "pass",
          judgement: i === 0 ? null : { confidence: 0.9 },
        });
      await db.samples.insert({ regionRolloutId: "rr_ro_1_us-east", stageIndex: 0, role: "baseline", takenAt: NOW, requests: 100 });
    });

    it("reads a stage's samples back in order, JSON null as null (prepared)", async () => {
      const stage = await db.samples.stageSamples("rr_ro_1_us-east", 0, NOW - 1);
      expect(stage.map((s) => [s.role, s.takenAt, s.judgement])).toEqual([
        ["canary", NOW, null],
        ["baseline", NOW, null],
        ["canary", NOW + 1000, { confidence: 0.9 }],
        ["canary", NOW + 2000, { confidence: 0.9 }],
      ]);
    });

    it("ranks the newest canary samples per region rollout in one statement (the overview's sparklines)", async () => {
      await db.regions.claimState("api", "us-east", "rr_ro_1_us-east", NOW);
      const rows = await db.samples.overviewSeries(["api"], 2);
      const east = rows.filter((r) => r.regionId === "us-east");
      expect(east.map((r) => [r.takenAt, r.stageIndex, r.verdict, r.maxErrorRatePct])).toEqual([
        [NOW + 3000, 1, "pass", 1],
        [NOW + 4000, 1, "breach", 1],
      ]);
      expect(east.every((r) => typeof r.sampleId === "number" && r.past === 0 && r.version === "1.0.0")).toBe(true);
      // eu-west has no rollout in progress and none with canary samples: no row.
      expect(rows.filter((r) => r.regionId === "eu-west")).toEqual([]);
    });

    it("groups canary verdicts and arrivals with numeric counts", async () => {
      expect(await db.samples.canaryVerdictCounts(["rr_ro_1_us-east"])).toEqual(
        expect.arrayContaining([
          { id: "rr_ro_1_us-east", stageIndex: 0, verdict: "pass", n: 3 },
          { id: "rr_ro_1_us-east", stageIndex: 1, verdict: "pass", n: 1 },
          { id: "rr_ro_1_us-east", stageIndex: 1, verdict: "breach", n: 1 },
        ]),
      );
      const [arrivals] = await db.samples.canaryArrivalsAfter(2);
      expect(arrivals).toMatchObject({ lastId: 5, at: NOW + 4000, count: 3, rolloutId: "ro_1", regionId: "us-east", serviceId: "api" });
      expect(await db.samples.latestId()).toBe(6);
    });
  });

  describe("the runner's schedule (prepared scans)", () => {
    it("finds the region rollouts with work left due now, in due order, and the next ones after now", async () => {
      await seedRollout(db);
      await seedRollout(db, "ro_2");
      const finished = ["succeeded", "rolled_back", "blocked", "aborted"] as const;
      const tick = async (id: string, nextTickAt: number) => {
        const row = (await db.regionRollouts.byId(id))!;
        expect(await db.regionRollouts.saveNextTick(id, row.version, nextTickAt)).toBe(true);
      };
      await tick("rr_ro_1_us-east", NOW - 10);
      await tick("rr_ro_2_us-east", NOW - 20);
      await tick("rr_ro_1_eu-west", NOW + 5_000);
      await tick("rr_ro_2_eu-west", NOW + 1_000);
      const read = (await db.regionRollouts.byId("rr_ro_2_eu-west"))!;
      await db.regionRollouts.saveVersioned({ ...read, phase: "succeeded" }, read.version);
      expect((await db.regionRollouts.dueWithWorkLeft(finished, NOW)).map((r) => r.id)).toEqual(["rr_ro_2_us-east", "rr_ro_1_us-east"]);
      expect(await db.regionRollouts.nextWithWorkLeft(finished, NOW, 1)).toEqual([{ id: "rr_ro_1_eu-west", rolloutId: "ro_1", nextTickAt: NOW + 5_000 }]);
      expect(await db.regionRollouts.upstream("ro_1", 0)).toEqual({ regionId: "us-east", phase: "pending", finishedAt: null, observeUntil: null });
      expect(await db.regionRollouts.hasAfter("ro_1", 0)).toBe(true);
      expect((await db.regionRollouts.rolloutIdsWithWorkLeft(finished)).sort()).toEqual(["ro_1", "ro_2"]);
    });
  });

  describe("races between two writers", () => {
    it("saves a region rollout for the first writer of a version only; the other, waiting on it, gets null", async () => {
      await seedRollout(db);
      const read = (await db.regionRollouts.byId("rr_ro_1_us-east"))!;
      let letGo!: () => void;
      const held = new Promise<void>((r) => (letGo = r));
      const first = db.transaction(async (tx) => {
        const saved = await tx.regionRollouts.saveVersioned({ ...read, phase: "deploying", paused: true, cause: [{ metric: "errors" }] }, read.version);
        await held;
        return saved;
      });
      await sleep(30);
      const second = db.regionRollouts.saveVersioned({ ...read, phase: "aborted" }, read.version);
      await sleep(30);
      letGo();
      expect(await first).toMatchObject({ phase: "deploying", paused: true, cause: [{ metric: "errors" }], version: read.version + 1 });
      expect(await second).toBeNull();
      expect(await db.regionRollouts.saveNextTick(read.id, read.version, NOW)).toBe(false);
      expect(await db.regionRollouts.saveNextTick(read.id, read.version + 1, NOW)).toBe(true);
    });

    it("gives a lease to one of two runners taking it at once, renews it for its holder only, and frees it on release", async () => {
      const [a, b] = await Promise.all([db.leases.acquire("ro_1", "runner-a", NOW, 15_000), db.leases.acquire("ro_1", "runner-b", NOW, 15_000)]);
      expect([a, b].filter((won) => won !== null)).toHaveLength(1);
      const [holder, other] = a !== null ? ["runner-a", "runner-b"] : ["runner-b", "runner-a"];
      expect(await db.leases.holder("ro_1", NOW + 1)).toBe(holder);
      expect(await db.leases.acquire("ro_1", other, NOW + 1000, 15_000)).toBeNull();
      expect([...(await db.leases.renewHeld(["ro_1"], other, NOW + 1000, 15_000))]).toEqual([]);
      expect([...(await db.leases.renewHeld(["ro_1"], holder, NOW + 1000, 15_000))]).toEqual(["ro_1"]);
      await db.leases.release("ro_1", holder);
      expect(await db.leases.holder("ro_1", NOW + 2000)).toBeNull();
      expect(await db.leases.acquire("ro_1", other, NOW + 2000, 15_000)).not.toBeNull();
    });

    it("lets one of two senders claim an outbox row; the loser, waiting on the winner's transaction, gets null", async () => {
      const eventId = await db.events.insertOne({ at: NOW, type: "region.rolled_back", actor: "engine", message: "m" });
      await db.outbox.insertIfAbsent({ eventId, channelId: "slack", kind: "card", payload: { text: "rolled back" }, nextAttemptAt: NOW, createdAt: NOW });
      await db.outbox.insertIfAbsent({ eventId, channelId: "slack", kind: "card", payload: { text: "again" }, nextAttemptAt: NOW, createdAt: NOW });
      const [row] = await db.outbox.due(NOW, 10);
      expect(row).toMatchObject({ status: "pending", attempts: 0, payload: { text: "rolled back" } });
      let letGo!: () => void;
      const held = new Promise<void>((r) => (letGo = r));
      const first = db.transaction(async (tx) => {
        const won = await tx.outbox.claim(row, NOW + 30_000);
        await held;
        return won;
      });
      await sleep(30);
      const second = db.outbox.claim(row, NOW + 30_000);
      await sleep(30);
      letGo();
      expect(await first).toMatchObject({ status: "sending", attempts: 1 });
      expect(await second).toBeNull();
      expect(await db.outbox.due(NOW, 10)).toEqual([]);
    });
  });

  describe("append-only tables", () => {
    it("refuses to change or delete an event, even by hand", async () => {
      await db.events.insertOne({ at: NOW, type: "x", actor: "system", message: "m" });
      await expect(rawSql(db, "update events set message = 'changed'")).rejects.toThrow(/events are append-only/);
      await expect(rawSql(db, "delete from events")).rejects.toThrow(/events are append-only/);
      expect((await db.events.auditPage({}, 10)).map((e) => e.message)).toEqual(["m"]);
    });

    it("keeps the role history when role_assignments is edited by hand, and reads current roles from it", async () => {
      await user(db, "u_1");
      await db.users.appendRoleChanges([{ userId: "u_1", role: "sre", change: "granted", changedBy: "system", at: NOW }]);
      await rawSql(db, `insert into role_assignments (user_id, role, granted_by, granted_at) values ('u_1', 'admin', 'sql', ${NOW})`);
      expect((await db.users.roles("u_1")).sort()).toEqual(["admin", "sre"]);
      await rawSql(db, "delete from role_assignments where role = 'sre'");
      expect(await db.users.roles("u_1")).toEqual(["admin"]);
      await expect(rawSql(db, "update role_assignments set role = 'viewer'")).rejects.toThrow(/keep their history/);
      await expect(rawSql(db, "delete from role_changes")).rejects.toThrow(/role changes are append-only/);
      expect(await db.users.countOtherActiveAdmins("u_other", false)).toBe(1);
    });
  });

  describe("reads", () => {
    it("lists the events of one type of several rollouts in one read, oldest first", async () => {
      await seedRollout(db, "ro_a", NOW);
      await seedRollout(db, "ro_b", NOW);
      const event = (rolloutId: string, type: string, message: string) => ({ at: NOW, type, actor: "engine", message, serviceId: "api", rolloutId });
      await db.events.insertAll([
        event("ro_a", "region.rolled_back", "a1"),
        event("ro_b", "region.promoted", "b-promoted"),
        event("ro_b", "region.rolled_back", "b1"),
        event("ro_a", "region.rolled_back", "a2"),
      ]);
      const of = async (ids: string[]) => (await db.events.listForRolloutsOfType(ids, "region.rolled_back")).map((e) => e.message);
      expect(await of(["ro_a", "ro_b"])).toEqual(["a1", "b1", "a2"]);
      expect(await of(["ro_b"])).toEqual(["b1"]);
      expect(await of([])).toEqual([]);
    });

    it("pages rollout history by (createdAt, id), newest first, with no row twice or missed", async () => {
      await seedRollout(db, "ro_a", NOW);
      for (const [id, createdAt] of [
        ["ro_b", NOW],
        ["ro_c", NOW],
        ["ro_d", NOW - 1],
        ["ro_e", NOW + 1],
      ] as const)
        await db.rollouts.insert({ id, serviceId: "api", artifactId: "ar_1", strategy: "sequential", initiator: "system", correlationId: id, createdAt });
      const seen: string[] = [];
      let before: { createdAt: number; id: string } | undefined;
      for (;;) {
        const page = await db.rollouts.pageWithArtifact({ serviceId: "api", before }, 2);
        if (page.length === 0) break;
        seen.push(...page.map((p) => p.rollout.id));
        const last = page[page.length - 1].rollout;
        before = { createdAt: last.createdAt, id: last.id };
      }
      expect(seen).toEqual(["ro_e", "ro_c", "ro_b", "ro_a", "ro_d"]);
      expect((await db.rollouts.pageWithArtifact({ regionId: "eu-west" }, 10)).map((p) => p.rollout.id)).toEqual(["ro_a"]);
    });

    it("lists a rollout's regions in plan order, not in the order an index or the heap happens to hold", async () => {
      await seedRollout(db);
      expect((await db.regionRollouts.phasesOfRollout("ro_1")).map((r) => r.regionId)).toEqual(["us-east", "eu-west"]);
      expect((await db.regionRollouts.unfinishedOfRollout("ro_1", ["succeeded"])).map((r) => r.regionId)).toEqual(["us-east", "eu-west"]);
    });

    it("finds the users a CI actor names, a name's LIKE wildcards taken literally, case-insensitively", async () => {
      await db.users.insert({ id: "u_1", email: "Sam.Smith@Example.com", name: "Sam Smith", createdAt: NOW });
      await db.users.insert({ id: "u_2", email: "a_b@example.com", name: "Underscore", createdAt: NOW });
      await db.users.insert({ id: "u_3", email: "axb@example.com", name: "Other", createdAt: NOW });
      expect(await db.users.matchingCiActor("sam.smith", 5)).toEqual(["u_1"]);
      expect(await db.users.matchingCiActor("sam.smith@example.com", 5)).toEqual(["u_1"]);
      expect(await db.users.matchingCiActor("sam smith", 5)).toEqual(["u_1"]);
      expect(await db.users.matchingCiActor("a_b", 5)).toEqual(["u_2"]);
      expect(await db.users.matchingCiActor("a%", 5)).toEqual([]);
    });

    it("filters the audit log by exact values and by prefix, the same way on either engine", async () => {
      await db.events.insertAll(
        [
          ["user:u_1", "rollout.started"],
          ["user:u_2", "rollout.paused"],
          ["USER:u_3", "Rollout.odd"],
          ["token:t_1", "region.rolled_back"],
        ].map(([actor, type], i) => ({ at: NOW + i, type, actor, message: "m" })),
      );
      const ids = async (filter: Parameters<Store["events"]["auditPage"]>[0]) => (await db.events.auditPage(filter, 10)).map((e) => `${e.actor} ${e.type}`);
      expect(await ids({ actorPrefix: "user:" })).toEqual(["user:u_2 rollout.paused", "user:u_1 rollout.started"]);
      expect(await ids({ typePrefix: "rollout." })).toEqual(["user:u_2 rollout.paused", "user:u_1 rollout.started"]);
      expect(await ids({ actor: "token:t_1" })).toEqual(["token:t_1 region.rolled_back"]);
      expect(await ids({ typePrefix: "rollout.", beforeId: 2 })).toEqual(["user:u_1 rollout.started"]);
      expect(await ids({ from: NOW + 1, to: NOW + 2 })).toEqual(["USER:u_3 Rollout.odd", "user:u_2 rollout.paused"]);
    });

    it("reads the newest event per (service, region) and the live feed after an id", async () => {
      await db.events.insertAll(
        [
          ["api", "us-east"],
          ["api", "us-east"],
          ["api", null],
          [null, null],
        ].map(([serviceId, regionId], i) => ({ at: NOW + i, type: "t", actor: "system", message: `m${i}`, serviceId, regionId })),
      );
      expect((await db.events.newestPerServiceRegion()).map((e) => e.message).sort()).toEqual(["m1", "m2", "m3"]);
      expect((await db.events.listAfter(2, 10)).map((e) => e.id)).toEqual([3, 4]);
    });

    it("reads each region's newest region rollout of a service with its version and the one before (a window function)", async () => {
      await seedRollout(db, "ro_old", NOW);
      await db.artifacts.insertIfAbsent({ id: "ar_2", serviceId: "api", version: "1.1.0", digest: `sha256:${"b".repeat(64)}`, createdAt: NOW });
      await db.rollouts.insert({
        id: "ro_new",
        serviceId: "api",
        artifactId: "ar_2",
        strategy: "sequential",
        initiator: "system",
        correlationId: "c",
        createdAt: NOW + 1,
      });
      await db.regionRollouts.insert({
        id: "rr_new_us",
        rolloutId: "ro_new",
        regionId: "us-east",
        position: 0,
        fromColour: "green",
        toColour: "blue",
        previousArtifactId: "ar_1",
        updatedAt: NOW,
      });
      const latest = (await db.regionRollouts.latestInEveryRegion(["api"])).map((l) => [l.rr.regionId, l.rr.id, l.version, l.previousVersion]).sort();
      expect(latest).toEqual([
        ["eu-west", "rr_ro_old_eu-west", "1.0.0", null],
        ["us-east", "rr_new_us", "1.1.0", "1.0.0"],
      ]);
      expect(await db.regionRollouts.latestInEveryRegion(["web"])).toEqual([]);
    });
  });
});

async function user(db: Store, id: string): Promise<string> {
  await db.users.insert({ id, email: `${id}@example.com`, name: id, createdAt: NOW });
  return id;
}

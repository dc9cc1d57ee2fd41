/**
 * Attacks on the audit trail: rewriting the append-only event log through INSERT OR REPLACE or an upsert,
 * erasing who approved a gate or who held a role, a viewer reading hosts, logins and raw errors out of the
 * audit log, and a flood of refused webhook deliveries meant to fill the disk.
 */
import { asc, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { POST } from "@/app/api/webhooks/ci/route";
import { approvals, events, roleAssignments, roleChanges } from "@/db/schema";
import { createCaller } from "@/server/api/root";
import type { Actor } from "@/server/actor";
import type { SessionUser } from "@/server/auth/session";
import { setConfig } from "@/server/config";
import { DEMO_CONFIG_PATH } from "@/server/config/load";
import { addUser, createHarness, DIGEST_A, phases, type Harness } from "@/server/engine/runner/test-fixtures";
import { logger } from "@/server/log";
import { getMetricsRegistry } from "@/server/metrics";
import { INTERNAL_EVENT_FIELDS } from "@/server/services/audit-log";
import { startRollout } from "@/server/services/rollouts";
import { setUserRoles } from "@/server/services/users";
import { approveGate } from "@/server/services/approvals";
import { BUILT, freshProcessDatabase, goodBody, rowCounts, SECRET, signedRequest, type ProcessFixture } from "@/server/services/ci-webhook.fixtures";
import { fixedClock } from "@/server/engine/clock";

describe("the event log cannot be rewritten", () => {
  let h: Harness;
  beforeEach(() => {
    h = createHarness();
    h.db.raw.insert(events).values({ id: 1_000_000, at: 1, type: "approval.granted", actor: "user:sam", message: "Sam approved eu-west" }).run();
  });
  afterEach(() => h.cleanup());
  const original = () => h.db.raw.select().from(events).where(eq(events.id, 1_000_000)).get();

  it.each([
    ["INSERT OR REPLACE", "insert or replace into events (id, at, type, actor, message) values (1000000, 2, 'approval.rejected', 'user:eve', 'forged')"],
    ["REPLACE", "replace into events (id, at, type, actor, message) values (1000000, 2, 'approval.rejected', 'user:eve', 'forged')"],
    [
      "an upsert",
      "insert into events (id, at, type, actor, message) values (1000000, 2, 'x', 'user:eve', 'forged') on conflict (id) do update set message = excluded.message",
    ],
  ])("refuses %s over an existing event", (_name, sql) => {
    expect(() => h.db.$client.prepare(sql).run()).toThrow(/append-only/);
    expect(original()).toMatchObject({ type: "approval.granted", actor: "user:sam", message: "Sam approved eu-west" });
  });

  it("refuses drizzle's onConflictDoUpdate and keeps the event", () => {
    expect(() =>
      h.db.raw
        .insert(events)
        .values({ id: 1_000_000, at: 2, type: "approval.rejected", actor: "user:eve", message: "forged" })
        .onConflictDoUpdate({ target: events.id, set: { message: "forged", actor: "user:eve" } })
        .run(),
    ).toThrow(/append-only/);
    expect(original()).toMatchObject({ actor: "user:sam", message: "Sam approved eu-west" });
  });

  it("still appends new events, with or without an id", () => {
    h.db.raw.insert(events).values({ at: 3, type: "x", actor: "system", message: "next" }).run();
    h.db.$client.prepare("insert or replace into events (id, at, type, actor, message) values (2000000, 4, 'y', 'system', 'new id')").run();
    expect(h.db.raw.select().from(events).where(eq(events.id, 2_000_000)).get()?.message).toBe("new id");
  });
});

describe("approvals and roles keep their history", () => {
  let h: Harness;
  beforeEach(() => {
    h = createHarness();
    setConfig({ config: h.config, file: DEMO_CONFIG_PATH });
  });
  afterEach(() => h.cleanup());

  it("refuses to change, remove or replace a reviewer's decision on a gate", async () => {
    const ada = addUser(h.db, "ada", "Ada", ["admin"]);
    const sam = addUser(h.db, "sam", "Sam", ["sre"]);
    const { rolloutId } = await startRollout(h.as(ada), {
      serviceId: "api",
      artifact: { version: "2.0.0", digest: DIGEST_A, ...BUILT },
      strategy: "sequential",
      regions: ["us-east"],
    });
    await h.runner.tick();
    expect(phases(h.db)["us-east"]).toBe("awaiting_approval");
    const { approvalId } = await approveGate(h.as(sam), { rolloutId, regionId: "us-east" });
    const raw = h.db.$client;
    expect(() => raw.prepare("update approvals set decision = 'rejected', reviewer_id = 'ada'").run()).toThrow(/append-only/);
    expect(() => raw.prepare("delete from approvals").run()).toThrow(/append-only/);
    const first = h.db.raw.select().from(approvals).get()!;
    expect(() =>
      raw
        .prepare(
          "insert or replace into approvals (id, region_rollout_id, environment, reviewer_id, kind, decision, at) values (?, ?, ?, 'sam', 'sre', 'rejected', 1)",
        )
        .run("other-id", first.regionRolloutId, first.environment),
    ).toThrow(/append-only/);
    expect(() =>
      h.db.raw
        .insert(approvals)
        .values({ ...first, decision: "rejected" })
        .onConflictDoUpdate({ target: approvals.id, set: { decision: "rejected" } })
        .run(),
    ).toThrow(/append-only/);
    expect(h.db.raw.select().from(approvals).all()).toEqual([expect.objectContaining({ id: approvalId, reviewerId: "sam", decision: "approved" })]);
  });

  it("records a role removal as a row of its own: who held what, when, and who changed it", async () => {
    const grace = addUser(h.db, "grace", "Grace", ["admin"]);
    const dan = addUser(h.db, "dan", "Dan", ["deployer", "sre"]);
    await setUserRoles({ db: h.db, config: { ...h.config, demo: true }, actor: grace, clock: fixedClock(5_000) }, { userId: dan.id, roles: ["deployer"] });
    await setUserRoles(
      { db: h.db, config: { ...h.config, demo: true }, actor: grace, clock: fixedClock(6_000) },
      { userId: dan.id, roles: ["deployer", "sre"] },
    );
    await setUserRoles({ db: h.db, config: { ...h.config, demo: true }, actor: grace, clock: fixedClock(7_000) }, { userId: dan.id, roles: ["viewer"] });
    const history = h.db.raw.select().from(roleChanges).where(eq(roleChanges.userId, dan.id)).orderBy(asc(roleChanges.id)).all();
    expect(history.map((c) => `${c.at} ${c.change} ${c.role} by ${c.changedBy}`)).toEqual([
      "0 granted deployer by system",
      "0 granted sre by system",
      "5000 removed sre by user:grace",
      "6000 granted sre by user:grace",
      "7000 removed deployer by user:grace",
      "7000 removed sre by user:grace",
      "7000 granted viewer by user:grace",
    ]);
    expect(h.db.raw.select({ role: roleAssignments.role }).from(roleAssignments).where(eq(roleAssignments.userId, dan.id)).all()).toEqual([{ role: "viewer" }]);
  });

  it("refuses to rewrite the role history, and turns hand-written SQL on role_assignments into history", () => {
    addUser(h.db, "dan", "Dan", ["deployer"]);
    const raw = h.db.$client;
    expect(() => raw.prepare("delete from role_changes").run()).toThrow(/append-only/);
    expect(() => raw.prepare("update role_changes set role = 'admin'").run()).toThrow(/append-only/);
    expect(() => raw.prepare("update role_assignments set role = 'admin'").run()).toThrow(/keep their history/);
    raw.prepare("insert into role_assignments (user_id, role, granted_by, granted_at) values ('dan', 'admin', 'sql', 10)").run();
    raw.prepare("delete from role_assignments where user_id = 'dan' and role = 'deployer'").run();
    expect(
      h.db.raw.select({ role: roleAssignments.role, by: roleAssignments.grantedBy }).from(roleAssignments).where(eq(roleAssignments.userId, "dan")).all(),
    ).toEqual([{ role: "admin", by: "sql" }]);
    expect(
      h.db.raw
        .select({ change: roleChanges.change, role: roleChanges.role })
        .from(roleChanges)
        .where(eq(roleChanges.userId, "dan"))
        .orderBy(asc(roleChanges.id))
        .all(),
    ).toEqual([
      { change: "granted", role: "deployer" },
      { change: "granted", role: "admin" },
      { change: "removed", role: "deployer" },
    ]);
  });
});

describe("a viewer reading the audit log", () => {
  let h: Harness;
  const session = (a: Actor): SessionUser => ({ id: a.id, email: `${a.id}@example.test`, name: a.name, roles: a.roles });
  const auditAs = async (a: Actor) => createCaller({ db: h.db, user: session(a), headers: new Headers() }).audit;

  beforeEach(() => {
    h = createHarness();
    setConfig({ config: h.config, file: DEMO_CONFIG_PATH });
    h.db.raw
      .insert(events)
      .values([
        {
          at: 10,
          type: "deploy.failed",
          actor: "engine",
          regionId: "eu-west",
          message: "eu-west: deploy to green failed; no traffic moved.",
          data: {
            colour: "green",
            alert: true,
            error: 'step "restart" on deploy@10.20.0.5:2222 exited with code 3: bind: address already in use',
            log: ["deploying 1.4.2 to green in eu-west on deploy@10.20.0.5:2222", "[restart] Traceback (most recent call last): /srv/api/app.py"],
          },
        },
        {
          at: 11,
          type: "auth.sign_in_failed",
          actor: "system",
          message: "A sign-in failed.",
          data: { provider: "local", reason: "wrong-password", address: "203.0.113.9", email: "olu@example.com" },
        },
        {
          at: 12,
          type: "traffic.restored",
          actor: "engine",
          regionId: "eu-west",
          message: "restored",
          data: { nested: { host: "lb-1.internal", stderr: "haproxy: socket busy" }, canaryPct: 10 },
        },
      ])
      .run();
  });
  afterEach(() => h.cleanup());

  it("sees every event but none of its internal fields: hosts, logins, raw errors, deploy logs, emails", async () => {
    const vic = addUser(h.db, "vic", "Vic", ["viewer"]);
    const { items } = await (await auditAs(vic)).list({ from: 10, to: 12 });
    expect(items.map((e) => e.type)).toEqual(["traffic.restored", "auth.sign_in_failed", "deploy.failed"]);
    const seen = JSON.stringify(items.map((e) => e.data));
    for (const secret of ["10.20.0.5", "deploy@", "Traceback", "203.0.113.9", "olu@example.com", "lb-1.internal", "socket busy"])
      expect(seen).not.toContain(secret);
    expect(items.map((e) => e.data)).toEqual([
      { nested: {}, canaryPct: 10 },
      { provider: "local", reason: "wrong-password" },
      { colour: "green", alert: true },
    ]);
  });

  it("hides them from deployers and reviewers too, and shows them to sre and admin", async () => {
    for (const roles of [["deployer"], ["reviewer"], ["deployer", "reviewer"]] as const) {
      const { items } = await (await auditAs(addUser(h.db, `u-${roles.join("-")}`, "U", [...roles]))).list({ type: "deploy." });
      expect(items[0].data, roles.join("+")).toEqual({ colour: "green", alert: true });
    }
    for (const role of ["sre", "admin"] as const) {
      const { items } = await (await auditAs(addUser(h.db, `u-${role}`, "U", [role]))).list({ type: "deploy." });
      expect(JSON.stringify(items[0].data), role).toContain("deploy@10.20.0.5:2222");
    }
  });

  it("lists host addresses, user@host:port (error, log), raw output and emails among the internal fields", () => {
    expect(INTERNAL_EVENT_FIELDS).toEqual(expect.arrayContaining(["log", "error", "stderr", "host", "address", "email"]));
  });
});

describe("a flood of refused webhook deliveries", () => {
  let f: ProcessFixture;
  beforeEach(() => {
    f = freshProcessDatabase();
    process.env.FLIGHTDECK_WEBHOOK_SECRET = SECRET;
  });
  afterEach(() => {
    vi.restoreAllMocks();
    f.cleanup();
  });

  const refused = async (reason: string) => {
    const metric = await getMetricsRegistry().getSingleMetric("flightdeck_webhook_refused_total")?.get();
    return metric?.values.find((v) => v.labels.reason === reason)?.value ?? 0;
  };

  it("stores no row, counts each refusal by reason and logs it", async () => {
    const warn = vi.spyOn(logger, "warn");
    const before = rowCounts(f.db);
    const [badSignature, rateLimited] = [await refused("bad_signature"), await refused("rate_limited")];
    let statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await POST(signedRequest(goodBody(), { source: "198.51.100.77", delivery: `flood-${i}`, signature: `sha256=${"0".repeat(64)}` }));
      statuses.push(res.status);
    }
    statuses = [...new Set(statuses)].sort();
    expect(statuses).toEqual([401, 429]);
    expect(rowCounts(f.db)).toEqual(before);
    const counted = (await refused("bad_signature")) - badSignature + ((await refused("rate_limited")) - rateLimited);
    expect(counted).toBe(40);
    expect(await refused("bad_signature")).toBeGreaterThan(badSignature);
    const logged = warn.mock.calls.filter(([fields]) => (fields as { reason?: string }).reason === "bad_signature");
    expect(logged.length).toBeGreaterThan(0);
    expect(logged[0][0]).toMatchObject({ status: 401, source: "198.51.100.77", deliveryId: "flood-0" });
    expect(logged[0][1]).toBe("CI webhook: delivery refused");
  });
});

/**
 * The RBAC matrix, generated from the permission table (server/auth/roles.ts): every tRPC procedure of the app
 * router and every REST route under app/api/v1, both enumerated from the code (a new procedure or route without
 * a rule fails here), called as each role, as read, deploy and rollback tokens, as a disabled user and as a demo
 * user while demo mode is off. Each answer is checked against the table: allowed is anything but 401/403,
 * refused is 401 or 403.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "@/db/schema";
import { appRouter, createCaller } from "@/server/api/root";
import type { RestHandler } from "@/server/api/rest";
import { can, ROLES, scopeAllows, type Permission, type Role, type TokenScope } from "@/server/auth/roles";
import { createSession, resolveSessionUser } from "@/server/auth/session-store";
import { addUser } from "@/server/engine/runner/test-fixtures";
import { createToken } from "@/server/services/api-tokens";
import { BUILT, DIGEST_A, freshProcessDatabase, type ProcessFixture } from "@/server/services/ci-webhook.fixtures";
import { setUserDisabled } from "@/server/services/users-status";
import { fixedClock } from "@/server/engine/clock";
import { systemCtxOf } from "@/server/services/users.fixtures";

/**
 * The rule of every tRPC procedure: the permissions that allow it (any one is enough). A procedure missing here
 * fails the test: give it a rule in the permission table first.
 */
const PROCEDURE_RULES: Record<string, readonly Permission[]> = {
  "regions.overview": ["read"],
  "regions.live": ["read"],
  "rollouts.list": ["read"],
  "rollouts.get": ["read"],
  "rollouts.samples": ["read"],
  "rollouts.events": ["read"],
  "rollouts.startOptions": ["rollout.start"],
  "rollouts.previewPlan": ["rollout.start"],
  "rollouts.strategyVerdicts": ["read"],
  "rollouts.start": ["rollout.start"],
  "rollouts.pause": ["rollout.control"],
  "rollouts.resume": ["rollout.control"],
  "rollouts.promote": ["rollout.control"],
  "rollouts.abort": ["rollout.control"],
  "rollouts.retry": ["rollout.control"],
  "rollouts.rollback": ["region.rollback"],
  "services.rollback": ["region.rollback"],
  "admin.users": ["users.manage"],
  "admin.setRoles": ["users.manage"],
  "admin.createUser": ["users.manage"],
  "admin.setDisabled": ["users.manage"],
  "tokens.list": ["settings.manage"],
  "tokens.create": ["settings.manage"],
  "tokens.revoke": ["settings.manage"],
  "approvals.pending": ["read"],
  "approvals.waitingForMe": ["read"],
  "approvals.approve": ["approval.functional", "approval.sre"],
  "approvals.reject": ["approval.functional", "approval.sre"],
  "approvals.approveAll": ["approval.functional", "approval.sre"],
  "regionPages.get": ["read"],
  "audit.list": ["read"],
  "settings.view": ["settings.manage"],
  "settings.sendTestCard": ["settings.manage"],
  "notifications.forRollout": ["read"],
  "demo.faults": ["read"],
  "demo.injectFault": ["demo.faults"],
  "demo.clearFaults": ["demo.faults"],
  "freeze.status": ["read"],
  "freeze.declare": ["freeze.manage"],
  "freeze.lift": ["freeze.manage"],
  "quarantine.list": ["read"],
  "quarantine.lift": ["quarantine.lift"],
  "backtest.run": ["read"],
  "incidents.list": ["read"],
  "incidents.acknowledge": ["incident.acknowledge"],
  "incidents.resolve": ["incident.acknowledge"],
};

/** The rule of every REST route and method; a route missing here fails the test. */
const REST_RULES: Record<string, Permission> = {
  "GET rollouts/route.ts": "read",
  "POST rollouts/route.ts": "rollout.start",
  "GET rollouts/[id]/route.ts": "read",
  "POST rollouts/[id]/regions/[region]/[action]/route.ts": "rollout.control",
  "POST regions/[region]/rollback/route.ts": "region.rollback",
  "POST services/[id]/rollback/route.ts": "region.rollback",
  "GET freeze/route.ts": "read",
  "POST freeze/route.ts": "freeze.manage",
  "DELETE freeze/route.ts": "freeze.manage",
  "GET quarantines/route.ts": "read",
  "DELETE quarantines/[id]/route.ts": "quarantine.lift",
  "POST regions/[region]/backtest/route.ts": "read",
  "GET rollouts/[id]/incidents/route.ts": "read",
  "POST rollouts/[id]/incidents/acknowledge/route.ts": "incident.acknowledge",
  "POST rollouts/[id]/incidents/resolve/route.ts": "incident.acknowledge",
};

/** An input that reaches the service (unknown ids answer 404, never 401/403); procedures not listed take none. */
const START = { serviceId: "api", artifact: { version: "9.9.9", digest: DIGEST_A, ...BUILT }, strategy: "sequential", regions: ["us-east"] };
const REF = { rolloutId: "no-such-rollout", regionId: "us-east" };
const INPUTS: Record<string, unknown> = {
  "regions.live": undefined,
  "rollouts.list": {},
  "rollouts.get": { id: "no-such-rollout" },
  "rollouts.samples": { id: "no-such-rollout" },
  "rollouts.events": { id: "no-such-rollout" },
  "rollouts.previewPlan": START,
  "rollouts.strategyVerdicts": { serviceId: "api" },
  "rollouts.start": { ...START, regions: ["apac-se"] },
  "rollouts.pause": REF,
  "rollouts.resume": REF,
  "rollouts.promote": REF,
  "rollouts.abort": REF,
  "rollouts.retry": REF,
  "rollouts.rollback": { serviceId: "api", regionId: "eu-west" },
  "services.rollback": { serviceId: "no-such-service" },
  "admin.setRoles": { userId: "no-such-user", roles: ["viewer"] },
  "admin.createUser": { email: "new@example.test", name: "New", password: "a long enough password 123", roles: ["viewer"] },
  "admin.setDisabled": { userId: "no-such-user", disabled: true },
  "tokens.create": { name: "matrix", scope: "read" },
  "tokens.revoke": { tokenId: "no-such-token" },
  "approvals.approve": REF,
  "approvals.reject": REF,
  "approvals.approveAll": { rolloutId: "no-such-rollout" },
  "regionPages.get": { regionId: "us-east" },
  "audit.list": {},
  "settings.sendTestCard": undefined,
  "notifications.forRollout": { rolloutId: "no-such-rollout" },
  "demo.faults": { regionId: "us-east" },
  "demo.injectFault": { regionId: "us-east", stagePercent: 25, errorRatePct: 5 },
  "demo.clearFaults": { regionId: "us-east" },
  "freeze.declare": { reason: "rbac matrix" },
  "quarantine.list": {},
  "quarantine.lift": { id: "no-such-quarantine", reason: "rbac matrix" },
  "backtest.run": { regionId: "us-east", from: "-1h" },
  "incidents.list": { rolloutId: "no-such-rollout" },
  "incidents.acknowledge": { rolloutId: "no-such-rollout" },
  "incidents.resolve": { rolloutId: "no-such-rollout", reason: "rbac matrix" },
};

type Outcome = { status: number | null; code: string | null };
const refusedStatus = (o: Outcome) => o.status === 401 || o.status === 403 || o.code === "UNAUTHORIZED" || o.code === "FORBIDDEN";

let f: ProcessFixture;
const now = Date.now();

/** A user who holds one role and may act (not demo, not disabled). */
async function person(id: string, roles: Role[], opts: { demo?: boolean; disabled?: boolean } = {}): Promise<string> {
  addUser(f.db, id, id, roles);
  f.db.raw
    .update(users)
    .set({ demo: opts.demo ?? false })
    .where(eq(users.id, id))
    .run();
  if (opts.disabled)
    await setUserDisabled(
      { db: f.db, config: { ...f.config, demo: false }, actor: { kind: "user", id: "root", name: "root", roles: ["admin"] }, clock: fixedClock(now) },
      { userId: id, disabled: true },
    );
  return id;
}

/** Made once, at first use (inside a test, after the database exists); an async maker's promise is shared. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | null = null;
  return () => (made ??= { value: make() }).value;
}

/** A token this user minted while an admin; it acts with the roles they hold now. */
const tokenOf = async (userId: string, scope: Exclude<TokenScope, "write">) =>
  (
    await createToken(
      { db: f.db, config: f.config, actor: { kind: "user", id: userId, name: userId, roles: ["admin"] }, clock: fixedClock(now) },
      { name: `${userId}-${scope}`, scope },
    )
  ).token;

beforeAll(async () => {
  f = freshProcessDatabase();
  f.config.demo = false; // a real fleet: demo users may not act
  await person("root", ["admin"]); // another active admin, so disabling is possible
});
afterAll(() => f.cleanup());

describe("tRPC: every procedure as every subject", () => {
  const procedures = appRouter._def.procedures as unknown as Record<string, unknown>;
  const paths = Object.keys(procedures).sort();

  it("has a rule in the permission table for every procedure of the app router", () => {
    expect(
      paths.filter((p) => !(p in PROCEDURE_RULES)),
      "procedures without a rule",
    ).toEqual([]);
    expect(
      Object.keys(PROCEDURE_RULES).filter((p) => !paths.includes(p)),
      "rules for procedures that no longer exist",
    ).toEqual([]);
  });

  type User = Awaited<ReturnType<typeof resolveSessionUser>>;

  async function callAs(user: User, headers: Headers, procedure: string): Promise<Outcome> {
    const caller = createCaller({ db: f.db, user, headers });
    const fn = procedure.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (input: unknown) => Promise<unknown>;
    try {
      const result = await fn(INPUTS[procedure]);
      if (result && typeof (result as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function") {
        await (result as AsyncIterable<unknown>)[Symbol.asyncIterator]().return?.();
      }
      return { status: 200, code: null };
    } catch (err) {
      if (err instanceof TRPCError) return { status: null, code: err.code };
      throw err;
    }
  }

  type Subject = {
    name: string;
    user: () => Promise<User> | null;
    headers?: () => Promise<Headers>;
    allowed: (rule: readonly Permission[]) => boolean;
  };
  const sessionOf = (make: () => Promise<string>) => {
    const userId = once(make);
    return async () => resolveSessionUser(systemCtxOf(f.db, now, false), (await createSession(systemCtxOf(f.db, now, false), await userId())).id);
  };
  const subjects: Subject[] = [
    ...ROLES.map((role): Subject => ({
      name: `a signed-in ${role}`,
      user: sessionOf(() => person(`trpc-${role}`, [role])),
      allowed: (rule) => rule.some((p) => can([role], p)),
    })),
    { name: "nobody signed in", user: () => null, allowed: () => false },
    { name: "a disabled admin", user: sessionOf(() => person("trpc-disabled", ["admin"], { disabled: true })), allowed: () => false },
    { name: "a demo admin with demo mode off", user: sessionOf(() => person("trpc-demo", ["admin"], { demo: true })), allowed: () => false },
    ...(["read", "deploy", "rollback"] as const).map((scope): Subject => {
      const token = once(() => tokenOf("root", scope));
      return {
        name: `a ${scope} token (tRPC takes sessions only)`,
        user: () => null,
        headers: async () => new Headers({ authorization: `Bearer ${await token()}` }),
        allowed: () => false,
      };
    }),
  ];

  for (const procedure of Object.keys(PROCEDURE_RULES).sort()) {
    it(`${procedure} (${PROCEDURE_RULES[procedure].join(" or ")})`, async () => {
      const answers: string[] = [];
      for (const subject of subjects) {
        const outcome = await callAs(await subject.user(), (await subject.headers?.()) ?? new Headers(), procedure);
        const expected = subject.allowed(PROCEDURE_RULES[procedure]);
        if (refusedStatus(outcome) === expected)
          answers.push(`${subject.name}: expected ${expected ? "allowed" : "refused"}, got ${outcome.code ?? outcome.status}`);
      }
      expect(answers).toEqual([]);
    });
  }
});

describe("REST: every route under app/api/v1 as every subject", () => {
  const root = path.join(process.cwd(), "app/api/v1");
  const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith("route.ts")).sort();
  const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
  /** Values for the dynamic segments and a body that reaches the service. */
  const SEGMENTS: Record<string, string> = { id: "no-such-rollout", region: "us-east", action: "pause" };
  const bodyFor = (file: string, method: string) =>
    method === "GET" ? undefined : file === "rollouts/route.ts" ? { ...START, regions: ["eu-west"] } : { service: "api" };

  it("finds every route of the table, and no route without a rule", () => {
    expect(files).toEqual([...new Set(Object.keys(REST_RULES).map((k) => k.split(" ")[1]))].sort());
  });

  type Subject = { name: string; token: () => Promise<string> | null; allowed: (p: Permission) => boolean };
  const scoped = (role: Role, scope: Exclude<TokenScope, "write">): Subject => {
    const userId = `rest-${role}-${scope}`;
    return {
      name: `a ${scope} token of a ${role}`,
      token: once(async () => tokenOf(await person(userId, [role]), scope)),
      allowed: (p) => scopeAllows(scope, p) && can([role], p),
    };
  };
  const subjects: Subject[] = [
    ...ROLES.flatMap((role) => (["read", "deploy", "rollback"] as const).map((scope) => scoped(role, scope))),
    { name: "no token", token: () => null, allowed: () => false },
    {
      name: "a deploy token of a disabled admin",
      token: once(async () => tokenOf(await person("rest-disabled", ["admin"], { disabled: true }), "deploy")),
      allowed: () => false,
    },
    {
      name: "a deploy token of a demo admin with demo mode off",
      token: once(async () => tokenOf(await person("rest-demo", ["admin"], { demo: true }), "deploy")),
      allowed: () => false,
    },
  ];

  for (const file of files) {
    it(`${file}: each method has a permission, and each subject gets what the table says`, async () => {
      const mod = (await import(path.join(root, file))) as Partial<Record<(typeof METHODS)[number], RestHandler<Record<string, string>>>>;
      const handlers = METHODS.flatMap((m) => (mod[m] ? [[m, mod[m]!] as const] : []));
      expect(handlers.length).toBeGreaterThan(0);
      const params = Object.fromEntries([...file.matchAll(/\[(\w+)\]/g)].map(([, k]) => [k, SEGMENTS[k]]));
      const answers: string[] = [];
      for (const [method, handler] of handlers) {
        expect(handler.permission, `${method} ${file}: its permission (restRoute) must be the table's`).toBe(REST_RULES[`${method} ${file}`]);
        for (const subject of subjects) {
          const token = await subject.token();
          const body = bodyFor(file, method);
          const request = new Request(`http://localhost/api/v1/${file}`, {
            method,
            headers: token ? { authorization: `Bearer ${token}` } : {},
            body: body ? JSON.stringify(body) : undefined,
          });
          const res = await handler(request, { params: Promise.resolve(params) });
          const expected = subject.allowed(handler.permission);
          if (refusedStatus({ status: res.status, code: null }) === expected)
            answers.push(`${method} as ${subject.name}: expected ${expected ? "allowed" : "refused"}, got ${res.status}`);
        }
      }
      expect(answers).toEqual([]);
    });
  }
});

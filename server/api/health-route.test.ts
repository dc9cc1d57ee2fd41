import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GET } from "@/app/api/health/route";
import { leases, runners } from "@/db/schema";
import type { Actor } from "@/server/actor";
import type { SessionUser } from "@/server/auth/session";
import { addUser } from "@/server/engine/runner/test-fixtures";
import { createToken } from "@/server/services/api-tokens";
import { freshProcessDatabase, type ProcessFixture } from "@/server/services/ci-webhook.fixtures";
import { realClock } from "@/server/engine/clock";

// The signed-in user of the request, as next-auth's cookie would give it (null: nobody signed in).
let signedIn: SessionUser | null = null;
vi.mock("@/server/auth/session", () => ({ getSessionUser: async () => signedIn }));

let f: ProcessFixture;
let ada: Actor;

function addRunner(id: string, heartbeatAgoMs: number) {
  const now = Date.now();
  f.db.raw
    .insert(runners)
    .values({ id, pid: 4242, host: "web-1", startedAt: now - 60_000, heartbeatAt: now - heartbeatAgoMs })
    .run();
}

async function readToken(): Promise<string> {
  return (await createToken({ db: f.db, config: f.config, actor: ada, clock: realClock }, { name: "monitor", scope: "read" })).token;
}

const health = (authorization?: string) => GET(new Request("http://localhost/api/health", { headers: authorization ? { authorization } : {} }));

describe("GET /api/health", () => {
  beforeEach(() => {
    f = freshProcessDatabase();
    ada = addUser(f.db, "ada", "Ada", ["admin"]);
    signedIn = null;
  });
  afterEach(() => f.cleanup());

  it("tells anyone only that it is ok, never the runner's host or pid", async () => {
    addRunner("r_1", 2_000);
    const res = await health();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("gives a read token the engine's state from the most recent heartbeat", async () => {
    addRunner("r_old", 120_000);
    addRunner("r_new", 2_000);
    const body = await (await health(`Bearer ${await readToken()}`)).json();
    expect(body).toMatchObject({ status: "ok", database: "ok", engine: { status: "ok", runnerId: "r_new", host: "web-1", pid: 4242 } });
    expect(body.engine.lastHeartbeatAgoMs).toBeGreaterThanOrEqual(2_000);
    expect(body.engine.lastHeartbeatAgoMs).toBeLessThan(15_000);
  });

  it("lists every replica with its heartbeat and the leases it holds, the most recent first", async () => {
    addRunner("r_a", 1_000);
    addRunner("r_b", 3_000);
    addRunner("r_crashed", 40_000);
    addRunner("r_gone_yesterday", 86_400_000);
    const far = Date.now() + 60_000;
    f.db.raw
      .insert(leases)
      .values([
        { name: "rollout:1", owner: "r_a", expiresAt: far },
        { name: "rollout:2", owner: "r_a", expiresAt: far },
        { name: "rollout:3", owner: "r_b", expiresAt: far },
        { name: "rollout:4", owner: "r_crashed", expiresAt: Date.now() - 25_000 },
      ])
      .run();
    const { engine } = await (await health(`Bearer ${await readToken()}`)).json();
    expect(engine).toMatchObject({ status: "ok", runnerId: "r_a" });
    expect(engine.replicas.map((r: { runnerId: string; status: string; leases: number }) => [r.runnerId, r.status, r.leases])).toEqual([
      ["r_a", "ok", 2],
      ["r_b", "ok", 1],
      ["r_crashed", "stale", 0],
    ]);
  });

  it("gives a signed-in user the details: the engine not running when no runner ever beat (the worker may run apart)", async () => {
    signedIn = { id: "ada", name: "Ada", email: "ada@example.test", roles: ["viewer"] };
    expect(await (await health()).json()).toEqual({ status: "ok", database: "ok", engine: { status: "not_running", lastHeartbeatAgoMs: null } });
  });

  it("reports the engine stale when its last heartbeat is older than 15 s, and still answers 200", async () => {
    addRunner("r_1", 20_000);
    const res = await health(`Bearer ${await readToken()}`);
    expect(res.status).toBe(200);
    expect((await res.json()).engine).toMatchObject({ status: "stale", runnerId: "r_1" });
  });

  it("gives an unknown token the short answer, not an error (a monitor with a stale token still sees liveness)", async () => {
    addRunner("r_1", 2_000);
    const res = await health("Bearer fd_not-a-token");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("answers 503 not ok when the database cannot be opened", async () => {
    const notAFile = path.join(mkdtempSync(path.join(tmpdir(), "fd-health-")), "a-directory");
    mkdirSync(notAFile);
    f.cleanup();
    process.env.FLIGHTDECK_DB = notAFile;
    const res = await health();
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: "error" });
    f = freshProcessDatabase();
  });
});

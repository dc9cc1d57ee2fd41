import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { GET } from "@/app/api/health/route";
import { getDb } from "@/db/client";
import { runners } from "@/db/schema";

/** getDb() keeps the process's database on globalThis; each test points it at a new file. */
function useDatabaseFile(file: string) {
  process.env.FLIGHTDECK_DB = file;
  (globalThis as { flightdeckDb?: unknown }).flightdeckDb = undefined;
}

function addRunner(id: string, heartbeatAgoMs: number) {
  const now = Date.now();
  getDb().insert(runners).values({ id, pid: 4242, host: "web-1", startedAt: now - 60_000, heartbeatAt: now - heartbeatAgoMs }).run();
}

describe("GET /api/health", () => {
  beforeEach(() => useDatabaseFile(path.join(mkdtempSync(path.join(tmpdir(), "fd-health-")), "test.db")));

  it("answers 200 with the engine not running when no runner ever beat (the worker may run apart)", async () => {
    const res = await GET();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(await res.json()).toEqual({ status: "ok", database: "ok", engine: { status: "not_running", lastHeartbeatAgoMs: null } });
  });

  it("reports the engine ok from the most recent heartbeat", async () => {
    addRunner("r_old", 120_000);
    addRunner("r_new", 2_000);
    const body = await (await GET()).json();
    expect(body.engine).toMatchObject({ status: "ok", runnerId: "r_new", host: "web-1", pid: 4242 });
    expect(body.engine.lastHeartbeatAgoMs).toBeGreaterThanOrEqual(2_000);
    expect(body.engine.lastHeartbeatAgoMs).toBeLessThan(15_000);
  });

  it("reports the engine stale when its last heartbeat is older than 15 s, and still answers 200", async () => {
    addRunner("r_1", 20_000);
    const res = await GET();
    expect(res.status).toBe(200);
    expect((await res.json()).engine).toMatchObject({ status: "stale", runnerId: "r_1" });
  });

  it("answers 503 with a message when the database cannot be opened", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fd-health-"));
    const notAFile = path.join(dir, "a-directory");
    mkdirSync(notAFile);
    useDatabaseFile(notAFile);
    const res = await GET();
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body).toMatchObject({ status: "error", database: "unreachable" });
    expect(body.message).toMatch(/database/);
  });
});

/**
 * The worker as it runs in production: `npm run worker` is plain `node dist/worker.mjs`, compiled by
 * scripts/build-worker.mjs (part of `npm run build`), with no TypeScript loader at run time. Started against a
 * fresh database file, it migrates it, beats in the `runners` table, and stops cleanly on SIGTERM.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openDatabase } from "@/db/client";
import { runners } from "@/db/schema";
import { buildWorker, WORKER_OUT } from "@/scripts/build-worker.mjs";

let dir = "";
let child: ChildProcess | undefined;

beforeAll(() => {
  // A fresh clone runs the unit tests before `npm run build`: build the worker here, and fail if that fails.
  buildWorker();
  if (!existsSync(WORKER_OUT)) throw new Error(`${WORKER_OUT} is missing after building the worker`);
  dir = mkdtempSync(path.join(tmpdir(), "flightdeck-worker-"));
});

afterAll(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

it("npm run worker starts the compiled worker with node alone", () => {
  const scripts = JSON.parse(readFileSync("package.json", "utf8")).scripts as Record<string, string>;
  expect(scripts.worker).toBe("node dist/worker.mjs");
  expect(scripts.build).toContain("build-worker.mjs");
  expect(readFileSync(WORKER_OUT, "utf8")).not.toMatch(/from "tsx/);
});

it("the compiled worker beats in the runners table of a fresh database and stops on SIGTERM", { timeout: 60_000 }, async () => {
  const dbFile = path.join(dir, "flightdeck.db");
  let output = "";
  child = spawn(process.execPath, [WORKER_OUT], {
    cwd: process.cwd(),
    env: { ...process.env, FLIGHTDECK_DB: dbFile, NODE_ENV: "production", LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child!.on("exit", (code) => resolve(code)));

  // Two heartbeats a second apart: the tick loop is running, not just started.
  const until = Date.now() + 30_000;
  let beat: typeof runners.$inferSelect | undefined;
  while (Date.now() < until && child.exitCode === null) {
    if (existsSync(dbFile)) {
      const db = openDatabase(dbFile);
      try {
        beat = db.raw
          .select()
          .from(runners)
          .all()
          .find((r) => r.pid === child!.pid && r.heartbeatAt > r.startedAt);
      } catch {
        // the worker has not migrated the new file yet
      } finally {
        db.$client.close();
      }
      // pino writes asynchronously: the log line may reach the pipe just after the first heartbeat.
      if (beat && output.includes("flightdeck worker running")) break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(beat, `no heartbeat from the compiled worker (exit code ${child.exitCode}); its output:\n${output}`).toBeDefined();
  expect(output).toContain("flightdeck worker running");

  child.kill("SIGTERM");
  expect(await exited).toBe(0);
});

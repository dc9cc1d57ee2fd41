// Builds the app with `next build` when its sources are newer than the last build (`.next/BUILD_ID`), and the
// engine worker (`dist/worker.mjs`, for `npm run worker`) when it is older than its sources.
// Shared by `npm start` and the benchmarks that drive the production server.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { buildWorker, WORKER_OUT } from "./build-worker.mjs";

const root = path.resolve(import.meta.dirname, "..");
const SOURCES = [
  "app",
  "components",
  "server",
  "db",
  "public",
  "package-lock.json",
  "next.config.ts",
  "instrumentation.ts",
  "postcss.config.mjs",
  "tsconfig.json",
];

function newestMtime(p) {
  const full = path.join(root, p);
  if (!existsSync(full)) return 0;
  const st = statSync(full);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(full).reduce((max, name) => Math.max(max, newestMtime(path.join(p, name))), st.mtimeMs);
}

const builtAtOf = (file) => (existsSync(file) ? statSync(file).mtimeMs : 0);
const staleSince = (builtAt) => !builtAt || SOURCES.some((s) => newestMtime(s) > builtAt);

/** Runs `next build` and builds the worker if needed; exits the process when a build fails. */
export function ensureBuild() {
  if (staleSince(builtAtOf(WORKER_OUT))) {
    try {
      buildWorker();
    } catch (err) {
      console.error(`Building the worker failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    }
  }
  const buildId = path.join(root, ".next/BUILD_ID");
  const builtAt = builtAtOf(buildId);
  if (!staleSince(builtAt)) return;
  console.log(builtAt ? "Sources changed since the last build: building…" : "First start: building Flightdeck (about a minute)…");
  const res = spawnSync(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (res.status !== 0) process.exit(res.status ?? 1);
}

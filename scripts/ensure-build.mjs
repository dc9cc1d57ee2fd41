// Builds the app with `next build` when its sources are newer than the last build (`.next/BUILD_ID`).
// Shared by `npm start` and the benchmarks that drive the production server.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const SOURCES = ["app", "components", "server", "db", "public", "package-lock.json", "next.config.ts", "instrumentation.ts", "postcss.config.mjs", "tsconfig.json"];

function newestMtime(p) {
  const full = path.join(root, p);
  if (!existsSync(full)) return 0;
  const st = statSync(full);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(full).reduce((max, name) => Math.max(max, newestMtime(path.join(p, name))), st.mtimeMs);
}

/** Runs `next build` if needed; exits the process with next's status when the build fails. */
export function ensureBuild() {
  const buildId = path.join(root, ".next/BUILD_ID");
  const builtAt = existsSync(buildId) ? statSync(buildId).mtimeMs : 0;
  if (builtAt && !SOURCES.some((s) => newestMtime(s) > builtAt)) return;
  console.log(builtAt ? "Sources changed since the last build: building…" : "First start: building Flightdeck (about a minute)…");
  const res = spawnSync(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (res.status !== 0) process.exit(res.status ?? 1);
}

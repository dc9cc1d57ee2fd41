#!/usr/bin/env node
// `npm start`: check the config, build when the sources are newer than the last build, then serve on PORT
// (default 3000). The database is created and migrated by the server itself at start (instrumentation.ts).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const run = (cmd, args, opts = {}) => {
  const res = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...opts });
  if (res.status !== 0) process.exit(res.status ?? 1);
};

// A bad config or environment stops here with every problem by path, before a 35 s build.
run(process.execPath, ["--import", "tsx", "server/config/check.ts"]);

const SOURCES = ["app", "components", "server", "db", "public", "package-lock.json", "next.config.ts", "instrumentation.ts", "postcss.config.mjs", "tsconfig.json"];
function newestMtime(p) {
  const full = path.join(root, p);
  if (!existsSync(full)) return 0;
  const st = statSync(full);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(full).reduce((max, name) => Math.max(max, newestMtime(path.join(p, name))), st.mtimeMs);
}
const buildId = path.join(root, ".next/BUILD_ID");
const builtAt = existsSync(buildId) ? statSync(buildId).mtimeMs : 0;
if (newestMtime(".") === 0 || SOURCES.some((s) => newestMtime(s) > builtAt)) {
  console.log(builtAt ? "Sources changed since the last build: building…" : "First start: building Flightdeck (about a minute)…");
  run(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], { env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
}

const port = process.env.PORT ?? "3000";
// Sign-in callbacks need the public address; on this machine it is localhost unless told otherwise.
process.env.NEXTAUTH_URL ??= `http://localhost:${port}`;
console.log(`Flightdeck on http://localhost:${port}`);
run(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "start", "-p", port], { env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });

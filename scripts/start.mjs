#!/usr/bin/env node
// `npm start`: check the config, build when the sources are newer than the last build, then serve on PORT
// (default 3000). The database is created and migrated by the server itself at start (instrumentation.ts).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { ensureBuild } from "./ensure-build.mjs";

const root = path.resolve(import.meta.dirname, "..");
const run = (cmd, args, opts = {}) => {
  const res = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...opts });
  if (res.status !== 0) process.exit(res.status ?? 1);
};

// A bad config or environment stops here with every problem by path, before a 35 s build.
run(process.execPath, ["--import", "tsx", "server/config/check.ts"]);

ensureBuild();

const port = process.env.PORT ?? "3000";
// Sign-in callbacks need the public address; on this machine it is localhost unless told otherwise.
process.env.NEXTAUTH_URL ??= `http://localhost:${port}`;
console.log(`Flightdeck on http://localhost:${port}`);
run(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "start", "-p", port], { env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });

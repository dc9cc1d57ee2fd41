#!/usr/bin/env node
// `npm start`: check the config, build when the sources are newer than the last build, then serve on PORT
// (default 3000). The database is created and migrated by the server itself at start (instrumentation.ts).
// The demo fleet listens on 127.0.0.1 only (HOST overrides it) and keeps its own database, data/demo.db.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { tsImport } from "tsx/esm/api";
import { ensureBuild } from "./ensure-build.mjs";

const root = path.resolve(import.meta.dirname, "..");
process.chdir(root);
const run = (cmd, args, opts = {}) => {
  const res = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...opts });
  if (res.status !== 0) process.exit(res.status ?? 1);
};

const port = process.env.PORT ?? "3000";
// A bad config or environment stops here with every problem by path, before a 35 s build.
const { preflightOrExit } = await tsImport("../server/config/preflight.ts", import.meta.url);
const plan = preflightOrExit(process.env, port);

ensureBuild();

// NEXT_MANUAL_SIG_HANDLE: the server's own handler (server/bootstrap.ts) stops the engine and hands its leases back before it exits.
const env = { ...process.env, NEXTAUTH_URL: plan.publicUrl, NEXT_TELEMETRY_DISABLED: "1", NEXT_MANUAL_SIG_HANDLE: "1" };
if (!process.env.FLIGHTDECK_DATABASE_URL) env.FLIGHTDECK_DB = plan.database;
for (const line of plan.banner) console.log(line);
const args = [path.join(root, "node_modules/next/dist/bin/next"), "start", "-p", port, ...(plan.host ? ["-H", plan.host] : [])];
run(process.execPath, args, { env });

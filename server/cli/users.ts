/**
 * `flightdeck users list|add|disable|enable`: user management run on the server, against the database of the
 * fleet config (like the server picks it: FLIGHTDECK_DB, else data/demo.db or data/flightdeck.db). The same
 * service verbs as the dashboard, audited as `cli:<os user>`. A password never goes on the command line:
 * `--password-stdin` reads it, otherwise a strong one is generated and printed once.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { userInfo } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { configuredDatabase, migrateStore, openStore, type Store } from "@/db/client";
import { cliOperator } from "@/server/actor";
import { databaseFile } from "@/server/config/database";
import { ConfigError, parseConfig, readConfigFile, resolveConfigPath } from "@/server/config/load";
import type { FleetConfig } from "@/server/config/schema";
import { realClock, type TimeSource } from "@/server/engine/clock";
import type { ServiceContext } from "@/server/services/context";
import { ERROR_KINDS, ServiceError } from "@/server/services/errors";
import { createLocalUser, listUsers, setUserDisabled } from "@/server/services/users";
import { paint, type CliIo } from "./io";
import { ArgumentError } from "./simulate-args";

export type UsersOptions = { readStdin?: () => Promise<string>; operator?: string; clock?: TimeSource };

export async function runUsers(argv: string[], io: CliIo, opts: UsersOptions = {}): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: "string" },
        json: { type: "boolean" },
        email: { type: "string" },
        name: { type: "string" },
        role: { type: "string", multiple: true },
        "password-stdin": { type: "boolean" },
      },
    });
  } catch (err) {
    throw new ArgumentError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const [verb, target, ...extra] = positionals;
  if (!verb || !["list", "add", "disable", "enable"].includes(verb))
    throw new ArgumentError(`expected users list, add, disable or enable, got "users ${positionals.join(" ")}"`);
  if (extra.length > 0 || (verb === "list" || verb === "add" ? target !== undefined : target === undefined)) {
    throw new ArgumentError(
      verb === "disable" || verb === "enable"
        ? `expected "users ${verb} <email or id>"`
        : `"users ${verb}" takes no other word, got "${[target, ...extra].filter(Boolean).join(" ")}"`,
    );
  }

  const opened = await openFleetDatabase(values.config, io);
  if (!opened) return 1;
  const { db, config } = opened;
  const ctx: ServiceContext = { db, config, actor: cliOperator(opts.operator ?? safeLogin(io)), clock: opts.clock ?? realClock };
  try {
    if (verb === "list") return await list(ctx, io, Boolean(values.json));
    if (verb === "add") {
      if (!values.email) throw new ArgumentError("--email: expected the new user's email address");
      if (!values.name) throw new ArgumentError("--name: expected the new user's name");
      const generated = !values["password-stdin"];
      const password = generated ? randomBytes(18).toString("base64url") : (await (opts.readStdin ?? readStdin)()).replace(/\r?\n$/, "");
      const roles = (values.role ?? ["viewer"])
        .flatMap((r) => r.split(","))
        .map((r) => r.trim())
        .filter(Boolean);
      const { userId } = await createLocalUser(ctx, { email: values.email, name: values.name, password, roles });
      if (values.json) io.out(JSON.stringify({ userId, email: values.email.toLowerCase(), roles, ...(generated ? { password } : {}) }, null, 2));
      else {
        io.out(`Added ${values.name} <${values.email.toLowerCase()}> as ${roles.join(", ")}.`);
        if (generated) io.out(`Password (shown once, hand it over in person): ${password}`);
      }
      return 0;
    }
    const user = await db.users.byIdOrEmail(target!);
    if (!user) {
      io.err(`flightdeck users: no user with the email or id ${JSON.stringify(target)}; see flightdeck users list`);
      return 1;
    }
    const result = await setUserDisabled(ctx, { userId: user.id, disabled: verb === "disable" });
    if (values.json) io.out(JSON.stringify(result, null, 2));
    else if (!result.changed) io.out(`${target} is already ${verb}d.`);
    else io.out(verb === "disable" ? `Disabled ${target}: ${result.sessionsEnded} session(s) ended, API tokens stopped.` : `Enabled ${target}.`);
    return 0;
  } catch (err) {
    if (!(err instanceof ServiceError)) throw err;
    io.err(`flightdeck users ${verb}: ${err.message}`);
    return ERROR_KINDS[err.code].exit;
  } finally {
    await db.close();
  }
}

async function list(ctx: ServiceContext, io: CliIo, json: boolean): Promise<number> {
  const all = await listUsers(ctx);
  if (json) {
    io.out(JSON.stringify(all, null, 2));
    return 0;
  }
  const when = (at: number | null) => (at === null ? "never" : new Date(at).toISOString().replace(/\.\d+Z$/, "Z"));
  for (const u of all) {
    const status = u.disabled ? paint(io, "red", "disabled") : u.demo ? paint(io, "grey", "demo") : paint(io, "green", "active");
    io.out(`${u.email.padEnd(32)} ${u.name.padEnd(20)} ${u.roles.join(",").padEnd(24)} ${status.padEnd(8)}  last sign-in ${when(u.lastSignInAt)}`);
  }
  io.out(`${all.length} user(s).`);
  return 0;
}

/** The fleet's database as the server would choose it; null (after saying why) when the config cannot be read. */
async function openFleetDatabase(configFlag: string | undefined, io: CliIo): Promise<{ db: Store; config: FleetConfig } | null> {
  let file: string;
  try {
    file = configFlag ? path.resolve(configFlag) : resolveConfigPath(io.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.err(`flightdeck users: ${err.problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
    return null;
  }
  if (!existsSync(file)) {
    io.err(`flightdeck users: no config file at ${file}; set FLIGHTDECK_CONFIG or use --config (it decides which database holds the users)`);
    return null;
  }
  const { config, problems } = parseConfig(readConfigFile(file), io.env, { requireEnv: false });
  if (!config) {
    io.err(`flightdeck users: ${file}: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
    return null;
  }
  // FLIGHTDECK_DATABASE_URL (PostgreSQL) when set, else the fleet's SQLite file.
  const db = await openStore(configuredDatabase({ ...io.env, FLIGHTDECK_DB: databaseFile(config, io.env) }));
  await migrateStore(db);
  return { db, config };
}

function safeLogin(io: CliIo): string {
  try {
    return userInfo().username;
  } catch {
    return io.env.USER ?? "unknown";
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

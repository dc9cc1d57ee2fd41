/**
 * The key that signs session cookies: NEXTAUTH_SECRET, else a random secret generated once and kept in
 * `auth-secret` next to the database file (mode 0600; `demo.auth-secret` for the demo's), so sign-ins survive a
 * restart without any setup. On PostgreSQL (several replicas) NEXTAUTH_SECRET is required: a secret kept by each
 * replica would make a cookie signed by one refused by the next.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { DEMO_DB_FILE } from "@/server/config/database";
import { serverEnv } from "@/server/config/env";
import type { Env } from "@/server/config/load";

export function authSecretFile(env: Env = serverEnv()): string {
  const dbFile = env.FLIGHTDECK_DB ?? path.join(process.cwd(), "data/flightdeck.db");
  // The demo's database (data/demo.db) keeps a secret of its own: no cookie signed for the demo is valid for a
  // real fleet whose database sits in the same folder.
  const name = path.basename(dbFile) === path.basename(DEMO_DB_FILE) ? "demo.auth-secret" : "auth-secret";
  // A path known only at run time: tell the bundler not to trace the whole project for it.
  return path.join(path.dirname(path.resolve(/* turbopackIgnore: true */ dbFile)), name);
}

/** Reads the kept secret, creating it on first use. `wx` makes concurrent first starts agree on one value. */
export function readOrCreateSecret(file: string): string {
  try {
    return readFileSync(file, "utf8").trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    writeFileSync(file, randomBytes(32).toString("base64url") + "\n", { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  return readFileSync(file, "utf8").trim();
}

const globalForSecret = globalThis as unknown as { flightdeckAuthSecret?: string };

export function authSecret(env: Env = serverEnv()): string {
  if (env.NEXTAUTH_SECRET) return env.NEXTAUTH_SECRET;
  if (env.FLIGHTDECK_DATABASE_URL)
    throw new Error(
      "NEXTAUTH_SECRET is not set, and FLIGHTDECK_DATABASE_URL is: replicas on one database must sign sessions with one key. Set NEXTAUTH_SECRET (openssl rand -base64 32) to the same value on every replica.",
    );
  globalForSecret.flightdeckAuthSecret ??= readOrCreateSecret(authSecretFile(env));
  return globalForSecret.flightdeckAuthSecret;
}

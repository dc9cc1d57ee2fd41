/**
 * Where and as whom to log in over SSH, from the config and the environment. The key comes from a variable
 * (PEM / OpenSSH text, or that text in base64) or from a file read at each connection, so a rotated key is
 * picked up without a restart. Nothing here is ever written to the database.
 */
import { readFileSync } from "node:fs";
import type { SshTarget } from "./ssh-exec";
import { ProviderError } from "./types";

export type SshAccessConfig = {
  userEnv: string;
  privateKeyEnv?: string;
  privateKeyPath?: string;
  hostKeySha256?: string;
  port: number;
};

export type Env = Record<string, string | undefined>;

export function requireEnv(provider: string, env: Env, name: string, what: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ProviderError(provider, `environment variable ${name} (${what}) is not set`);
  return value;
}

/** The private key text: an env var holding the key (or its base64), or a file. */
export function loadPrivateKey(
  provider: string,
  access: SshAccessConfig,
  env: Env,
  readFile: (path: string) => string = (p) => readFileSync(p, "utf8"),
): string {
  if (access.privateKeyEnv) {
    requireEnv(provider, env, access.privateKeyEnv, "the SSH private key");
    const raw = env[access.privateKeyEnv]!;
    if (raw.includes("-----BEGIN")) return raw.replace(/\\n/g, "\n");
    const decoded = Buffer.from(raw.trim(), "base64").toString("utf8");
    if (decoded.includes("-----BEGIN")) return decoded;
    throw new ProviderError(
      provider,
      `${access.privateKeyEnv} does not hold a private key (expected "-----BEGIN ... PRIVATE KEY-----" text or that text in base64)`,
    );
  }
  if (access.privateKeyPath) {
    try {
      return readFile(access.privateKeyPath);
    } catch (err) {
      throw new ProviderError(provider, `cannot read the SSH private key at ${access.privateKeyPath}: ${(err as Error).message}`);
    }
  }
  throw new ProviderError(provider, "no SSH private key configured: set privateKeyEnv or privateKeyPath");
}

export function sshTarget(
  provider: string,
  access: SshAccessConfig,
  host: string,
  env: Env,
  opts: { connectTimeoutMs: number; hostKeySha256?: string; hostKeySource: string; readFile?: (path: string) => string },
): SshTarget {
  return {
    host,
    port: access.port,
    username: requireEnv(provider, env, access.userEnv, "the SSH user"),
    privateKey: loadPrivateKey(provider, access, env, opts.readFile),
    hostKeySha256: opts.hostKeySha256 ?? access.hostKeySha256,
    hostKeySource: opts.hostKeySource,
    connectTimeoutMs: opts.connectTimeoutMs,
  };
}

/**
 * The one SSH helper every real provider uses: connect with a key and a checked host key, run a command with a
 * time limit, move files over SFTP, open a channel to a unix socket or port on the far side. Every failure is a
 * ProviderError in words an operator can act on (refused key, host key mismatch, unreachable, timed out).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Duplex } from "node:stream";
import ssh2 from "ssh2";
import type { ClientChannel, SFTPWrapper } from "ssh2";
import { abortError } from "@/server/engine/clock";
import { ProviderError } from "./types";

const { Client } = ssh2;

export type SshTarget = {
  host: string;
  port: number;
  username: string;
  privateKey: string | Buffer;
  /** `SHA256:<base64>` as `ssh-keygen -lf` prints it; without one the connection is refused. */
  hostKeySha256: string | undefined;
  /** Where the fingerprint comes from, for the message when it does not match. */
  hostKeySource?: string;
  connectTimeoutMs: number;
};

export type ExecResult = { code: number | null; signal: string | null; stdout: string; stderr: string; timedOut?: boolean };

/** `SHA256:<base64 without padding>` of a raw public key blob, as OpenSSH prints it. */
export function fingerprintOf(key: Buffer): string {
  return "SHA256:" + createHash("sha256").update(key).digest("base64").replace(/=+$/, "");
}

function sameFingerprint(a: string, b: string): boolean {
  const x = Buffer.from(a.replace(/=+$/, ""));
  const y = Buffer.from(b.replace(/=+$/, ""));
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The last lines of a command's stderr: enough to see why it failed, short enough for an event. */
export function tail(text: string, maxLines = 12, maxChars = 1200): string {
  const lines = text.trimEnd().split("\n");
  const kept = lines.slice(-maxLines).join("\n");
  return kept.length > maxChars ? "…" + kept.slice(-maxChars) : kept;
}

/** The error words for a failed connection; `offered` is the host key seen when it did not match. */
export function connectError(provider: string, target: SshTarget, err: Error & { level?: string; code?: string }, offered: string | null): ProviderError {
  const where = `${target.username}@${target.host}:${target.port}`;
  if (offered !== null) {
    if (!target.hostKeySha256) {
      return new ProviderError(
        provider,
        `refusing to log in to ${where}: no host key fingerprint is configured (${target.hostKeySource ?? "hostKeySha256"}); the host offers ${offered}: check it out of band and put it in the config`,
      );
    }
    return new ProviderError(
      provider,
      `host key mismatch for ${where}: the host offers ${offered}, the config (${target.hostKeySource ?? "hostKeySha256"}) expects ${target.hostKeySha256}; refusing to connect`,
    );
  }
  if (err.level === "client-authentication") {
    return new ProviderError(
      provider,
      `SSH login refused for ${where}: the private key was not accepted (check the user and the key in the host's authorized_keys)`,
    );
  }
  if (err.level === "client-timeout")
    return new ProviderError(provider, `SSH handshake with ${where} timed out after ${Math.round(target.connectTimeoutMs / 1000)} s`, true);
  const unreachable: Record<string, string> = {
    ECONNREFUSED: "connection refused",
    ETIMEDOUT: "connection timed out",
    EHOSTUNREACH: "host unreachable",
    ENETUNREACH: "network unreachable",
    ENOTFOUND: "host name not found",
    EAI_AGAIN: "host name lookup failed",
    ECONNRESET: "connection reset",
  };
  if (err.code && unreachable[err.code]) return new ProviderError(provider, `cannot reach ${where} over SSH: ${unreachable[err.code]}`, true);
  return new ProviderError(provider, `SSH connection to ${where} failed: ${err.message}`, true);
}

export class SshSession {
  private constructor(
    private readonly client: InstanceType<typeof Client>,
    readonly provider: string,
    readonly target: SshTarget,
  ) {}

  get where(): string {
    return `${this.target.username}@${this.target.host}:${this.target.port}`;
  }

  static connect(provider: string, target: SshTarget, signal?: AbortSignal): Promise<SshSession> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError());
      const client = new Client();
      let offered: string | null = null;
      let settled = false;
      const finish = (err: Error | null) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        if (err) {
          client.end();
          reject(err);
        } else resolve(new SshSession(client, provider, target));
      };
      const onAbort = () => finish(abortError());
      signal?.addEventListener("abort", onAbort, { once: true });
      client.on("ready", () => finish(null));
      client.on("error", (err) => finish(connectError(provider, target, err, offered)));
      client.on("close", () =>
        finish(new ProviderError(provider, `SSH connection to ${target.username}@${target.host}:${target.port} closed before login`, true)),
      );
      try {
        client.connect({
          host: target.host,
          port: target.port,
          username: target.username,
          privateKey: target.privateKey,
          readyTimeout: target.connectTimeoutMs,
          // Only the key: no agent, no password, no keyboard prompt.
          authHandler: ["publickey"],
          hostVerifier: (key: Buffer) => {
            const seen = fingerprintOf(key);
            if (target.hostKeySha256 && sameFingerprint(seen, target.hostKeySha256)) return true;
            offered = seen;
            return false;
          },
        });
      } catch (err) {
        // ssh2 throws at once for a key it cannot parse.
        finish(new ProviderError(provider, `the SSH private key cannot be used: ${(err as Error).message}`));
      }
    });
  }

  /**
   * Run one command; resolves with its exit code and output (never throws on a non-zero exit). Past the time
   * limit it throws, or with `resolveOnTimeout` resolves with `timedOut` and the output so far.
   */
  exec(
    command: string,
    opts: { timeoutMs: number; stdin?: string | Buffer; signal?: AbortSignal; what?: string; resolveOnTimeout?: boolean },
  ): Promise<ExecResult> {
    const what = opts.what ?? "command";
    return new Promise((resolve, reject) => {
      if (opts.signal?.aborted) return reject(abortError());
      let channel: ClientChannel | null = null;
      let settled = false;
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      const done = (err: Error | null, result?: ExecResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        opts.signal?.removeEventListener("abort", onAbort);
        if (err) {
          channel?.close();
          reject(err);
        } else resolve(result!);
      };
      const timer = setTimeout(() => {
        if (opts.resolveOnTimeout) {
          channel?.close();
          return done(null, {
            code: null,
            signal: null,
            stdout: Buffer.concat(stdout).toString("utf8"),
            stderr: Buffer.concat(stderr).toString("utf8"),
            timedOut: true,
          });
        }
        const err = stderr.length ? `; stderr: ${tail(Buffer.concat(stderr).toString("utf8"))}` : "";
        done(new ProviderError(this.provider, `${what} on ${this.where} timed out after ${Math.round(opts.timeoutMs / 1000)} s${err}`, true));
      }, opts.timeoutMs);
      const onAbort = () => done(abortError());
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      this.client.exec(command, (err, stream) => {
        if (err) return done(new ProviderError(this.provider, `cannot start ${what} on ${this.where}: ${err.message}`, true));
        channel = stream;
        let code: number | null = null;
        let sig: string | null = null;
        stream.on("exit", (c: number | null, s?: string) => {
          code = c;
          sig = s ?? null;
        });
        stream.on("data", (d: Buffer) => stdout.push(d));
        stream.stderr.on("data", (d: Buffer) => stderr.push(d));
        stream.on("close", () =>
          done(null, { code, signal: sig, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") }),
        );
        if (opts.stdin !== undefined) stream.end(opts.stdin);
        else stream.end();
      });
    });
  }

  /** Run one command and throw a ProviderError naming it, with its stderr tail, when it exits non-zero. */
  async run(command: string, opts: { timeoutMs: number; stdin?: string | Buffer; signal?: AbortSignal; what: string }): Promise<ExecResult> {
    const result = await this.exec(command, opts);
    if (result.code !== 0) throw new ProviderError(this.provider, exitMessage(opts.what, this.where, result));
    return result;
  }

  private sftp(): Promise<SFTPWrapper> {
    return new Promise((resolve, reject) =>
      this.client.sftp((err, sftp) =>
        err ? reject(new ProviderError(this.provider, `SFTP is not available on ${this.where}: ${err.message}`, true)) : resolve(sftp),
      ),
    );
  }

  /** Write a file on the host over SFTP (created or replaced). */
  async writeFile(remotePath: string, data: string | Buffer): Promise<void> {
    const sftp = await this.sftp();
    try {
      await new Promise<void>((resolve, reject) =>
        sftp.writeFile(remotePath, data, (err) =>
          err ? reject(new ProviderError(this.provider, `cannot write ${remotePath} on ${this.where}: ${err.message}`)) : resolve(),
        ),
      );
    } finally {
      sftp.end();
    }
  }

  /** A file's content on the host, or null when there is none. */
  async readFile(remotePath: string): Promise<Buffer | null> {
    const sftp = await this.sftp();
    try {
      return await new Promise<Buffer | null>((resolve, reject) =>
        sftp.readFile(remotePath, (err: (Error & { code?: number }) | null | undefined, data: Buffer) => {
          if (!err) return resolve(data);
          // SFTP status 2 is "no such file".
          if (err.code === 2) return resolve(null);
          reject(new ProviderError(this.provider, `cannot read ${remotePath} on ${this.where}: ${err.message}`));
        }),
      );
    } finally {
      sftp.end();
    }
  }

  /** Copy a local file to the host over SFTP. */
  async upload(localPath: string, remotePath: string): Promise<void> {
    const sftp = await this.sftp();
    try {
      await new Promise<void>((resolve, reject) =>
        sftp.fastPut(localPath, remotePath, (err) =>
          err ? reject(new ProviderError(this.provider, `cannot upload to ${remotePath} on ${this.where}: ${err.message}`, true)) : resolve(),
        ),
      );
    } finally {
      sftp.end();
    }
  }

  /** A byte stream to a unix socket (`/path`) or `host:port` as seen from the far host. */
  openStream(address: string): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const fail = (err: Error) => reject(new ProviderError(this.provider, `cannot open ${address} through SSH on ${this.where}: ${err.message}`, true));
      if (address.startsWith("/")) {
        this.client.openssh_forwardOutStreamLocal(address, (err, stream) => (err ? fail(err) : resolve(stream)));
        return;
      }
      const { host, port } = splitHostPort(address);
      this.client.forwardOut("127.0.0.1", 0, host, port, (err, stream) => (err ? fail(err) : resolve(stream)));
    });
  }

  close(): void {
    this.client.end();
  }
}

export function exitMessage(what: string, where: string, result: ExecResult): string {
  const how =
    result.code !== null
      ? `exited with code ${result.code}`
      : result.signal
        ? `was killed by ${result.signal}`
        : "ended without an exit status (connection lost?)";
  const err = tail(result.stderr) || tail(result.stdout) || "(no output)";
  return `${what} on ${where} ${how}: ${err}`;
}

/** `host:port` or `[v6]:port`. */
export function splitHostPort(address: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(address.trim());
  if (!m) throw new ProviderError("config", `expected host:port, got ${JSON.stringify(address)}`);
  return { host: m[1], port: Number(m[2]) };
}

/** Connect, run `fn`, always disconnect. */
export async function withSsh<T>(provider: string, target: SshTarget, fn: (session: SshSession) => Promise<T>, signal?: AbortSignal): Promise<T> {
  const session = await SshSession.connect(provider, target, signal);
  try {
    return await fn(session);
  } finally {
    session.close();
  }
}

/** POSIX shell single-quoting: safe for any text. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Talking to HAProxy's runtime API: one command per connection (HAProxy answers and closes), over a unix
 * socket, a TCP address, or a channel opened through SSH on the load balancer host to its stats socket.
 */
import net from "node:net";
import type { Duplex } from "node:stream";
import { abortError } from "@/server/engine/clock";
import { SshSession, splitHostPort, type SshTarget } from "../ssh-exec";
import { ProviderError } from "../types";

const PROVIDER = "traffic-haproxy";

export type RuntimeApiAddress = { kind: "unix"; path: string } | { kind: "tcp"; host: string; port: number } | { kind: "ssh"; ssh: SshTarget; remote: string };

/** A configured socket: `/run/haproxy/admin.sock`, `127.0.0.1:9999` (or `ipv4@...` as HAProxy writes it). */
export function parseSocketAddress(socket: string): RuntimeApiAddress {
  const value = socket.trim().replace(/^(unix|ipv4|ipv6)@/, "");
  if (value.startsWith("/")) return { kind: "unix", path: value };
  const { host, port } = splitHostPort(value);
  return { kind: "tcp", host, port };
}

export function describeAddress(address: RuntimeApiAddress): string {
  if (address.kind === "unix") return address.path;
  if (address.kind === "tcp") return `${address.host}:${address.port}`;
  return `${address.remote} on ${address.ssh.host} (over SSH)`;
}

export type Send = (command: string) => Promise<string>;

/** Open what is needed (an SSH session for `ssh`), hand out `send`, close it all afterwards. `provider` names who asks in errors. */
export async function withRuntimeApi<T>(
  address: RuntimeApiAddress,
  timeoutMs: number,
  fn: (send: Send) => Promise<T>,
  signal?: AbortSignal,
  provider = PROVIDER,
): Promise<T> {
  const where = describeAddress(address);
  if (address.kind === "ssh") {
    const session = await SshSession.connect(provider, address.ssh, signal);
    try {
      return await fn((command) => exchange(() => session.openStream(address.remote), command, where, timeoutMs, signal, provider));
    } finally {
      session.close();
    }
  }
  const open = () => connectLocal(address, where, provider);
  return fn((command) => exchange(open, command, where, timeoutMs, signal, provider));
}

function connectLocal(address: Exclude<RuntimeApiAddress, { kind: "ssh" }>, where: string, provider: string): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const socket = address.kind === "unix" ? net.connect({ path: address.path }) : net.connect({ host: address.host, port: address.port });
    socket.once("connect", () => {
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", (err: NodeJS.ErrnoException) => {
      const why =
        err.code === "ECONNREFUSED"
          ? "connection refused"
          : err.code === "ENOENT"
            ? "no such socket"
            : err.code === "EACCES"
              ? "permission denied"
              : err.message;
      reject(new ProviderError(provider, `HAProxy's runtime API at ${where} cannot be reached: ${why} (is HAProxy down?)`, true));
    });
  });
}

/** Send one command line and read the answer until HAProxy closes the connection. */
async function exchange(
  open: () => Promise<Duplex>,
  command: string,
  where: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  provider: string,
): Promise<string> {
  if (/[\n;]/.test(command)) throw new ProviderError(provider, `refusing to send a runtime API command with a newline or ";": ${JSON.stringify(command)}`);
  if (signal?.aborted) throw abortError();
  const stream = await open();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const done = (err: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      stream.destroy();
      if (err) reject(err);
      else resolve(Buffer.concat(chunks).toString("utf8"));
    };
    const timer = setTimeout(
      () => done(new ProviderError(provider, `HAProxy's runtime API at ${where} did not answer "${command}" within ${timeoutMs} ms`, true)),
      timeoutMs,
    );
    const onAbort = () => done(abortError());
    signal?.addEventListener("abort", onAbort, { once: true });
    stream.on("data", (d: Buffer) => chunks.push(d));
    stream.on("end", () => done(null));
    stream.on("close", () => done(null));
    stream.on("error", (err: Error) => done(new ProviderError(provider, `HAProxy's runtime API at ${where} failed during "${command}": ${err.message}`, true)));
    stream.write(command + "\n");
  });
}

/**
 * A proxy on 127.0.0.1 (a TCP port or a unix socket) placed between Flightdeck and one of the lab's real servers,
 * with a fault that can be switched while it runs: it delays, drops (accepts, then never answers), cuts
 * (forwards the request, then resets the connection instead of answering), stalls after so many bytes, or goes
 * away altogether. The fault is taken by each connection when it opens, so clearing it lets the next
 * connection through while one already stalled stays stalled (as a hung peer would).
 */
import { rmSync } from "node:fs";
import net from "node:net";

export type ProxyFault =
  | { kind: "none" }
  /** Each new connection waits this long before it is connected through. */
  | { kind: "delay"; ms: number }
  /** Accepted and read, never answered nor closed. */
  | { kind: "drop" }
  /**
   * The request goes through; when the server answers, the client's connection is reset (a unix socket has no
   * reset: it is closed) and the answer lost. `match`: only connections whose first bytes match (others pass).
   * `then`: the fault after the first cut (none: a one-off reset; gone: the socket disappears mid-command).
   */
  | { kind: "cut"; match?: RegExp; then?: ProxyFault }
  /** Bytes pass both ways until `afterBytes` have passed in all; then nothing more, the connection held open. */
  | { kind: "stall"; afterBytes: number }
  /** Not listening: connections are refused (TCP) or find no socket (unix). */
  | { kind: "gone" };

export type ProxyEndpoint = { port: number } | { path: string };

export type FaultProxy = {
  /** Where clients connect: `127.0.0.1:<port>` or the socket's path. */
  address: string;
  port: number | null;
  path: string | null;
  setFault(fault: ProxyFault): Promise<void>;
  /** Connections accepted so far, and how many of them met the fault (delayed, dropped, cut or stalled). */
  stats(): { connections: number; faulted: number; bytes: number };
  stop(): Promise<void>;
};

/** Listen on `listen` (port 0: any free one) and forward to `target`, both on 127.0.0.1. */
export async function startFaultProxy(options: { listen: ProxyEndpoint; target: ProxyEndpoint }): Promise<FaultProxy> {
  let fault: ProxyFault = { kind: "none" };
  let connections = 0;
  let faulted = 0;
  let bytes = 0;
  let port: number | null = "port" in options.listen ? options.listen.port : null;
  const path = "path" in options.listen ? options.listen.path : null;
  const open = new Set<net.Socket>();

  const accept = (client: net.Socket) => {
    connections++;
    open.add(client);
    client.on("close", () => open.delete(client));
    client.on("error", () => undefined);
    handle(client, fault);
  };
  let server: net.Server | null = null;

  const connectTarget = () => {
    const upstream = "port" in options.target ? net.connect({ host: "127.0.0.1", port: options.target.port }) : net.connect({ path: options.target.path });
    open.add(upstream);
    upstream.on("close", () => open.delete(upstream));
    upstream.on("error", () => undefined);
    return upstream;
  };

  const handle = (client: net.Socket, f: ProxyFault) => {
    if (f.kind === "drop") {
      faulted++;
      client.resume(); // read and forget
      return;
    }
    if (f.kind === "delay") {
      faulted++;
      client.pause();
      setTimeout(() => !client.destroyed && pipe(client, { kind: "none" }), f.ms);
      return;
    }
    if (f.kind === "cut" && f.match) {
      const match = f.match;
      client.once("data", (first: Buffer) => {
        client.pause();
        client.unshift(first);
        pipe(client, match.test(first.toString("utf8")) ? { kind: "cut", then: f.then } : { kind: "none" });
      });
      return;
    }
    pipe(client, f);
  };

  const pipe = (client: net.Socket, f: ProxyFault) => {
    const upstream = connectTarget();
    const stallAt = f.kind === "stall" ? f.afterBytes : Infinity;
    let passed = 0;
    let stalled = false;
    const forward = (to: net.Socket) => (chunk: Buffer) => {
      if (stalled) return;
      bytes += chunk.length;
      if (passed + chunk.length >= stallAt) {
        stalled = true;
        faulted++;
        to.write(chunk.subarray(0, stallAt - passed));
        passed = stallAt;
        return;
      }
      passed += chunk.length;
      to.write(chunk);
    };
    client.on("data", forward(upstream));
    client.on("close", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.resume();
    if (f.kind === "cut") {
      // The server has acted on the request once it answers (or closes): the answer is what is lost.
      const cutNow = () => {
        if (client.destroyed) return;
        faulted++;
        cut(client);
        upstream.destroy();
        if (f.then) void setFault(f.then);
      };
      upstream.once("data", cutNow);
      upstream.once("end", cutNow);
      return;
    }
    upstream.on("data", forward(client));
    upstream.on("end", () => {
      if (stalled) return; // a stalled peer never says goodbye
      client.end();
    });
    client.on("end", () => !stalled && upstream.end());
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer(accept);
      s.once("error", reject);
      const ready = () => {
        s.off("error", reject);
        server = s;
        port = path ? port : (s.address() as net.AddressInfo).port;
        resolve();
      };
      if (path) {
        rmSync(path, { force: true });
        s.listen(path, ready);
      } else s.listen(port ?? 0, "127.0.0.1", ready);
    });
  // Stops listening at once; connections already open stay as they are.
  const close = () => {
    server?.close();
    server = null;
    if (path) rmSync(path, { force: true });
  };

  const setFault = async (next: ProxyFault) => {
    const was = fault;
    fault = next;
    if (next.kind === "gone" && was.kind !== "gone") close();
    if (next.kind !== "gone" && !server) await listen();
  };

  await listen();
  return {
    get address() {
      return path ?? `127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    path,
    setFault,
    stats: () => ({ connections, faulted, bytes }),
    stop: async () => {
      fault = { kind: "gone" };
      close();
      for (const s of open) s.destroy();
    },
  };
}

/** A TCP connection is reset (RST, the peer reads ECONNRESET); a unix socket can only be closed. */
function cut(socket: net.Socket) {
  if (typeof socket.resetAndDestroy === "function" && socket.remoteAddress) socket.resetAndDestroy();
  else socket.destroy();
}

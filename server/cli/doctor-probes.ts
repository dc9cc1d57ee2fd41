/** Network probes of `flightdeck doctor`: each answers within its timeout with what it saw, never throws. */
import { connect, type Socket } from "node:net";

export type ProbeResult = { ok: boolean; detail: string };

/** Connect (TCP host:port or a unix socket path), optionally send a line, and read the first bytes back. */
export function probeSocket(
  target: { host: string; port: number } | { path: string },
  opts: { send?: string; expect?: RegExp; timeoutMs?: number } = {},
): Promise<ProbeResult> {
  const where = "path" in target ? target.path : `${target.host}:${target.port}`;
  return new Promise((resolve) => {
    let received = "";
    let settled = false;
    const socket: Socket = connect(target as never);
    const done = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(opts.timeoutMs ?? 3000, () => done({ ok: false, detail: `${where}: no answer within ${(opts.timeoutMs ?? 3000) / 1000} s` }));
    socket.on("error", (err) => done({ ok: false, detail: `${where}: ${err.message}` }));
    socket.on("connect", () => {
      if (opts.send) socket.write(opts.send);
      if (!opts.expect) done({ ok: true, detail: `${where} accepts connections` });
    });
    socket.on("data", (chunk) => {
      received += chunk.toString("utf8");
      if (opts.expect?.test(received)) done({ ok: true, detail: `${where} answers: ${received.split("\n")[0].trim().slice(0, 60)}` });
    });
    socket.on("end", () =>
      done({ ok: false, detail: `${where} closed the connection${received ? ` after ${JSON.stringify(received.slice(0, 60))}` : " without answering"}` }),
    );
  });
}

/** An SSH server sends its banner first: reading "SSH-2.0-..." proves it is sshd, without logging in. */
export const probeSsh = (host: string, port: number) => probeSocket({ host, port }, { expect: /^SSH-2\.0-/ });

export async function probeHttp(url: string, expectStatus = 200, timeoutMs = 3000): Promise<ProbeResult> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.status === expectStatus
      ? { ok: true, detail: `${url} answers ${res.status}` }
      : { ok: false, detail: `${url} answers ${res.status}, expected ${expectStatus}` };
  } catch (err) {
    return { ok: false, detail: `${url}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}` };
  }
}

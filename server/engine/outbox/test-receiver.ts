/** A webhook receiver on 127.0.0.1 for the sender's tests: each request gets the next scripted answer. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export type Scripted = { status: number; body?: string; headers?: Record<string, string>; delayMs?: number };
export type Received = { path: string; headers: Record<string, string | string[] | undefined>; body: unknown };

export async function startReceiver(script: Scripted[], fallback: Scripted = { status: 200, body: "ok" }) {
  const received: Received[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    received.push({ path: req.url ?? "/", headers: req.headers, body: text ? JSON.parse(text) : null });
    const answer = script.shift() ?? fallback;
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    if (res.destroyed) return;
    res.writeHead(answer.status, { "content-type": "text/plain", ...answer.headers });
    res.end(answer.body ?? "");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook/secret-path`,
    received,
    // Idle keep-alive connections would hold close() for seconds.
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * A small HTTP front on 127.0.0.1 for the lab's real Prometheus, with a switchable fault: every API call is
 * passed through, or answered with HTTP 500, with garbage, with NaN, with an empty result, or very late. The
 * faulty answers are what a real Prometheus (or a proxy before one) sends when it is overloaded, half-upgraded,
 * or has no data: Flightdeck points its metrics provider here instead of at Prometheus.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type PrometheusFault = "none" | "http-500" | "garbage" | "nan" | "empty" | { lateMs: number };

export type PrometheusFront = {
  url: string;
  setFault(fault: PrometheusFault): void;
  /** API calls received, and how many of them met a fault. */
  stats(): { requests: number; faulted: number };
  stop(): Promise<void>;
};

export async function startPrometheusFront(options: { prometheusUrl: string }): Promise<PrometheusFront> {
  let fault: PrometheusFault = "none";
  let requests = 0;
  let faulted = 0;
  const upstream = options.prometheusUrl.replace(/\/+$/, "");

  const server = createServer(async (req, res) => {
    requests++;
    const body = await readBody(req);
    const f = fault;
    if (f !== "none") faulted++;
    try {
      if (typeof f === "object") await new Promise((r) => setTimeout(r, f.lateMs));
      if (res.destroyed) return;
      if (f === "http-500") return send(res, 500, "text/plain", "internal server error\n");
      if (f === "garbage") return send(res, 200, "application/json", '{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[17');
      const isRange = (req.url ?? "").includes("query_range");
      const now = Date.now() / 1000;
      if (f === "empty") return sendJson(res, { status: "success", data: { resultType: isRange ? "matrix" : "vector", result: [] } });
      if (f === "nan")
        return sendJson(res, {
          status: "success",
          data: isRange
            ? { resultType: "matrix", result: [{ metric: {}, values: [[now, "NaN"]] }] }
            : { resultType: "vector", result: [{ metric: {}, value: [now, "NaN"] }] },
        });
      const answer = await fetch(`${upstream}${req.url ?? "/"}`, {
        method: req.method,
        headers: { "content-type": req.headers["content-type"] ?? "application/x-www-form-urlencoded" },
        body: req.method === "GET" || req.method === "HEAD" ? undefined : body.toString("utf8"),
      });
      send(res, answer.status, answer.headers.get("content-type") ?? "application/json", Buffer.from(await answer.arrayBuffer()));
    } catch (err) {
      if (!res.destroyed) send(res, 502, "text/plain", `the Prometheus front could not reach ${upstream}: ${(err as Error).message}\n`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setFault: (next) => void (fault = next),
    stats: () => ({ requests, faulted }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer) {
  res.writeHead(status, { "content-type": type });
  res.end(body);
}

const sendJson = (res: ServerResponse, body: unknown) => send(res, 200, "application/json", JSON.stringify(body));

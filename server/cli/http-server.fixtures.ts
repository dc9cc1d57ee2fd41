/**
 * For the CLI tests: a real HTTP server on 127.0.0.1 that hands each request to the same App Router route
 * handler functions Next.js runs (`next start` is too heavy for a unit test), so the CLI goes over real sockets.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { CliIo } from "./io";
import { POST as regionAction } from "@/app/api/v1/rollouts/[id]/regions/[region]/[action]/route";
import { GET as getRollout } from "@/app/api/v1/rollouts/[id]/route";
import { GET as listRollouts, POST as startRollout } from "@/app/api/v1/rollouts/route";
import { POST as rollback } from "@/app/api/v1/regions/[region]/rollback/route";
import { POST as backtest } from "@/app/api/v1/regions/[region]/backtest/route";
import { POST as rollbackService } from "@/app/api/v1/services/[id]/rollback/route";
import { POST as ciWebhook } from "@/app/api/webhooks/ci/route";
import { DELETE as liftFreeze, GET as freezeStatus, POST as declareFreeze } from "@/app/api/v1/freeze/route";
import { GET as listQuarantines } from "@/app/api/v1/quarantines/route";
import { DELETE as liftQuarantine } from "@/app/api/v1/quarantines/[id]/route";
import { POST as acknowledgeIncident } from "@/app/api/v1/rollouts/[id]/incidents/acknowledge/route";
import { POST as resolveIncident } from "@/app/api/v1/rollouts/[id]/incidents/resolve/route";

type Handler = (request: Request, route: { params: Promise<Record<string, string>> }) => Promise<Response>;
const ROUTES: Array<{ method: string; pattern: RegExp; names: string[]; handler: Handler }> = [
  { method: "POST", pattern: /^\/api\/webhooks\/ci$/, names: [], handler: (r) => ciWebhook(r) },
  { method: "GET", pattern: /^\/api\/v1\/rollouts$/, names: [], handler: listRollouts as Handler },
  { method: "POST", pattern: /^\/api\/v1\/rollouts$/, names: [], handler: startRollout as Handler },
  { method: "GET", pattern: /^\/api\/v1\/rollouts\/([^/]+)$/, names: ["id"], handler: getRollout as unknown as Handler },
  {
    method: "POST",
    pattern: /^\/api\/v1\/rollouts\/([^/]+)\/regions\/([^/]+)\/([^/]+)$/,
    names: ["id", "region", "action"],
    handler: regionAction as unknown as Handler,
  },
  { method: "POST", pattern: /^\/api\/v1\/regions\/([^/]+)\/rollback$/, names: ["region"], handler: rollback as unknown as Handler },
  { method: "POST", pattern: /^\/api\/v1\/regions\/([^/]+)\/backtest$/, names: ["region"], handler: backtest as unknown as Handler },
  { method: "POST", pattern: /^\/api\/v1\/services\/([^/]+)\/rollback$/, names: ["id"], handler: rollbackService as unknown as Handler },
  { method: "GET", pattern: /^\/api\/v1\/freeze$/, names: [], handler: freezeStatus as Handler },
  { method: "POST", pattern: /^\/api\/v1\/freeze$/, names: [], handler: declareFreeze as Handler },
  { method: "DELETE", pattern: /^\/api\/v1\/freeze$/, names: [], handler: liftFreeze as Handler },
  { method: "GET", pattern: /^\/api\/v1\/quarantines$/, names: [], handler: listQuarantines as Handler },
  { method: "DELETE", pattern: /^\/api\/v1\/quarantines\/([^/]+)$/, names: ["id"], handler: liftQuarantine as unknown as Handler },
  { method: "POST", pattern: /^\/api\/v1\/rollouts\/([^/]+)\/incidents\/acknowledge$/, names: ["id"], handler: acknowledgeIncident as unknown as Handler },
  { method: "POST", pattern: /^\/api\/v1\/rollouts\/([^/]+)\/incidents\/resolve$/, names: ["id"], handler: resolveIncident as unknown as Handler },
];

async function toRequest(req: IncomingMessage, base: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
  // As Next's server does: the socket's address when no proxy set X-Forwarded-For.
  if (!headers.has("x-forwarded-for")) headers.set("x-forwarded-for", req.socket.remoteAddress ?? "unknown");
  return new Request(new URL(req.url ?? "/", base), { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
}

export async function startRouteServer(): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const server = createServer(async (req, res) => {
    const pathname = new URL(req.url ?? "/", "http://x").pathname;
    const route = ROUTES.find((r) => r.method === req.method && r.pattern.test(pathname));
    const response = route
      ? await route.handler(await toRequest(req, "http://127.0.0.1"), {
          params: Promise.resolve(Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(pathname.match(route.pattern)![i + 1])]))),
        })
      : Response.json({ error: `no route ${req.method} ${pathname}` }, { status: 404 });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, server, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A CLI's io against `url` with `token`, collecting what it prints (out and err together) in `lines`. */
export function cliAgainst(url: string, token: string): { io: CliIo; lines: string[] } {
  const lines: string[] = [];
  const io: CliIo = {
    out: (l) => lines.push(l),
    err: (l) => lines.push(l),
    env: { FLIGHTDECK_URL: url, FLIGHTDECK_TOKEN: token },
    tty: false,
    sleep: async () => {},
  };
  return { io, lines };
}

/**
 * A stand-in for Grafana's annotation API on 127.0.0.1, for tests: it checks what Grafana checks (the bearer
 * token, JSON, time and timeEnd in ms, tags as an array of strings, text) and answers like Grafana
 * ({ id, message }), refusing anything else with Grafana's 4xx.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export const FAKE_GRAFANA_TOKEN = "glsa_test_token";
export type GrafanaCall = { method: string; path: string; headers: IncomingHttpHeaders; body: Record<string, unknown> };

export async function startFakeGrafana() {
  const calls: GrafanaCall[] = [];
  let nextId = 100;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
    calls.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body });
    const answer = (status: number, json: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(json));
    };
    if (req.headers.authorization !== `Bearer ${FAKE_GRAFANA_TOKEN}`) return answer(401, { message: "Unauthorized" });
    if (req.headers["content-type"] !== "application/json") return answer(415, { message: "Unsupported Media Type" });
    const isMs = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v > 1e12;
    if (req.method === "POST" && req.url === "/api/annotations") {
      const tagsOk = Array.isArray(body.tags) && body.tags.every((t) => typeof t === "string");
      if (!isMs(body.time) || !tagsOk || typeof body.text !== "string" || (body.timeEnd !== undefined && !isMs(body.timeEnd)))
        return answer(400, { message: "bad annotation" });
      return answer(200, { id: nextId++, message: "Annotation added" });
    }
    if (req.method === "PATCH" && /^\/api\/annotations\/\d+$/.test(req.url ?? "")) {
      if (!isMs(body.timeEnd)) return answer(400, { message: "bad patch" });
      return answer(200, { message: "Annotation patched" });
    }
    answer(404, { message: "Not found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export type FakeGrafana = Awaited<ReturnType<typeof startFakeGrafana>>;

/** The value of a `key:value` tag of an annotation request. */
export const tagOf = (call: GrafanaCall, key: string) => (call.body.tags as string[]).find((t) => t.startsWith(`${key}:`))?.slice(key.length + 1);

/**
 * A local stand-in for Cloudflare's v4 API, for tests (no Cloudflare can be reached from here). It checks each
 * request as Cloudflare documents it (bearer token, paths, methods, JSON bodies, field rules) and answers with
 * Cloudflare's `{ success, errors, messages, result }` envelope, errors included. Error codes are Cloudflare's
 * where its docs give them (9106, 6003/6111, 10000, 6007, 7000, 7003, 81044, 9005); the load balancer
 * validation codes are our approximation. Every request is recorded for assertions.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { CloudflareError, DnsRecord, LoadBalancer } from "./payloads";

export type RecordedRequest = { method: string; path: string; authorization: string | undefined; body: unknown };

export type FakeCloudflare = {
  /** Base URL to configure as `apiBaseUrl` (ends in /client/v4). */
  url: string;
  token: string;
  zoneId: string;
  records: Map<string, DnsRecord>;
  loadBalancers: Map<string, LoadBalancer>;
  requests: RecordedRequest[];
  /** The next request gets this status and these errors instead of its answer. */
  failNext(status: number, errors?: CloudflareError[]): void;
  close(): Promise<void>;
};

type Answer = { status: number; body: object };

const ok = (result: unknown, status = 200): Answer => ({ status, body: { success: true, errors: [], messages: [], result } });
const fail = (status: number, ...errors: Array<CloudflareError & { error_chain?: CloudflareError[] }>): Answer => ({
  status,
  body: { success: false, errors, messages: [], result: null },
});

const DNS_FIELDS = new Set(["type", "name", "content", "ttl", "proxied", "comment", "tags", "priority", "data", "settings"]);
const LB_FIELDS = new Set([
  "description",
  "enabled",
  "ttl",
  "fallback_pool",
  "default_pools",
  "proxied",
  "steering_policy",
  "random_steering",
  "session_affinity",
  "name",
  "adaptive_routing",
  "location_strategy",
]);
const STEERING = new Set(["off", "geo", "random", "dynamic_latency", "proximity", "least_outstanding_requests", "least_connections", ""]);
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

const isTenth = (n: unknown) => typeof n === "number" && n >= 0 && n <= 1 && Math.abs(n * 10 - Math.round(n * 10)) < 1e-9;

export async function startFakeCloudflare(setup: {
  token: string;
  zoneId: string;
  records?: DnsRecord[];
  loadBalancers?: LoadBalancer[];
}): Promise<FakeCloudflare> {
  const records = new Map((setup.records ?? []).map((r) => [r.id, structuredClone(r)]));
  const loadBalancers = new Map((setup.loadBalancers ?? []).map((lb) => [lb.id, structuredClone(lb)]));
  const requests: RecordedRequest[] = [];
  let injected: Answer | null = null;

  const authorise = (header: string | undefined): Answer | null => {
    if (!header) return fail(400, { code: 9106, message: "Missing X-Auth-Key, X-Auth-Email or Authorization headers" });
    const m = /^Bearer (\S+)$/.exec(header);
    if (!m)
      return fail(400, { code: 6003, message: "Invalid request headers", error_chain: [{ code: 6111, message: "Invalid format for Authorization header" }] });
    if (m[1] !== setup.token) return fail(403, { code: 10000, message: "Authentication error" });
    return null;
  };

  const patchRecord = (record: DnsRecord, body: Record<string, unknown>): Answer => {
    for (const key of Object.keys(body)) if (!DNS_FIELDS.has(key)) return fail(400, { code: 1004, message: `DNS Validation Error: unknown field ${key}` });
    const next = { ...record, ...body } as DnsRecord;
    if (typeof next.content !== "string") return fail(400, { code: 1004, message: "DNS Validation Error: content must be a string" });
    if (next.type === "A" && !IPV4.test(next.content)) return fail(400, { code: 9005, message: "Content for A record must be a valid IPv4 address." });
    if (body.ttl !== undefined && !(body.ttl === 1 || (typeof body.ttl === "number" && body.ttl >= 60 && body.ttl <= 86400))) {
      return fail(400, { code: 1004, message: "DNS Validation Error: ttl must be 1 (automatic) or between 60 and 86400" });
    }
    if (body.proxied !== undefined && typeof body.proxied !== "boolean")
      return fail(400, { code: 1004, message: "DNS Validation Error: proxied must be a boolean" });
    Object.assign(record, next, { modified_on: new Date().toISOString() });
    return ok(record);
  };

  const patchLoadBalancer = (lb: LoadBalancer, body: Record<string, unknown>): Answer => {
    for (const key of Object.keys(body)) if (!LB_FIELDS.has(key)) return fail(400, { code: 1002, message: `unknown field ${key}` });
    if (body.steering_policy !== undefined && !STEERING.has(body.steering_policy as string))
      return fail(400, { code: 1002, message: `steering_policy must be one of ${[...STEERING].join(", ")}` });
    const rs = body.random_steering as Record<string, unknown> | undefined;
    if (rs !== undefined) {
      if (!rs || typeof rs !== "object") return fail(400, { code: 1002, message: "random_steering must be an object" });
      for (const key of Object.keys(rs))
        if (key !== "default_weight" && key !== "pool_weights") return fail(400, { code: 1002, message: `random_steering has no field ${key}` });
      if (rs.default_weight !== undefined && !isTenth(rs.default_weight))
        return fail(400, { code: 1002, message: "random_steering.default_weight must be from 0 to 1 in steps of 0.1" });
      const weights = (rs.pool_weights ?? {}) as Record<string, unknown>;
      const known = new Set([...lb.default_pools, lb.fallback_pool]);
      for (const [pool, weight] of Object.entries(weights)) {
        if (!known.has(pool)) return fail(400, { code: 1002, message: `pool ${pool} is not a pool of this load balancer` });
        if (!isTenth(weight))
          return fail(400, { code: 1002, message: `weight ${JSON.stringify(weight)} for pool ${pool} must be from 0 to 1 in steps of 0.1` });
      }
    }
    Object.assign(lb, body, { modified_on: new Date().toISOString() });
    return ok(lb);
  };

  const route = (method: string, path: string, body: unknown): Answer => {
    const m = /^\/client\/v4\/zones\/([^/]+)\/(dns_records|load_balancers)\/([^/]+)$/.exec(path);
    if (!m) return fail(404, { code: 7000, message: "No route for that URI" });
    const [, zone, kind, id] = m;
    if (zone !== setup.zoneId)
      return fail(400, { code: 7003, message: `Could not route to ${path.replace("/client/v4", "")}, perhaps your object identifier is invalid?` });
    if (method !== "GET" && method !== "PATCH") return fail(405, { code: 10000, message: `Method ${method} not allowed for this route` });
    const item = kind === "dns_records" ? records.get(id) : loadBalancers.get(id);
    if (!item)
      return kind === "dns_records"
        ? fail(404, { code: 81044, message: "Record does not exist." })
        : fail(404, { code: 1002, message: "Load balancer not found" });
    if (method === "GET") return ok(item);
    if (!body || typeof body !== "object" || Array.isArray(body)) return fail(400, { code: 6007, message: "Malformed JSON in request body" });
    return kind === "dns_records"
      ? patchRecord(item as DnsRecord, body as Record<string, unknown>)
      : patchLoadBalancer(item as LoadBalancer, body as Record<string, unknown>);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: unknown = undefined;
      let malformed = false;
      if (raw) {
        try {
          body = JSON.parse(raw);
        } catch {
          malformed = true;
        }
      }
      const path = (req.url ?? "/").split("?")[0];
      requests.push({ method: req.method ?? "", path, authorization: req.headers.authorization, body: malformed ? raw : body });
      let answer: Answer | null = injected;
      injected = null;
      answer ??= authorise(req.headers.authorization);
      if (!answer && req.method === "PATCH" && !(req.headers["content-type"] ?? "").startsWith("application/json"))
        answer = fail(400, { code: 6003, message: "Invalid request headers" });
      if (!answer && malformed) answer = fail(400, { code: 6007, message: "Malformed JSON in request body" });
      answer ??= route(req.method ?? "", path, body);
      res.writeHead(answer.status, { "content-type": "application/json" });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/client/v4`,
    token: setup.token,
    zoneId: setup.zoneId,
    records,
    loadBalancers,
    requests,
    failNext(status, errors = [{ code: 10001, message: "Internal server error" }]) {
      injected = fail(status, ...errors);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Cloudflare traffic against a local stand-in that checks every request as Cloudflare documents it: a DNS
 * record switch for plain blue/green, pool weights of a load balancer for canary stages, and Cloudflare's
 * refusals (token, unknown record, invalid content, rate limit, outage) in words an operator can act on.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RegionConfig } from "@/server/config/schema";
import { createTrafficProvider } from "../real";
import { freePorts } from "../test-support";
import { ProviderError, type TrafficProvider } from "../types";
import { startFakeCloudflare, type FakeCloudflare } from "./fake-cloudflare";

const ZONE = "023e105f4ecef8ad9ca31a8372d0c353";
const RECORD = "372e67954025e0ba6aaa6d586b9e0b59";
const LB = "699d98642c564d2e855e9661899b7252";
const POOLS = { blue: "17b5962d775c646f3f9725cbc7a53df4", green: "9290f38c5d07c2e2f4df57b1f61d4196" };
const TOKEN = "Sn3lZJTBX6kkg7OdcBUAxOO963GEIyGQqnFTOFYY";
const HOSTS = { blue: "203.0.113.10", green: "203.0.113.20" };

let cf: FakeCloudflare;

beforeEach(async () => {
  cf = await startFakeCloudflare({
    token: TOKEN,
    zoneId: ZONE,
    records: [{ id: RECORD, type: "A", name: "api.example.com", content: HOSTS.blue, ttl: 60, proxied: false }],
    loadBalancers: [{ id: LB, name: "api.example.com", default_pools: [POOLS.blue, POOLS.green], fallback_pool: POOLS.blue, steering_policy: "off" }],
  });
});

afterEach(async () => cf.close());

function provider(opts: { mode?: "dns" | "load-balancer"; env?: Record<string, string>; greenHost?: string; baseUrl?: string } = {}): TrafficProvider {
  const region = RegionConfig.parse({
    id: "apac-se",
    name: "APAC",
    environment: "production-apac-se",
    order: 1,
    targets: { blue: { hostEnv: "DROPLET_IP_BLUE" }, green: { host: opts.greenHost ?? HOSTS.green } },
    traffic: { provider: "cloudflare", mode: opts.mode ?? "dns", apiBaseUrl: opts.baseUrl ?? cf.url, poolIds: POOLS, loadBalancerId: LB },
  });
  const env = { CF_ZONE_ID: ZONE, CF_API_TOKEN: TOKEN, CF_RECORD_ID_API: RECORD, DROPLET_IP_BLUE: HOSTS.blue, ...opts.env };
  return createTrafficProvider(region, env)!;
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

const dnsPath = `/client/v4/zones/${ZONE}/dns_records/${RECORD}`;
const lbPath = `/client/v4/zones/${ZONE}/load_balancers/${LB}`;

describe("Cloudflare DNS switch (plain blue/green)", () => {
  it("points the record at green's host with a PATCH, reads it back, and reports green 100 %", async () => {
    expect(await provider().setWeight({ region: "apac-se", colour: "green", canaryPct: 100 })).toEqual({ blue: 0, green: 100 });
    expect(cf.requests).toEqual([
      { method: "PATCH", path: dnsPath, authorization: `Bearer ${TOKEN}`, body: { content: HOSTS.green } },
      { method: "GET", path: dnsPath, authorization: `Bearer ${TOKEN}`, body: undefined },
    ]);
    expect(cf.records.get(RECORD)).toMatchObject({ content: HOSTS.green, ttl: 60, proxied: false, name: "api.example.com" });
    expect(await provider().getWeight({ region: "apac-se" })).toEqual({ blue: 0, green: 100 });
  });

  it("a rollback points it back at blue", async () => {
    await provider().setWeight({ region: "apac-se", colour: "green", canaryPct: 100 });
    expect(await provider().setWeight({ region: "apac-se", colour: "green", canaryPct: 0 })).toEqual({ blue: 100, green: 0 });
    expect(cf.records.get(RECORD)?.content).toBe(HOSTS.blue);
  });

  it("a canary percent is refused before anything is sent", async () => {
    const err = await failure(provider().setWeight({ region: "apac-se", colour: "green", canaryPct: 10 }));
    expect(err.message).toContain("a DNS record switch sends all traffic to one colour: 10 % to green cannot be set");
    expect(cf.requests).toEqual([]);
  });

  it.each([
    [
      "a wrong token",
      { env: { CF_API_TOKEN: "not-the-token" } },
      "Cloudflare refused PATCH /zones/" + ZONE + "/dns_records/" + RECORD + " (HTTP 403): 10000 Authentication error",
      false,
    ],
    ["an unknown record", { env: { CF_RECORD_ID_API: "ffffffffffffffffffffffffffffffff" } }, "(HTTP 404): 81044 Record does not exist.", false],
    [
      "an unknown zone",
      { env: { CF_ZONE_ID: "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee" } },
      "(HTTP 400): 7003 Could not route to /zones/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee/dns_records/",
      false,
    ],
    [
      "a host that is no IPv4 address for an A record",
      { greenHost: "green.internal" },
      "(HTTP 400): 9005 Content for A record must be a valid IPv4 address.",
      false,
    ],
  ])("%s: Cloudflare's refusal in its own words", async (_name, opts, words, retryable) => {
    const err = await failure(provider(opts).setWeight({ region: "apac-se", colour: "green", canaryPct: 100 }));
    expect(err.message).toContain(words);
    expect(err.retryable).toBe(retryable);
    expect(cf.records.get(RECORD)?.content).toBe(HOSTS.blue);
  });

  it.each([
    [429, { code: 971, message: "Please wait and consider throttling your request speed" }],
    [500, { code: 10001, message: "Internal server error" }],
  ])("HTTP %i is retryable", async (status, error) => {
    cf.failNext(status, [error]);
    const err = await failure(provider().setWeight({ region: "apac-se", colour: "green", canaryPct: 100 }));
    expect(err.message).toContain(`(HTTP ${status}): ${error.code} ${error.message}`);
    expect(err.retryable).toBe(true);
  });

  it("an API that cannot be reached is retryable", async () => {
    const [closed] = await freePorts(1);
    const err = await failure(provider({ baseUrl: `http://127.0.0.1:${closed}/client/v4` }).getWeight({ region: "apac-se" }));
    expect(err.message).toBe(`Cloudflare API at http://127.0.0.1:${closed}/client/v4 cannot be reached: ECONNREFUSED`);
    expect(err.retryable).toBe(true);
  });

  it("a record pointing at neither colour is an error, not a guess", async () => {
    cf.records.get(RECORD)!.content = "198.51.100.7";
    const err = await failure(provider().getWeight({ region: "apac-se" }));
    expect(err.message).toBe(`the DNS record api.example.com for apac-se points at 198.51.100.7: neither blue (${HOSTS.blue}) nor green (${HOSTS.green})`);
  });
});

describe("Cloudflare load balancer pool weights (canary stages)", () => {
  it("sets random steering with green 25 % in tenths, reads it back, and reports the split", async () => {
    expect(await provider({ mode: "load-balancer" }).setWeight({ region: "apac-se", colour: "green", canaryPct: 25 })).toEqual({ blue: 75, green: 25 });
    const patch = cf.requests.find((r) => r.method === "PATCH");
    expect(patch).toEqual({
      method: "PATCH",
      path: lbPath,
      authorization: `Bearer ${TOKEN}`,
      body: { steering_policy: "random", random_steering: { pool_weights: { [POOLS.blue]: 0.9, [POOLS.green]: 0.3 } } },
    });
    expect(cf.requests.map((r) => r.method)).toEqual(["GET", "PATCH", "GET"]);
    expect(await provider({ mode: "load-balancer" }).getWeight({ region: "apac-se" })).toEqual({ blue: 75, green: 25 });
  });

  it.each([10, 50, 75, 100, 0])("green %i % round-trips exactly", async (pct) => {
    expect(await provider({ mode: "load-balancer" }).setWeight({ region: "apac-se", colour: "green", canaryPct: pct })).toEqual({
      blue: 100 - pct,
      green: pct,
    });
  });

  it("a percent no two tenths give is refused before anything is sent", async () => {
    const err = await failure(provider({ mode: "load-balancer" }).setWeight({ region: "apac-se", colour: "green", canaryPct: 33 }));
    expect(err.message).toContain("no two of them give green 33 % exactly");
    expect(cf.requests).toEqual([]);
  });

  it("a pool the load balancer does not have is refused by Cloudflare, and nothing changes", async () => {
    cf.loadBalancers.get(LB)!.default_pools = [POOLS.blue, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"];
    const err = await failure(provider({ mode: "load-balancer" }).setWeight({ region: "apac-se", colour: "green", canaryPct: 10 }));
    expect(err.message).toContain(
      `Cloudflare refused PATCH /zones/${ZONE}/load_balancers/${LB} (HTTP 400): 1002 pool ${POOLS.green} is not a pool of this load balancer`,
    );
    expect(cf.loadBalancers.get(LB)?.steering_policy).toBe("off");
  });
});

describe("the stand-in checks requests as Cloudflare documents them", () => {
  const call = (init: RequestInit & { path?: string } = {}) =>
    fetch(cf.url + (init.path ?? `/zones/${ZONE}/dns_records/${RECORD}`), init).then(async (r) => ({ status: r.status, body: await r.json() }));

  it.each([
    ["no Authorization header", {}, 400, 9106],
    ["a header that is not Bearer", { headers: { authorization: `Basic ${TOKEN}` } }, 400, 6003],
    ["PATCH without a JSON content type", { method: "PATCH", headers: { authorization: `Bearer ${TOKEN}` }, body: "{}" }, 400, 6003],
    [
      "PATCH with malformed JSON",
      { method: "PATCH", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: "{content:" },
      400,
      6007,
    ],
    [
      "an unknown field",
      { method: "PATCH", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: JSON.stringify({ contents: "1.2.3.4" }) },
      400,
      1004,
    ],
    ["DELETE", { method: "DELETE", headers: { authorization: `Bearer ${TOKEN}` } }, 405, 10000],
    ["an unknown path", { path: "/zones", headers: { authorization: `Bearer ${TOKEN}` } }, 404, 7000],
  ])("%s → HTTP %i, code %i, in the envelope", async (_name, init, status, code) => {
    const res = await call(init as RequestInit);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ success: false, errors: [expect.objectContaining({ code })], messages: [], result: null });
  });

  it("a good request gets { success: true, errors: [], messages: [], result }", async () => {
    const res = await call({ headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res).toEqual({
      status: 200,
      body: { success: true, errors: [], messages: [], result: expect.objectContaining({ id: RECORD, type: "A", content: HOSTS.blue }) },
    });
  });
});

/**
 * The fast source against the lab's real HAProxy: each colour's request and 5xx counters as HAProxy counts
 * them, over the unix socket and the TCP runtime API, equal to what the servers behind it really answered.
 */
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHaproxy, type LabHaproxy } from "@/lab/servers/haproxy";
import { FleetConfig } from "@/server/config/schema";
import { createRegionProviders } from "../real";
import { parseSocketAddress } from "../traffic-haproxy/runtime-api";
import { freePorts, labTempDir } from "../test-support";
import { ProviderError, type Colour } from "../types";
import { countsSince, HaproxyStatsProvider } from ".";

let dir: string;
let haproxy: LabHaproxy;
let lbPort: number;
let closedPort: number;
const servers: http.Server[] = [];
const answered: Record<Colour, { ok: number; failed: number }> = { blue: { ok: 0, failed: 0 }, green: { ok: 0, failed: 0 } };

/** A colour's service: green fails every 5th request with 500, as a bad release would. */
function service(colour: Colour): Promise<number> {
  let n = 0;
  const server = http.createServer((req, res) => {
    if (req.url === "/health") return res.end("ok");
    n += 1;
    const fail = colour === "green" && n % 5 === 0;
    answered[colour][fail ? "failed" : "ok"] += 1;
    res.statusCode = fail ? 500 : 200;
    res.end(colour);
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

beforeAll(async () => {
  dir = labTempDir("haproxy-stats");
  const [lb, stats, closed] = await freePorts(3);
  lbPort = lb;
  closedPort = closed;
  const [blue, green] = [await service("blue"), await service("green")];
  haproxy = await startHaproxy({
    dir,
    region: "lab",
    port: lb,
    statsTcpPort: stats,
    servers: [
      { name: "blue", port: blue, weight: 50 },
      { name: "green", port: green, weight: 50 },
    ],
  });
});

afterAll(async () => {
  await haproxy?.stop();
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  rmSync(dir, { recursive: true, force: true });
});

const provider = (socket: string, over: Partial<{ backend: string; green: string }> = {}) =>
  new HaproxyStatsProvider({
    backend: over.backend ?? haproxy.backend,
    servers: { blue: "blue", green: over.green ?? "green" },
    address: () => parseSocketAddress(socket),
    timeoutMs: 2000,
    intervalMs: 500,
  });

/** What an operator would type: `echo "clear counters all" | socat - <socket>`. */
function runtimeCommand(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    const conn = net.connect({ path: socket });
    conn
      .on("data", (d) => (out += d))
      .on("end", () => resolve(out))
      .on("error", reject);
    conn.write(`${command}\n`);
  });
}

async function send(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await (await fetch(`http://127.0.0.1:${lbPort}/`, { headers: { connection: "close" } })).text();
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

describe("haproxy-stats on the lab's HAProxy", () => {
  it("counts exactly the requests and 5xx each colour answered, over the unix socket and over TCP", async () => {
    const before = await provider(haproxy.statsSocket).counters({ region: "lab" });
    expect(before.green).toMatchObject({ requests: 0, errors: 0, responseMs: null });
    await send(60);
    const unix = await provider(haproxy.statsSocket).counters({ region: "lab" });
    const tcp = await provider(haproxy.statsTcp).counters({ region: "lab" });
    expect(unix).toEqual(tcp);
    expect(answered.blue.ok + answered.green.ok + answered.green.failed).toBe(60);
    expect(answered.green.failed).toBeGreaterThan(0);
    expect(unix.blue).toMatchObject({ requests: answered.blue.ok, errors: 0 });
    expect(unix.green).toMatchObject({ requests: answered.green.ok + answered.green.failed, errors: answered.green.failed });
    expect(unix.green.responseMs).not.toBeNull();
    // The counts of a stage: now minus the counters at its start.
    const later = (await send(20), await provider(haproxy.statsSocket).counters({ region: "lab" }));
    expect(countsSince(unix.green, later.green).requests + countsSince(unix.blue, later.blue).requests).toBe(20);
  });

  it("counters cleared on HAProxy (as a reload does) count again from 0", async () => {
    const before = await provider(haproxy.statsSocket).counters({ region: "lab" });
    expect(before.green.requests).toBeGreaterThan(0);
    expect((await runtimeCommand(haproxy.statsSocket, "clear counters all")).trim()).toBe("");
    await send(10);
    const after = await provider(haproxy.statsSocket).counters({ region: "lab" });
    expect(after.blue.requests + after.green.requests).toBe(10);
    expect(countsSince(before.green, after.green)).toEqual({ requests: after.green.requests, errors: after.green.errors });
  });

  it("from the fleet config, metrics.fast reads the HAProxy the region's traffic provider drives", async () => {
    const config = FleetConfig.parse({
      services: [{ id: "api", name: "API" }],
      regions: [
        {
          id: "lab",
          name: "Lab",
          environment: "lab",
          order: 1,
          targets: { blue: { host: "127.0.0.1" }, green: { host: "127.0.0.1" } },
          traffic: { provider: "haproxy", backend: haproxy.backend, socket: haproxy.statsSocket },
          metrics: { provider: "prometheus", url: "http://127.0.0.1:1", fast: { provider: "haproxy-stats", intervalMs: 250 } },
        },
      ],
    });
    const { fast } = createRegionProviders(
      config,
      config.regions[0],
      {},
      { fallback: { deploy: { deploy: async () => ({ log: [] }), status: async () => ({ current: null, restarted: false, health: null }) } } },
    );
    expect(fast!.intervalMs).toBe(250);
    expect(await fast!.counters({ region: "lab" })).toEqual(await provider(haproxy.statsSocket).counters({ region: "lab" }));
  });

  it("an unknown backend is refused in HAProxy's words, an unknown server is named", async () => {
    expect((await failure(provider(haproxy.statsSocket, { backend: "be_nowhere" }).counters({ region: "lab" }))).message).toBe(
      "HAProxy at " + haproxy.statsSocket + ' refused "show stat be_nowhere 4 -1" for lab: No such proxy.',
    );
    expect((await failure(provider(haproxy.statsSocket, { green: "greeen" }).counters({ region: "lab" }))).message).toBe(
      `HAProxy at ${haproxy.statsSocket} has no server be_lab/greeen (green) in "show stat"`,
    );
  });

  it("a runtime API where nothing listens is a retryable metrics-haproxy-stats error", async () => {
    const err = await failure(provider(`127.0.0.1:${closedPort}`).counters({ region: "lab" }));
    expect(err.provider).toBe("metrics-haproxy-stats");
    expect(err.retryable).toBe(true);
    expect(err.message).toBe(`HAProxy's runtime API at 127.0.0.1:${closedPort} cannot be reached: connection refused (is HAProxy down?)`);
  });
});

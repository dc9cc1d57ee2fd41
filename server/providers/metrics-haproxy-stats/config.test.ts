/** `metrics.fast` in the fleet config: optional, defaults, what it borrows from the HAProxy traffic settings, and bad values. */
import { describe, expect, it } from "vitest";
import { parseConfig } from "@/server/config/load";
import { FleetConfig, type FleetConfigInput } from "@/server/config/schema";
import { createRegionProviders } from "../real";
import type { RegionProviders } from "../types";
import { HaproxyStatsProvider } from ".";

type RegionInput = FleetConfigInput["regions"][number];

const region = (over: Partial<RegionInput>): RegionInput => ({
  id: "us-east",
  name: "US East",
  environment: "production-us-east",
  order: 1,
  targets: { blue: { host: "10.0.0.1", port: 8080 }, green: { host: "10.0.0.2", port: 8080 } },
  traffic: { provider: "haproxy", backend: "be_api", socket: "/run/haproxy/admin.sock" },
  ...over,
});
const fleet = (over: Partial<RegionInput>) => FleetConfig.safeParse({ services: [{ id: "api", name: "API" }], regions: [region(over)] });
/** A one-region real fleet as YAML (SSH deploy, HAProxy traffic) with this region's `metrics` lines. */
const realFleet = (metrics: string) => `baseUrl: https://deploy.example.com
services: [{ id: api, name: API }]
regions:
  - id: us-east
    name: US East
    environment: production-us-east
    order: 1
    targets: { blue: { host: 10.0.0.1 }, green: { host: 10.0.0.2 } }
    deploy: { provider: ssh, privateKeyPath: /etc/flightdeck/deploy_key, restartCommand: "systemctl restart api" }
    traffic: { provider: haproxy, backend: be_api, socket: /run/haproxy/admin.sock }
    ${metrics}
`;
const simulated: RegionProviders = {
  deploy: { deploy: async () => ({ log: [] }), status: async () => ({ current: null, restarted: false, health: null }) },
  traffic: { setWeight: async () => ({ blue: 100, green: 0 }), getWeight: async () => ({ blue: 100, green: 0 }) },
  metrics: { measure: async () => ({ requests: null, errorRatePct: null, latencyP95Ms: null }) },
};

describe("metrics.fast", () => {
  it("is optional: an existing Prometheus region has no fast source", () => {
    const parsed = fleet({ metrics: { provider: "prometheus", url: "http://prometheus:9090" } });
    expect(parsed.success).toBe(true);
    const providers = createRegionProviders(parsed.data!, parsed.data!.regions[0], {}, { fallback: simulated });
    expect(providers.fast).toBeUndefined();
  });

  it("`{ provider: haproxy-stats }` reads every 500 ms from the traffic provider's backend and socket", () => {
    const parsed = fleet({ metrics: { provider: "prometheus", url: "http://prometheus:9090", fast: { provider: "haproxy-stats" } } });
    expect(parsed.data!.regions[0].metrics).toMatchObject({ fast: { provider: "haproxy-stats", intervalMs: 500, timeoutSeconds: 2 } });
    const { fast } = createRegionProviders(parsed.data!, parsed.data!.regions[0], {}, { fallback: simulated });
    expect(fast).toBeInstanceOf(HaproxyStatsProvider);
    expect(fast!.intervalMs).toBe(500);
  });

  it("from YAML, with its own interval", () => {
    const yaml = realFleet("metrics:\n      provider: prometheus\n      url: http://prometheus:9090\n      fast: { provider: haproxy-stats, intervalMs: 250 }");
    const { config, problems } = parseConfig(yaml, {}, { requireEnv: false });
    expect(problems).toEqual([]);
    expect(config!.regions[0].metrics).toMatchObject({ fast: { intervalMs: 250 } });
  });

  it("a fast.socketEnv that is not set is named by the config check", () => {
    const yaml = realFleet("metrics: { provider: prometheus, url: http://p:9090, fast: { provider: haproxy-stats, socketEnv: US_EAST_HAPROXY_STATS } }");
    const { problems } = parseConfig(yaml, { DROPLET_USER: "deploy" });
    expect(problems).toEqual([
      expect.objectContaining({ path: "regions[0].metrics.fast.socketEnv", message: expect.stringContaining("US_EAST_HAPROXY_STATS") }),
    ]);
  });

  it.each([
    [{ provider: "statsd" }, "regions.0.metrics.fast.provider", /expected provider "haproxy-stats", got "statsd"/],
    [{ provider: "haproxy-stats", intervalMs: 10 }, "regions.0.metrics.fast.intervalMs", /100/],
    [{ provider: "haproxy-stats", every: 5 }, "regions.0.metrics.fast", /every/],
  ])("refuses %j at %s", (fast, path, message) => {
    const parsed = fleet({ metrics: { provider: "prometheus", url: "http://p:9090", fast } as RegionInput["metrics"] });
    expect(parsed.success).toBe(false);
    const issue = parsed.error!.issues.find((i) => i.path.join(".") === path || i.path.join(".").startsWith(path));
    expect(issue?.message).toMatch(message);
  });

  it("behind nginx there is no HAProxy to borrow from: backend and socket are needed", () => {
    const parsed = fleet({
      traffic: { provider: "nginx", upstreamFile: "/f", upstream: "api" },
      metrics: { provider: "prometheus", url: "http://p:9090", fast: { provider: "haproxy-stats" } },
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => [i.path.join("."), i.message])).toContainEqual([
      "regions.0.metrics.fast",
      "expected backend and socket (or socketEnv): the traffic provider is not haproxy, so there are none to borrow",
    ]);
  });
});

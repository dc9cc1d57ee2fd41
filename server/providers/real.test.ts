import { describe, expect, it } from "vitest";
import { FleetConfig, type FleetConfigInput } from "@/server/config/schema";
import { SshDeployProvider } from "./deploy-ssh";
import { PrometheusMetricsProvider } from "./metrics-prometheus";
import { createRegionProviders } from "./real";
import { loadPrivateKey } from "./ssh-target";
import { CloudflareTrafficProvider } from "./traffic-cloudflare";
import { HaproxyTrafficProvider } from "./traffic-haproxy";
import { NginxTrafficProvider } from "./traffic-nginx";
import { ProviderError, type RegionProviders } from "./types";

type RegionInput = FleetConfigInput["regions"][number];

function fleet(region: Partial<RegionInput>) {
  return FleetConfig.parse({
    services: [{ id: "api", name: "API" }],
    regions: [
      {
        id: "us-east",
        name: "US East",
        environment: "production-us-east",
        order: 1,
        targets: { blue: { hostEnv: "DROPLET_IP_BLUE", port: 8080 }, green: { hostEnv: "DROPLET_IP_GREEN", port: 8081 } },
        ...region,
      },
    ],
  });
}

const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n";
const ssh = { provider: "ssh" as const, privateKeyEnv: "DEPLOY_SSH_KEY", restartCommand: "true", hostKeySha256: "SHA256:" + "A".repeat(43) };
const fallback: RegionProviders = {
  deploy: { deploy: async () => ({ log: [] }), status: async () => ({ current: null, restarted: false, health: null }) },
  traffic: { setWeight: async () => ({ blue: 100, green: 0 }), getWeight: async () => ({ blue: 100, green: 0 }) },
  metrics: { measure: async () => ({ requests: null, errorRatePct: null, latencyP95Ms: null }) },
};

describe("createRegionProviders", () => {
  it.each([
    ["haproxy", { provider: "haproxy", backend: "api", socket: "/run/haproxy/admin.sock" }, HaproxyTrafficProvider],
    ["nginx", { provider: "nginx", upstreamFile: "/etc/nginx/conf.d/api.conf", upstream: "api" }, NginxTrafficProvider],
    ["cloudflare", { provider: "cloudflare", mode: "dns" }, CloudflareTrafficProvider],
  ] as const)("builds ssh deploy, %s traffic and prometheus metrics from the config", (_name, traffic, TrafficClass) => {
    const config = fleet({
      targets: { blue: { host: "10.0.0.1", port: 8080 }, green: { host: "10.0.0.2", port: 8080 } },
      deploy: ssh,
      traffic: traffic as RegionInput["traffic"],
      metrics: { provider: "prometheus", url: "http://prometheus:9090" },
    });
    const providers = createRegionProviders(config, config.regions[0], {});
    expect(providers.deploy).toBeInstanceOf(SshDeployProvider);
    expect(providers.traffic).toBeInstanceOf(TrafficClass);
    expect(providers.metrics).toBeInstanceOf(PrometheusMetricsProvider);
  });

  it("takes the kinds configured as simulated from the fallback", () => {
    const config = fleet({ deploy: ssh });
    const providers = createRegionProviders(config, config.regions[0], {}, { fallback });
    expect(providers.deploy).toBeInstanceOf(SshDeployProvider);
    expect(providers.traffic).toBe(fallback.traffic);
    expect(providers.metrics).toBe(fallback.metrics);
  });

  it("says so when a simulated kind has no fallback", () => {
    const config = fleet({});
    expect(() => createRegionProviders(config, config.regions[0], {})).toThrow(
      "us-east: deploy is configured as simulated, but no simulated deploy provider was given",
    );
  });

  it("a variable that is missing fails the call that needs it, naming the variable", async () => {
    const config = fleet({ deploy: ssh });
    const { deploy } = createRegionProviders(config, config.regions[0], { DROPLET_USER: "deploy", DEPLOY_SSH_KEY: KEY }, { fallback });
    const err = await deploy
      .deploy({ region: "us-east", colour: "green", artifact: { version: "1.0.0", digest: "sha256:" + "a".repeat(64), url: "http://a/b" }, correlationId: "c" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as Error).message).toBe("environment variable DROPLET_IP_GREEN (us-east's green host) is not set");
  });

  it("nginx needs each colour's upstream address: server, or host and port", () => {
    const config = fleet({
      targets: { blue: { host: "10.0.0.1" }, green: { host: "10.0.0.2" } },
      deploy: ssh,
      traffic: { provider: "nginx", upstreamFile: "/f", upstream: "api" },
    });
    expect(() => createRegionProviders(config, config.regions[0], {}, { fallback })).toThrow(
      "us-east: targets.blue needs server (host:port in the upstream), or host and port",
    );
  });

  it("traffic over SSH with neither traffic.ssh nor an ssh deploy says what to configure", async () => {
    const config = fleet({ traffic: { provider: "haproxy", backend: "api" } });
    const { traffic } = createRegionProviders(config, config.regions[0], { LB_IP: "10.0.0.9" }, { fallback });
    await expect(traffic.getWeight({ region: "us-east" })).rejects.toThrow(
      "us-east: reaching the load balancer over SSH needs traffic.ssh (user, key, host key) or an ssh deploy to borrow them from",
    );
  });
});

describe("loadPrivateKey", () => {
  const access = { userEnv: "DROPLET_USER", port: 22 };
  it.each([
    ["the key text", KEY],
    ["the key text with literal \\n (as some CI secrets store it)", KEY.replaceAll("\n", "\\n")],
    ["the key text in base64", Buffer.from(KEY).toString("base64")],
  ])("from an env var holding %s", (_name, value) => {
    expect(loadPrivateKey("deploy-ssh", { ...access, privateKeyEnv: "K" }, { K: value })).toBe(KEY);
  });

  it.each([
    [{ privateKeyEnv: "K" }, {}, "environment variable K (the SSH private key) is not set"],
    [{ privateKeyEnv: "K" }, { K: "hunter2" }, 'K does not hold a private key (expected "-----BEGIN ... PRIVATE KEY-----" text or that text in base64)'],
    [
      { privateKeyPath: "/nonexistent/key" },
      {},
      "cannot read the SSH private key at /nonexistent/key: ENOENT: no such file or directory, open '/nonexistent/key'",
    ],
    [{}, {}, "no SSH private key configured: set privateKeyEnv or privateKeyPath"],
  ])("%j with %j: %s", (where, env, message) => {
    expect(() => loadPrivateKey("deploy-ssh", { ...access, ...where }, env)).toThrow(message);
  });
});

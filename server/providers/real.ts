/**
 * The real providers of one region, from its config and the environment. Env vars, key files and hosts are
 * read at each call, not here, so a rotated key or a fixed variable is picked up without a restart, and a
 * missing one fails the call that needs it with words that name the variable. A kind configured as simulated
 * comes from `deps.fallback` (the simulated set), so a region may mix real and simulated providers.
 */
import type { FleetConfig, RegionConfig } from "@/server/config/schema";
import { DEFAULT_ARTIFACT_FETCH, type ArtifactFetchPolicy } from "./artifact-fetch";
import { SshDeployProvider } from "./deploy-ssh";
import { HaproxyStatsProvider } from "./metrics-haproxy-stats";
import { PrometheusMetricsProvider } from "./metrics-prometheus";
import { sshTarget, requireEnv, type Env, type SshAccessConfig } from "./ssh-target";
import { CloudflareTrafficProvider } from "./traffic-cloudflare";
import { HaproxyTrafficProvider } from "./traffic-haproxy";
import { parseSocketAddress, type RuntimeApiAddress } from "./traffic-haproxy/runtime-api";
import { NginxTrafficProvider } from "./traffic-nginx";
import {
  ProviderError,
  type Colour,
  type DeployProvider,
  type FastMetricsProvider,
  type MetricsProvider,
  type RegionProviders,
  type TrafficProvider,
} from "./types";

export type RealProviderDeps = {
  /** Providers for the kinds this region configures as `simulated`. */
  fallback?: Partial<RegionProviders>;
  fetch?: typeof fetch;
  readFile?: (path: string) => string;
};

const COLOURS: Colour[] = ["blue", "green"];

export function createRegionProviders(config: FleetConfig, region: RegionConfig, env: Env, deps: RealProviderDeps = {}): RegionProviders {
  return {
    deploy: createDeployProvider(region, env, deps, config.artifactFetch) ?? fallback(region, deps, "deploy"),
    traffic: createTrafficProvider(region, env, deps) ?? fallback(region, deps, "traffic"),
    metrics: createMetricsProvider(config, region, env, deps) ?? fallback(region, deps, "metrics"),
    ...withFast(createFastMetricsProvider(region, env, deps)),
  };
}

const withFast = (fast: FastMetricsProvider | null): { fast?: FastMetricsProvider } => (fast ? { fast } : {});

function fallback<K extends keyof RegionProviders>(region: RegionConfig, deps: RealProviderDeps, kind: K): RegionProviders[K] {
  const provider = deps.fallback?.[kind];
  if (!provider) throw new ProviderError("config", `${region.id}: ${kind} is configured as simulated, but no simulated ${kind} provider was given`);
  return provider as RegionProviders[K];
}

/** A colour's host: `host`, or the value of `hostEnv`. */
export function hostOf(region: RegionConfig, colour: Colour, env: Env, provider: string): string {
  const t = region.targets[colour];
  if (t.host) return t.host;
  if (t.hostEnv) return requireEnv(provider, env, t.hostEnv, `${region.id}'s ${colour} host`);
  throw new ProviderError(provider, `${region.id}: targets.${colour} has neither host nor hostEnv`);
}

/** `artifactFetch`: the fleet's rules for the server's own download of an artifact (upload mode). */
export function createDeployProvider(
  region: RegionConfig,
  env: Env,
  deps: RealProviderDeps = {},
  artifactFetch: ArtifactFetchPolicy = DEFAULT_ARTIFACT_FETCH,
): DeployProvider | null {
  const d = region.deploy;
  if (d.provider !== "ssh") return null;
  return new SshDeployProvider({
    installDir: d.installDir,
    restartCommand: d.restartCommand,
    healthUrl: d.healthUrl,
    timeoutSeconds: d.timeoutSeconds,
    transfer: d.artifactTransfer,
    artifactFetch,
    targetFor: (colour) => ({ ssh: deployTarget(region, colour, env, deps), port: region.targets[colour].port }),
  });
}

/** Where the ssh deploy logs in for a colour (host, user, key, pinned host key); `flightdeck doctor` logs in there too. */
export function deployTarget(region: RegionConfig, colour: Colour, env: Env, deps: RealProviderDeps = {}) {
  const d = region.deploy;
  if (d.provider !== "ssh") throw new ProviderError("deploy-ssh", `${region.id}: deploy is not ssh`);
  return sshTarget("deploy-ssh", d, hostOf(region, colour, env, "deploy-ssh"), env, {
    connectTimeoutMs: Math.min(20_000, d.timeoutSeconds * 1000),
    hostKeySha256: region.targets[colour].hostKeySha256 ?? d.hostKeySha256,
    hostKeySource: region.targets[colour].hostKeySha256 ? `regions.${region.id}.targets.${colour}.hostKeySha256` : `regions.${region.id}.deploy.hostKeySha256`,
    readFile: deps.readFile,
  });
}

/** SSH access to the load balancer host: the traffic provider's own `ssh`, else the region's ssh deploy settings. */
function lbAccess(
  region: RegionConfig,
  own: (SshAccessConfig & { timeoutSeconds: number }) | undefined,
  provider: string,
): SshAccessConfig & { timeoutSeconds: number } {
  if (own) return own;
  if (region.deploy.provider === "ssh") return { ...region.deploy, timeoutSeconds: 15 };
  throw new ProviderError(
    provider,
    `${region.id}: reaching the load balancer over SSH needs traffic.ssh (user, key, host key) or an ssh deploy to borrow them from`,
  );
}

/** The load balancer host's SSH target, as the nginx and HAProxy-over-SSH providers log in (the region's deploy port unless traffic.ssh names one). */
export function lbTarget(
  region: RegionConfig,
  lbHostEnv: string,
  own: (SshAccessConfig & { timeoutSeconds: number }) | undefined,
  env: Env,
  deps: RealProviderDeps,
  provider: string,
) {
  const access = lbAccess(region, own, provider);
  return sshTarget(provider, access, requireEnv(provider, env, lbHostEnv, `${region.id}'s load balancer host`), env, {
    connectTimeoutMs: access.timeoutSeconds * 1000,
    hostKeySource: own ? `regions.${region.id}.traffic.ssh.hostKeySha256` : `regions.${region.id}.deploy.hostKeySha256`,
    readFile: deps.readFile,
  });
}

/** HAProxy's runtime API address from a `socket` / `socketEnv` pair, or over SSH on the load balancer host. */
export function runtimeAddress(
  region: RegionConfig,
  env: Env,
  deps: RealProviderDeps,
  provider: string,
  own: { socket?: string; socketEnv?: string },
): RuntimeApiAddress {
  const t = region.traffic;
  const socket = own.socket ?? (own.socketEnv ? requireEnv(provider, env, own.socketEnv, "HAProxy's runtime API address") : undefined);
  if (socket !== undefined && socket !== "ssh") return parseSocketAddress(socket);
  if (t.provider !== "haproxy") throw new ProviderError(provider, `${region.id}: reaching HAProxy's runtime API needs a socket address`);
  return { kind: "ssh", ssh: lbTarget(region, t.lbHostEnv, t.ssh, env, deps, provider), remote: t.remoteSocket };
}

export function createTrafficProvider(region: RegionConfig, env: Env, deps: RealProviderDeps = {}): TrafficProvider | null {
  const t = region.traffic;
  if (t.provider === "haproxy") {
    return new HaproxyTrafficProvider({
      backend: t.backend,
      servers: haproxyServers(region),
      address: () => runtimeAddress(region, env, deps, "traffic-haproxy", t),
      timeoutMs: t.timeoutSeconds * 1000,
    });
  }
  if (t.provider === "nginx") {
    const servers = Object.fromEntries(
      COLOURS.map((colour) => {
        const target = region.targets[colour];
        if (target.server) return [colour, target.server];
        if (!target.host || !target.port)
          throw new ProviderError("traffic-nginx", `${region.id}: targets.${colour} needs server (host:port in the upstream), or host and port`);
        return [colour, `${target.host}:${target.port}`];
      }),
    ) as Record<Colour, string>;
    return new NginxTrafficProvider({
      upstreamFile: t.upstreamFile,
      upstream: t.upstream,
      servers,
      nginxCommand: t.nginxCommand,
      ssh: () => lbTarget(region, t.lbHostEnv, t.ssh, env, deps, "traffic-nginx"),
      // nginx -t and a reload take well under a second; this bounds a host that hangs.
      timeoutMs: 30_000,
    });
  }
  if (t.provider === "cloudflare") {
    const p = "traffic-cloudflare";
    return new CloudflareTrafficProvider({
      mode: t.mode,
      apiBaseUrl: t.apiBaseUrl,
      credentials: () => ({
        zoneId: requireEnv(p, env, t.zoneIdEnv, "the Cloudflare zone id"),
        token: requireEnv(p, env, t.apiTokenEnv, "the Cloudflare API token"),
        recordId: t.mode === "dns" ? requireEnv(p, env, t.recordIdEnv, "the DNS record id") : undefined,
      }),
      hosts: () => ({ blue: hostOf(region, "blue", env, p), green: hostOf(region, "green", env, p) }),
      poolIds: t.poolIds,
      loadBalancerId: t.loadBalancerId,
      timeoutMs: 15_000,
      fetch: deps.fetch,
    });
  }
  return null;
}

const haproxyServers = (region: RegionConfig): Record<Colour, string> => ({
  blue: region.targets.blue.server ?? "blue",
  green: region.targets.green.server ?? "green",
});

/** `metrics.fast`: error counts from HAProxy's `show stat`, on the traffic provider's backend and socket unless it names its own. */
export function createFastMetricsProvider(region: RegionConfig, env: Env, deps: RealProviderDeps = {}): FastMetricsProvider | null {
  const fast = region.metrics.provider === "prometheus" ? region.metrics.fast : undefined;
  if (!fast) return null;
  const t = region.traffic;
  const backend = fast.backend ?? (t.provider === "haproxy" ? t.backend : undefined);
  if (!backend) throw new ProviderError("metrics-haproxy-stats", `${region.id}: metrics.fast needs a backend (the traffic provider is not haproxy)`);
  return new HaproxyStatsProvider({
    backend,
    servers: haproxyServers(region),
    address: () => runtimeAddress(region, env, deps, "metrics-haproxy-stats", fast.socket || fast.socketEnv || t.provider !== "haproxy" ? fast : t),
    timeoutMs: fast.timeoutSeconds * 1000,
    intervalMs: fast.intervalMs,
  });
}

export function createMetricsProvider(config: FleetConfig, region: RegionConfig, env: Env, deps: RealProviderDeps = {}): MetricsProvider | null {
  const m = region.metrics;
  if (m.provider !== "prometheus") return null;
  const healthUrl = m.healthUrl;
  return new PrometheusMetricsProvider({
    url: () => m.url ?? requireEnv("metrics-prometheus", env, m.urlEnv ?? "PROMETHEUS_URL", "the Prometheus URL"),
    queries: m.queries,
    // The engine names the rollout's service in each measurement; this is for callers that name none.
    service: config.services[0]?.id ?? "",
    timeoutMs: m.timeoutSeconds * 1000,
    minWindowMs: m.minWindowSeconds * 1000,
    healthUrlFor: healthUrl
      ? (colour) =>
          healthUrl
            .replaceAll("{host}", hostOf(region, colour, env, "metrics-prometheus"))
            .replaceAll("{port}", String(region.targets[colour].port ?? ""))
            .replaceAll("{colour}", colour)
            .replaceAll("{region}", region.id)
      : undefined,
    fetch: deps.fetch,
  });
}

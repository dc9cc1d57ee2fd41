/**
 * The Flightdeck fleet config for the lab (`.lab/flightdeck.lab.yaml`) and the environment it references
 * (`.lab/lab.env`). Stages and analysis are left out: the lab runs the spec's defaults.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import { parseConfig } from "@/server/config/load";
import type { FleetConfigInput } from "@/server/config/schema";
import { LabError } from "./errors";
import { labPaths, type LabLayout } from "./layout";

const SELECT = 'service="{service}",region="{region}",colour="{colour}"';

/** PromQL templates that fit the sample service's metrics and the labels the lab's Prometheus adds. */
export const LAB_QUERIES = {
  requests: `sum(increase(http_requests_total{${SELECT}}[{window}]))`,
  errorRatePct: `100 * (sum(increase(http_requests_total{${SELECT},code=~"5.."}[{window}])) or vector(0)) / sum(increase(http_requests_total{${SELECT}}[{window}]))`,
  latencyP95Ms: `1000 * histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${SELECT}}[{window}])))`,
  cpuPct: `100 * sum(rate(process_cpu_seconds_total{${SELECT}}[{window}]))`,
  memoryPct: `100 * sum(process_resident_memory_bytes{${SELECT}}) / sum(node_memory_MemTotal_bytes{${SELECT}})`,
};

export const LAB_SERVICE_ID = "api";

/** Fill a template's placeholders, as Flightdeck's Prometheus provider does. */
export function fillQuery(template: string, values: { service?: string; region: string; colour: string; window: string }): string {
  return template
    .replaceAll("{service}", values.service ?? LAB_SERVICE_ID)
    .replaceAll("{region}", values.region)
    .replaceAll("{colour}", values.colour)
    .replaceAll("{window}", values.window);
}

export type LabEndpoints = {
  ssh: { port: number; clientKeyPath: string; hostKeySha256: string };
  haproxySockets: Record<string, string>;
  nginx: Record<string, { upstreamFile: string; upstream: string; command: string }>;
};

export function labFleetConfig(layout: LabLayout, endpoints: LabEndpoints): FleetConfigInput {
  const prometheus = `http://127.0.0.1:${layout.ports.prometheus}`;
  return {
    demo: false,
    baseUrl: "http://localhost:3000",
    // The lab serves Flightdeck on localhost without TLS: a real fleet must say so (docs/security.md).
    allowInsecureHttp: true,
    // The lab's tests and the chaos run start parallel rollouts on a fresh database: the migration path is off here.
    services: [{ id: LAB_SERVICE_ID, name: "Sample service (lab)", strategyPolicy: "off" }],
    regions: layout.regions.map((region) => {
      const hosts = path.join(layout.dir, "hosts", region.id);
      const nginx = endpoints.nginx[region.id];
      const traffic: FleetConfigInput["regions"][number]["traffic"] =
        region.balancer === "haproxy"
          ? { provider: "haproxy", backend: `be_${region.id}`, socket: endpoints.haproxySockets[region.id] }
          : { provider: "nginx", upstreamFile: nginx.upstreamFile, upstream: nginx.upstream, nginxCommand: nginx.command };
      return {
        id: region.id,
        name: region.name,
        environment: `production-${region.id}`,
        order: region.order,
        targets: {
          blue: { hostEnv: "DROPLET_IP_BLUE", port: region.ports.blue, server: region.balancer === "haproxy" ? "blue" : `127.0.0.1:${region.ports.blue}` },
          green: { hostEnv: "DROPLET_IP_GREEN", port: region.ports.green, server: region.balancer === "haproxy" ? "green" : `127.0.0.1:${region.ports.green}` },
        },
        deploy: {
          provider: "ssh",
          userEnv: "DROPLET_USER",
          privateKeyPath: endpoints.ssh.clientKeyPath,
          hostKeySha256: endpoints.ssh.hostKeySha256,
          port: endpoints.ssh.port,
          // One sshd stands in for every host: {colour} picks the colour's install dir and restart script.
          installDir: path.join(hosts, "{colour}"),
          restartCommand: path.join(hosts, "{colour}", "restart.sh"),
          healthUrl: "http://{host}:{port}/health",
          timeoutSeconds: 60,
        },
        traffic,
        // The health status comes from the colour's /health itself: a release answering 503 is unhealthy though up.
        // Prometheus scrapes every second: a window of 3 s holds at least two scrapes, however short the interval.
        metrics: { provider: "prometheus", url: prometheus, queries: { ...LAB_QUERIES }, healthUrl: "http://{host}:{port}/health", minWindowSeconds: 3 },
        links: {
          dashboard: `${prometheus}/graph?g0.expr=${encodeURIComponent('sum by (colour) (rate(http_requests_total{region="')}{region}${encodeURIComponent('"}[1m]))')}&g0.range_input=1h`,
        },
      };
    }),
    notifications: { channels: [] },
    // The lab's artifact server listens on 127.0.0.1: an upload-mode deploy must be allowed to fetch from it.
    artifactFetch: { allowPrivateAddresses: true },
    // ...over plain http, which artifact URLs may use only to listed hosts.
    artifacts: { allowHttpHosts: ["127.0.0.1"], allowedUrlPrefixes: [] },
    observability: { pushgatewayUrlEnv: "PROMETHEUS_PUSHGATEWAY_URL" },
  };
}

/** The variables the config names, plus Flightdeck's own for the lab (its database, a first admin). */
export function labEnvironment(layout: LabLayout): Record<string, string> {
  const previous = readEnvFile(labPaths(layout.dir).env);
  return {
    DROPLET_USER: "root",
    DROPLET_IP_BLUE: "127.0.0.1",
    DROPLET_IP_GREEN: "127.0.0.1",
    LB_IP: "127.0.0.1",
    PROMETHEUS_PUSHGATEWAY_URL: `http://127.0.0.1:${layout.ports.pushgateway}`,
    FLIGHTDECK_DB: path.join(layout.dir, "flightdeck.db"),
    // Like the rest of the lab, Flightdeck listens on 127.0.0.1 only (a real config listens everywhere by default).
    HOST: "127.0.0.1",
    FLIGHTDECK_ADMIN_EMAIL: "admin@lab.local",
    // Kept across lab restarts, so the admin's password does not change under a running dashboard.
    FLIGHTDECK_ADMIN_PASSWORD: previous.FLIGHTDECK_ADMIN_PASSWORD ?? randomBytes(12).toString("base64url"),
  };
}

export function renderConfig(config: FleetConfigInput): string {
  return `# Flightdeck's fleet config for the local lab (written by \`npm run lab\`; docs/lab.md).\n# Use it with: set -a; . .lab/lab.env; FLIGHTDECK_CONFIG=.lab/flightdeck.lab.yaml npm start\n${stringify(config, { lineWidth: 0 })}`;
}

export function renderEnv(env: Record<string, string>): string {
  const quote = (v: string) => `'${v.replaceAll("'", "'\\''")}'`;
  return `# Environment of Flightdeck for the lab (written by \`npm run lab\`): set -a; . .lab/lab.env\n${Object.entries(env)
    .map(([k, v]) => `${k}=${quote(v)}`)
    .join("\n")}\n`;
}

export function readEnvFile(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const entries = readFileSync(file, "utf8")
    .split("\n")
    .map((line) => /^([A-Z_][A-Z0-9_]*)='(.*)'$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1], m[2].replaceAll("'\\''", "'")]);
  return Object.fromEntries(entries);
}

/** The written config must pass Flightdeck's own check, with the lab's environment. */
export function checkLabConfig(source: string, env: Record<string, string>): void {
  const { problems } = parseConfig(source, env as NodeJS.ProcessEnv);
  if (problems.length)
    throw new LabError(`the lab's Flightdeck config does not pass the check:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join("\n")}`);
}

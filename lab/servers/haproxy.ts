/**
 * One region's HAProxy: a frontend on 127.0.0.1:<port> balancing backend `be_<region>` over the servers `blue`
 * and `green` by weight, health-checked with `GET /health`; the runtime API on a unix socket and on a TCP port
 * (both `level admin`, so `set weight` works); optionally its Prometheus exporter on its own port.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { labPaths } from "../layout";
import { spawnDetached, waitForPort, type LabProcess } from "../process";

export type HaproxyServer = { name: string; port: number; weight: number };
export type HaproxyInput = {
  dir: string;
  /** Names the process, the config dir and the backend (`be_<region>`). */
  region: string;
  port: number;
  servers: HaproxyServer[];
  statsTcpPort: number;
  exporterPort?: number;
};
export type LabHaproxy = LabProcess & { backend: string; statsSocket: string; statsTcp: string; configFile: string };

const HAPROXY = "/usr/sbin/haproxy";

export function haproxyConfig(input: HaproxyInput, statsSocket: string): string {
  const backend = `be_${input.region}`;
  return [
    `# The Flightdeck lab's HAProxy for ${input.region} (written by lab/servers/haproxy.ts).`,
    "global",
    `  stats socket ${statsSocket} mode 600 level admin`,
    `  stats socket ipv4@127.0.0.1:${input.statsTcpPort} level admin`,
    "",
    "defaults",
    "  mode http",
    "  timeout connect 2s",
    "  timeout client 30s",
    "  timeout server 30s",
    "",
    `frontend fe_${input.region}`,
    `  bind 127.0.0.1:${input.port}`,
    `  default_backend ${backend}`,
    "",
    `backend ${backend}`,
    "  balance roundrobin",
    "  option httpchk GET /health",
    ...input.servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port} weight ${s.weight} check inter 1s fall 2 rise 1`),
    ...(input.exporterPort
      ? ["", "frontend prometheus", `  bind 127.0.0.1:${input.exporterPort}`, "  http-request use-service prometheus-exporter if { path /metrics }", "  no log"]
      : []),
    "",
  ].join("\n");
}

export async function startHaproxy(input: HaproxyInput): Promise<LabHaproxy> {
  const home = labPaths(input.dir).server(`haproxy-${input.region}`);
  mkdirSync(home, { recursive: true });
  const statsSocket = path.join(home, "admin.sock");
  const configFile = path.join(home, "haproxy.cfg");
  writeFileSync(configFile, haproxyConfig(input, statsSocket));
  // -db: stay in the foreground, so the pid we hold is HAProxy itself.
  const proc = spawnDetached({ dir: input.dir, name: `haproxy-${input.region}`, command: HAPROXY, args: ["-db", "-f", configFile] });
  await waitForPort(proc, input.port);
  await waitForPort(proc, input.statsTcpPort);
  return { ...proc, backend: `be_${input.region}`, statsSocket, statsTcp: `127.0.0.1:${input.statsTcpPort}`, configFile };
}

/**
 * One region's nginx: its own nginx.conf (master and workers as root, pid file, logs and temp dirs all under
 * the lab dir) proxying 127.0.0.1:<port> to an upstream that lives in its own file, the file Flightdeck
 * rewrites. nginx refuses `weight=0`, so a colour at 0 % is written `down`.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { LabError } from "../errors";
import { labPaths } from "../layout";
import { childrenOf, spawnDetached, tail, waitForPort, waitUntil, type LabProcess } from "../process";

export type NginxServer = { port: number; weight: number };
export type NginxInput = { dir: string; region: string; port: number; upstream: string; servers: NginxServer[] };
export type LabNginx = LabProcess & {
  upstream: string;
  upstreamFile: string;
  /** The nginx command for this instance (`-t`, `-s reload` are appended): Flightdeck's `nginxCommand`. */
  command: string;
  /** `nginx -s reload`, resolved once every old worker is gone, so every new connection sees the new file. */
  reload(): Promise<void>;
};

const NGINX = "/usr/sbin/nginx";

/** `upstream <name> { server 127.0.0.1:<port> weight=<w>; ... }`, with `down` for a weight of 0. */
export function upstreamBlock(upstream: string, servers: NginxServer[]): string {
  const lines = servers.map((s) => `  server 127.0.0.1:${s.port}${s.weight > 0 ? ` weight=${s.weight}` : " down"};`);
  return `upstream ${upstream} {\n${lines.join("\n")}\n}\n`;
}

export function nginxConfig(home: string, input: NginxInput, upstreamFile: string): string {
  const temp = (kind: string) => path.join(home, "temp", kind);
  return `# The Flightdeck lab's nginx for ${input.region} (written by lab/servers/nginx.ts).
daemon off;
user root;
worker_processes 1;
pid ${path.join(home, "nginx.pid")};
error_log ${path.join(home, "error.log")} warn;
events { worker_connections 256; }
http {
  access_log ${path.join(home, "access.log")};
  client_body_temp_path ${temp("body")};
  proxy_temp_path ${temp("proxy")};
  fastcgi_temp_path ${temp("fastcgi")};
  uwsgi_temp_path ${temp("uwsgi")};
  scgi_temp_path ${temp("scgi")};
  include ${upstreamFile};
  server {
    listen 127.0.0.1:${input.port};
    location / {
      proxy_pass http://${input.upstream};
      proxy_next_upstream error timeout;
    }
  }
}
`;
}

export async function startNginx(input: NginxInput): Promise<LabNginx> {
  const home = labPaths(input.dir).server(`nginx-${input.region}`);
  mkdirSync(path.join(home, "temp"), { recursive: true });
  const upstreamFile = path.join(home, "upstream.conf");
  const configFile = path.join(home, "nginx.conf");
  writeFileSync(upstreamFile, upstreamBlock(input.upstream, input.servers));
  writeFileSync(configFile, nginxConfig(home, input, upstreamFile));
  // -e: the error log before the config is read (the compiled-in one is stderr or /var/log/nginx).
  const args = ["-c", configFile, "-e", path.join(home, "error.log")];
  const run = (extra: string[]) => {
    const res = spawnSync(NGINX, [...args, ...extra], { encoding: "utf8" });
    if (res.error) throw new LabError(`nginx: ${NGINX} is not installed (apt-get install nginx)`);
    if (res.status !== 0) throw new LabError(`nginx ${extra.join(" ")} failed:\n${res.stderr}`);
  };
  run(["-t", "-q"]);
  const proc = spawnDetached({ dir: input.dir, name: `nginx-${input.region}`, command: NGINX, args });
  await waitForPort(proc, input.port);
  const reload = async () => {
    const before = childrenOf(proc.pid);
    run(["-s", "reload"]);
    // Until the old workers have left, they still accept connections with the old upstream.
    const done = await waitUntil(() => {
      const now = childrenOf(proc.pid);
      return now.length > 0 && now.every((pid) => !before.includes(pid));
    }, 10_000);
    if (!done) throw new LabError(`nginx did not finish reloading within 10 s:\n${tail(path.join(home, "error.log"))}`);
  };
  return { ...proc, upstream: input.upstream, upstreamFile, command: [NGINX, ...args].join(" "), reload };
}

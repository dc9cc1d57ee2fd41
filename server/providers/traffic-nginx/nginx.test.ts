/**
 * Weights on the lab's real nginx, over the lab's real sshd: the upstream file rewritten, `nginx -t`, reload,
 * read back; requests through nginx follow; a file nginx rejects leaves the old one in place with nginx's reason.
 */
import { readFileSync, rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNginx, type LabNginx } from "@/lab/servers/nginx";
import { startSshd, type LabSshd } from "@/lab/servers/sshd";
import { RegionConfig } from "@/server/config/schema";
import { createTrafficProvider } from "../real";
import { countColours, eventually, startColourBackends, type ColourBackends } from "../test-backends";
import { freePorts, labTempDir } from "../test-support";
import { ProviderError, type TrafficProvider } from "../types";

let dir: string;
let nginx: LabNginx;
let sshd: LabSshd;
let backends: ColourBackends;
let ports: { lb: number; ssh: number; closed: number };

beforeAll(async () => {
  dir = labTempDir("nginx");
  const [lb, ssh, closed] = await freePorts(3);
  ports = { lb, ssh, closed };
  backends = await startColourBackends();
  [nginx, sshd] = await Promise.all([
    startNginx({
      dir,
      region: "lab",
      port: ports.lb,
      upstream: "be_lab",
      servers: [
        { port: backends.ports.blue, weight: 100 },
        { port: backends.ports.green, weight: 0 },
      ],
    }),
    startSshd({ dir, port: ports.ssh }),
  ]);
});

afterAll(async () => {
  await nginx?.stop();
  await sshd?.stop();
  await backends?.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = { LB_IP: "127.0.0.1", DROPLET_USER: "root", DROPLET_IP_BLUE: "127.0.0.1", DROPLET_IP_GREEN: "127.0.0.1" };

/** The LB is reached with the region's ssh deploy settings (no traffic.ssh of its own). */
function provider(opts: { greenServer?: string; sshPort?: number } = {}): TrafficProvider {
  const region = RegionConfig.parse({
    id: "lab",
    name: "Lab",
    environment: "production-lab",
    order: 1,
    targets: {
      blue: { hostEnv: "DROPLET_IP_BLUE", server: `127.0.0.1:${backends.ports.blue}` },
      green: { hostEnv: "DROPLET_IP_GREEN", server: opts.greenServer ?? `127.0.0.1:${backends.ports.green}` },
    },
    deploy: { provider: "ssh", privateKeyPath: sshd.clientKeyPath, hostKeySha256: sshd.hostKeySha256, port: opts.sshPort ?? ports.ssh, restartCommand: "true" },
    traffic: { provider: "nginx", upstreamFile: nginx.upstreamFile, upstream: nginx.upstream, nginxCommand: nginx.command },
  });
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

const lbUrl = () => `http://127.0.0.1:${ports.lb}/`;

describe("nginx upstream over SSH", () => {
  it("reads the split from the upstream file the lab wrote", async () => {
    expect(await provider().getWeight({ region: "lab" })).toEqual({ blue: 100, green: 0 });
  });

  it("sets 25 % on green: the file holds the weights and reads back equal", async () => {
    expect(await provider().setWeight({ region: "lab", colour: "green", canaryPct: 25 })).toEqual({ blue: 75, green: 25 });
    const file = readFileSync(nginx.upstreamFile, "utf8");
    expect(file).toContain(`server 127.0.0.1:${backends.ports.blue} weight=75; # blue`);
    expect(file).toContain(`server 127.0.0.1:${backends.ports.green} weight=25; # green`);
    expect(await provider().getWeight({ region: "lab" })).toEqual({ blue: 75, green: 25 });
  });

  it("all traffic to green, then back to blue: nginx reloads and requests follow", async () => {
    await provider().setWeight({ region: "lab", colour: "green", canaryPct: 100 });
    expect(readFileSync(nginx.upstreamFile, "utf8")).toContain(`server 127.0.0.1:${backends.ports.blue} down; # blue`);
    expect(
      await eventually(
        () => countColours(lbUrl(), 10),
        (s) => s.green === 10,
      ),
    ).toEqual({ blue: 0, green: 10 });
    await provider().setWeight({ region: "lab", colour: "green", canaryPct: 0 });
    expect(
      await eventually(
        () => countColours(lbUrl(), 10),
        (s) => s.blue === 10,
      ),
    ).toEqual({ blue: 10, green: 0 });
  });

  it("a file nginx -t rejects is not left in place, and the error gives nginx's reason", async () => {
    const before = readFileSync(nginx.upstreamFile, "utf8");
    const err = await failure(provider({ greenServer: "127.0.0.1:99999" }).setWeight({ region: "lab", colour: "green", canaryPct: 10 }));
    expect(err.message).toContain(`nginx -t rejected the new upstream for lab on root@127.0.0.1:${ports.ssh}; the old ${nginx.upstreamFile} is back in place:`);
    expect(err.message).toContain("invalid port");
    expect(err.retryable).toBe(false);
    expect(readFileSync(nginx.upstreamFile, "utf8")).toBe(before);
    expect(await countColours(lbUrl(), 5)).toEqual({ blue: 5, green: 0 });
  });

  it("a load balancer host that cannot be reached is a retryable error", async () => {
    const err = await failure(provider({ sshPort: ports.closed }).setWeight({ region: "lab", colour: "green", canaryPct: 10 }));
    expect(err.message).toBe(`cannot reach root@127.0.0.1:${ports.closed} over SSH: connection refused`);
    expect(err.retryable).toBe(true);
  });
});

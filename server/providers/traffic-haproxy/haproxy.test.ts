/**
 * Weights on the lab's real HAProxy through its runtime API: over the unix socket, a TCP address and SSH on the
 * load balancer host; read back after each change; refused weights and a load balancer that is down.
 */
import net from "node:net";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHaproxy, type LabHaproxy } from "@/lab/servers/haproxy";
import { startSshd, type LabSshd } from "@/lab/servers/sshd";
import { RegionConfig } from "@/server/config/schema";
import { createTrafficProvider } from "../real";
import { countColours, eventually, startColourBackends, type ColourBackends } from "../test-backends";
import { freePorts, labTempDir } from "../test-support";
import { ProviderError, type TrafficProvider } from "../types";

let dir: string;
let haproxy: LabHaproxy;
let sshd: LabSshd;
let backends: ColourBackends;
let ports: { lb: number; stats: number; ssh: number; closed: number };

beforeAll(async () => {
  dir = labTempDir("haproxy");
  const [lb, stats, ssh, closed] = await freePorts(4);
  ports = { lb, stats, ssh, closed };
  backends = await startColourBackends();
  [haproxy, sshd] = await Promise.all([
    startHaproxy({
      dir,
      region: "lab",
      port: ports.lb,
      statsTcpPort: ports.stats,
      servers: [
        { name: "blue", port: backends.ports.blue, weight: 100 },
        { name: "green", port: backends.ports.green, weight: 0 },
      ],
    }),
    startSshd({ dir, port: ports.ssh }),
  ]);
});

afterAll(async () => {
  await haproxy?.stop();
  await sshd?.stop();
  await backends?.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = { LB_IP: "127.0.0.1", DROPLET_USER: "root", DROPLET_IP_BLUE: "127.0.0.1", DROPLET_IP_GREEN: "127.0.0.1" };

function provider(traffic: Record<string, unknown>, servers: { blue?: string; green?: string } = {}): TrafficProvider {
  const region = RegionConfig.parse({
    id: "lab",
    name: "Lab",
    environment: "production-lab",
    order: 1,
    targets: { blue: { hostEnv: "DROPLET_IP_BLUE", server: servers.blue ?? "blue" }, green: { hostEnv: "DROPLET_IP_GREEN", server: servers.green ?? "green" } },
    traffic: { provider: "haproxy", backend: haproxy.backend, ...traffic },
  });
  return createTrafficProvider(region, env)!;
}

/** What an operator would type: `echo "get weight be/srv" | socat - <socket>`. */
function runtimeApi(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ path: haproxy.statsSocket });
    let out = "";
    socket.on("data", (d) => (out += d));
    socket.on("end", () => resolve(out.trim()));
    socket.on("error", reject);
    socket.write(command + "\n");
  });
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

describe("HAProxy runtime API", () => {
  it("over the unix socket: sets 10 % on green, reads it back, and HAProxy holds exactly that", async () => {
    const traffic = provider({ socket: haproxy.statsSocket });
    expect(await traffic.getWeight({ region: "lab" })).toEqual({ blue: 100, green: 0 });
    expect(await traffic.setWeight({ region: "lab", colour: "green", canaryPct: 10 })).toEqual({ blue: 90, green: 10 });
    expect(await runtimeApi(`get weight ${haproxy.backend}/green`)).toBe("10 (initial 0)");
    expect(await runtimeApi(`get weight ${haproxy.backend}/blue`)).toBe("90 (initial 100)");
    expect(await traffic.getWeight({ region: "lab" })).toEqual({ blue: 90, green: 10 });
  });

  it("over a TCP address: all traffic to green, and requests through the load balancer follow", async () => {
    const traffic = provider({ socket: haproxy.statsTcp });
    expect(await traffic.setWeight({ region: "lab", colour: "green", canaryPct: 100 })).toEqual({ blue: 0, green: 100 });
    expect(await countColours(lbUrl(), 10)).toEqual({ blue: 0, green: 10 });
  });

  it("through SSH on the load balancer host (LB_IP) to its stats socket: rolls back to blue", async () => {
    const traffic = provider({
      socket: "ssh",
      remoteSocket: haproxy.statsSocket,
      ssh: { privateKeyPath: sshd.clientKeyPath, hostKeySha256: sshd.hostKeySha256, port: ports.ssh },
    });
    expect(await traffic.setWeight({ region: "lab", colour: "green", canaryPct: 0 })).toEqual({ blue: 100, green: 0 });
    expect(await runtimeApi(`get weight ${haproxy.backend}/green`)).toBe("0 (initial 0)");
    const seen = await eventually(
      () => countColours(lbUrl(), 10),
      (s) => s.blue === 10,
    );
    expect(seen).toEqual({ blue: 10, green: 0 });
  });

  it("a server HAProxy does not know is refused before any weight changes", async () => {
    await provider({ socket: haproxy.statsSocket }).setWeight({ region: "lab", colour: "green", canaryPct: 25 });
    const err = await failure(provider({ socket: haproxy.statsSocket }, { green: "greeen" }).setWeight({ region: "lab", colour: "green", canaryPct: 50 }));
    expect(err.message).toBe(`HAProxy refused "get weight ${haproxy.backend}/greeen" for lab (green): No such server.`);
    expect(err.retryable).toBe(false);
    expect(await runtimeApi(`get weight ${haproxy.backend}/blue`)).toBe("75 (initial 100)");
  });

  it("an unknown backend is refused with HAProxy's words", async () => {
    const err = await failure(provider({ socket: haproxy.statsSocket, backend: "be_nowhere" }).getWeight({ region: "lab" }));
    expect(err.message).toBe(`HAProxy refused "get weight be_nowhere/blue" for lab (blue): No such backend.`);
  });

  it("a runtime API address where nothing listens is a retryable error that says HAProxy may be down", async () => {
    const err = await failure(provider({ socket: `127.0.0.1:${ports.closed}` }).setWeight({ region: "lab", colour: "green", canaryPct: 10 }));
    expect(err.message).toBe(`HAProxy's runtime API at 127.0.0.1:${ports.closed} cannot be reached: connection refused (is HAProxy down?)`);
    expect(err.retryable).toBe(true);
  });

  it("after HAProxy stops, its socket refuses and the error says so", async () => {
    await haproxy.stop();
    const err = await failure(provider({ socket: haproxy.statsSocket }).getWeight({ region: "lab" }));
    expect(err.message).toMatch(/^HAProxy's runtime API at .*admin\.sock cannot be reached: (connection refused|no such socket) \(is HAProxy down\?\)$/);
    expect(err.retryable).toBe(true);
  });
});

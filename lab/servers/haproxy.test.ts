import { rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildArtifact } from "../artifacts";
import { startHost } from "../hosts";
import { COLOURS } from "../layout";
import { stopByPidFile } from "../process";
import { countColours, freePorts, tempLabDir } from "../test-support";
import { startHaproxy, type LabHaproxy } from "./haproxy";

const dir = tempLabDir();
let haproxy: LabHaproxy;
let frontend = "";
let exporter = "";

beforeAll(async () => {
  const [lbPort, bluePort, greenPort, statsTcpPort, exporterPort] = await freePorts(5);
  const artifact = buildArtifact({ version: "1.0.0" }, { dir, baseUrl: "http://127.0.0.1:1" });
  const ports = { blue: bluePort, green: greenPort };
  for (const colour of COLOURS) startHost({ dir: path.join(dir, "hosts/x", colour), region: "x", colour, port: ports[colour] }, dir, artifact);
  haproxy = await startHaproxy({
    dir,
    region: "x",
    port: lbPort,
    statsTcpPort,
    exporterPort,
    servers: [
      { name: "blue", port: bluePort, weight: 100 },
      { name: "green", port: greenPort, weight: 0 },
    ],
  });
  frontend = `http://127.0.0.1:${lbPort}/`;
  exporter = `http://127.0.0.1:${exporterPort}/metrics`;
});

afterAll(async () => {
  await Promise.all([haproxy?.stop(), ...COLOURS.map((colour) => stopByPidFile(dir, `service-x-${colour}`))]);
  rmSync(dir, { recursive: true, force: true });
});

/** One runtime API command over a unix socket path or a host:port. */
function runtimeApi(address: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const [host, port] = address.split(":");
    const socket = address.startsWith("/") ? net.connect(address) : net.connect({ host, port: Number(port) });
    let answer = "";
    socket.on("data", (d) => (answer += d));
    socket.on("end", () => resolve(answer.trim()));
    socket.on("error", reject);
    socket.write(`${command}\n`);
  });
}

describe("the lab's HAProxy", () => {
  it("sends every request to blue while green's weight is 0", async () => {
    expect(await countColours(frontend, 20)).toEqual({ blue: 20 });
  });

  it("takes `set weight` over its unix socket, reads it back with `get weight`, and splits requests accordingly", async () => {
    expect(await runtimeApi(haproxy.statsSocket, `set weight ${haproxy.backend}/green 25; set weight ${haproxy.backend}/blue 75`)).toBe("");
    expect(await runtimeApi(haproxy.statsSocket, `get weight ${haproxy.backend}/green`)).toBe("25 (initial 0)");
    const seen = await countColours(frontend, 200);
    expect(seen.blue + seen.green).toBe(200);
    expect(seen.green).toBeGreaterThanOrEqual(40);
    expect(seen.green).toBeLessThanOrEqual(60);
  });

  it("answers the runtime API on its TCP address too", async () => {
    await runtimeApi(haproxy.statsTcp, `set weight ${haproxy.backend}/green 100; set weight ${haproxy.backend}/blue 0`);
    expect(await runtimeApi(haproxy.statsTcp, `get weight ${haproxy.backend}/blue`)).toBe("0 (initial 100)");
    expect(await countColours(frontend, 20)).toEqual({ green: 20 });
  });

  it("refuses a weight out of range and keeps the one it had", async () => {
    expect(await runtimeApi(haproxy.statsSocket, `set weight ${haproxy.backend}/green 300`)).toMatch(/weight/i);
    expect(await runtimeApi(haproxy.statsSocket, `get weight ${haproxy.backend}/green`)).toBe("100 (initial 0)");
  });

  it("exports its server weights to Prometheus", async () => {
    const text = await (await fetch(exporter)).text();
    expect(text).toMatch(/haproxy_server_weight\{proxy="be_x",server="green"\} 100/);
  });
});

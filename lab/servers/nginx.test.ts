import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildArtifact } from "../artifacts";
import { startHost } from "../hosts";
import { COLOURS } from "../layout";
import { stopByPidFile } from "../process";
import { countColours, freePorts, tempLabDir } from "../test-support";
import { startNginx, upstreamBlock, type LabNginx } from "./nginx";

const dir = tempLabDir();
let nginx: LabNginx;
let frontend = "";
const ports = { blue: 0, green: 0 };

beforeAll(async () => {
  const [lbPort, bluePort, greenPort] = await freePorts(3);
  Object.assign(ports, { blue: bluePort, green: greenPort });
  const artifact = buildArtifact({ version: "1.0.0" }, { dir, baseUrl: "http://127.0.0.1:1" });
  for (const colour of COLOURS) startHost({ dir: path.join(dir, "hosts/y", colour), region: "y", colour, port: ports[colour] }, dir, artifact);
  nginx = await startNginx({
    dir,
    region: "y",
    port: lbPort,
    upstream: "be_y",
    servers: [
      { port: bluePort, weight: 100 },
      { port: greenPort, weight: 0 },
    ],
  });
  frontend = `http://127.0.0.1:${lbPort}/`;
});

afterAll(async () => {
  await Promise.all([nginx?.stop(), ...COLOURS.map((colour) => stopByPidFile(dir, `service-y-${colour}`))]);
  rmSync(dir, { recursive: true, force: true });
});

describe("the lab's nginx", () => {
  it("keeps its upstream in its own file, with `down` for the colour at 0 %", () => {
    expect(readFileSync(nginx.upstreamFile, "utf8")).toBe(
      `upstream be_y {\n  server 127.0.0.1:${ports.blue} weight=100;\n  server 127.0.0.1:${ports.green} down;\n}\n`,
    );
  });

  it("serves every request from blue through the upstream", async () => {
    expect(await countColours(frontend, 20)).toEqual({ blue: 20 });
  });

  it("follows a rewritten upstream file after a reload", async () => {
    writeFileSync(
      nginx.upstreamFile,
      upstreamBlock("be_y", [
        { port: ports.blue, weight: 0 },
        { port: ports.green, weight: 100 },
      ]),
    );
    await nginx.reload();
    expect(await countColours(frontend, 20)).toEqual({ green: 20 });
  });

  it("splits by weight", async () => {
    writeFileSync(
      nginx.upstreamFile,
      upstreamBlock("be_y", [
        { port: ports.blue, weight: 75 },
        { port: ports.green, weight: 25 },
      ]),
    );
    await nginx.reload();
    const seen = await countColours(frontend, 200);
    expect(seen.green).toBeGreaterThanOrEqual(40);
    expect(seen.green).toBeLessThanOrEqual(60);
  });

  it("checks its own config with the command Flightdeck is given, `-t` appended", () => {
    const check = spawnSync("sh", ["-c", `${nginx.command} -t`], { encoding: "utf8" });
    expect(check.status).toBe(0);
    expect(check.stderr).toContain(`configuration file ${path.join(dir, "servers/nginx-y/nginx.conf")} test is successful`);
  });
});

import { existsSync, readFileSync, rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "@/server/config/load";
import { readEnvFile } from "./fleet-config";
import { freeLabOffset } from "./flightdeck-harness";
import { labPaths } from "./layout";
import { labProcesses, waitUntil } from "./process";
import { startLab, stopLab, type RunningLab } from "./stack";
import { tempLabDir } from "./test-support";

const dir = tempLabDir();
let lab: RunningLab;
let pids: number[] = [];

// An offset whose every lab port is free, so this test never meets a lab someone is running.
beforeAll(async () => {
  lab = await startLab({ dir, portOffset: await freeLabOffset(dir) });
  pids = labProcesses(dir).map((p) => p.pid!);
});

afterAll(async () => {
  await stopLab(dir);
  rmSync(dir, { recursive: true, force: true });
});

describe("the whole lab", () => {
  it("runs every piece, and Prometheus scrapes every target", async () => {
    expect(labProcesses(dir).map((p) => [p.name, p.alive])).toEqual(
      [
        "artifacts",
        "haproxy-eu-west",
        "haproxy-us-east",
        "nginx-apac-se",
        "prometheus",
        "pushgateway",
        ...["apac-se", "eu-west", "us-east"].flatMap((r) => [`service-${r}-blue`, `service-${r}-green`]),
        "sshd",
        "traffic",
      ].map((name) => [name, true]),
    );
    const res = await fetch(`${lab.prometheusUrl}/api/v1/query?query=${encodeURIComponent("count(up == 1)")}`);
    expect((await res.json()).data.result[0].value[1]).toBe("9"); // 6 services, 2 HAProxy exporters, the Pushgateway
  });

  it("writes a Flightdeck config that passes the check with the lab's environment", () => {
    const env = readEnvFile(lab.envFile);
    expect(env).toMatchObject({ DROPLET_USER: "root", LB_IP: "127.0.0.1", PROMETHEUS_PUSHGATEWAY_URL: lab.env.PROMETHEUS_PUSHGATEWAY_URL });
    const { config, problems } = parseConfig(readFileSync(lab.configFile, "utf8"), env as NodeJS.ProcessEnv);
    expect(problems).toEqual([]);
    for (const region of config!.regions) {
      if (region.deploy.provider !== "ssh") throw new Error(`${region.id}: expected the ssh deploy provider`);
      for (const colour of ["blue", "green"]) expect(existsSync(region.deploy.restartCommand.replace("{colour}", colour))).toBe(true);
      if (region.traffic.provider === "haproxy") expect(existsSync(region.traffic.socket!)).toBe(true);
      if (region.traffic.provider === "nginx") expect(existsSync(region.traffic.upstreamFile)).toBe(true);
    }
  });

  it("sends steady traffic through every region's load balancer to the live colour", async () => {
    const query = 'sum by (region) (increase(http_requests_total{colour="blue"}[10s]))';
    const flowing = await waitUntil(
      async () => {
        const res = await fetch(`${lab.prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
        const result = (await res.json()).data.result as Array<{ metric: { region: string }; value: [number, string] }>;
        return result.length === 3 && result.every((r) => Number(r.value[1]) > 20);
      },
      15_000,
      500,
    );
    expect(flowing).toBe(true);
  });

  it("refuses to start a second time while it runs", async () => {
    await expect(startLab({ dir })).rejects.toThrow(/already running/);
  });

  it("stops every process it started and leaves no pid file", async () => {
    await stopLab(dir);
    expect(pids.filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]);
    expect(labProcesses(dir)).toEqual([]);
    expect(existsSync(labPaths(dir).pids)).toBe(true);
  });
});

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildArtifact } from "./artifacts";
import { startHost, type LabHost } from "./hosts";
import { pidFile } from "./layout";
import { readPid, stopByPidFile } from "./process";
import { startArtifactServer } from "./servers/artifact-server";
import { freePorts, tempLabDir } from "./test-support";

const dir = tempLabDir();
let artifactsUrl = "";
let servicePort = 0;
const stops: Array<() => Promise<void>> = [];

beforeAll(async () => {
  const [artifactsPort, port] = await freePorts(2);
  servicePort = port;
  const server = await startArtifactServer({ dir, port: artifactsPort });
  artifactsUrl = server.url;
  stops.push(server.stop);
});

afterAll(async () => {
  for (const stop of stops) await stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("artifacts", () => {
  it("builds the same bytes for the same release, and other bytes for another behaviour", () => {
    const first = buildArtifact({ version: "1.0.0" }, { dir, baseUrl: artifactsUrl });
    const again = buildArtifact({ version: "1.0.0" }, { dir, baseUrl: artifactsUrl });
    const bad = buildArtifact({ version: "1.0.0", errorRatePct: 5 }, { dir, baseUrl: artifactsUrl });
    expect(first.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(again.digest).toBe(first.digest);
    expect(bad.digest).not.toBe(first.digest);
  });

  it("packs the service code and its release.json with the system tar", () => {
    const artifact = buildArtifact({ version: "2.0.0", errorRatePct: 5, extraLatencyMs: 120 }, { dir, baseUrl: artifactsUrl });
    const list = spawnSync("tar", ["-tzf", artifact.path], { encoding: "utf8" }).stdout.split("\n").filter(Boolean).sort();
    expect(list).toEqual(["./", "./metrics.mjs", "./package.json", "./release.json", "./release.mjs", "./server.mjs"]);
    const release = spawnSync("tar", ["-xzOf", artifact.path, "./release.json"], { encoding: "utf8" }).stdout;
    expect(JSON.parse(release)).toEqual({ version: "2.0.0", errorRatePct: 5, extraLatencyMs: 120 });
  });

  it("serves an artifact at its url with the bytes its digest names", async () => {
    const artifact = buildArtifact({ version: "3.0.0" }, { dir, baseUrl: artifactsUrl });
    const res = await fetch(artifact.url);
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    expect(`sha256:${createHash("sha256").update(body).digest("hex")}`).toBe(artifact.digest);
    expect((await fetch(`${artifactsUrl}/nothing.tar.gz`)).status).toBe(404);
  });

  it("a release with 5 % errors fails its first request and every 20th after it, and its health is what release.json says", async () => {
    const artifact = buildArtifact({ version: "4.0.0-bad", errorRatePct: 5, healthStatus: 503 }, { dir, baseUrl: artifactsUrl });
    const host: LabHost = { dir: path.join(dir, "hosts/test/green"), region: "test", colour: "green", port: servicePort };
    const pid = startHost(host, dir, artifact);
    stops.push(() => stopByPidFile(dir, "service-test-green"));
    expect(readPid(pidFile(dir, "service-test-green"))).toBe(pid);

    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push((await fetch(`http://127.0.0.1:${servicePort}/`)).status);
    expect(statuses.flatMap((s, i) => (s === 500 ? [i + 1] : []))).toEqual([1, 21, 41, 61, 81]);
    expect(statuses.filter((s) => s === 200)).toHaveLength(95);

    const health = await fetch(`http://127.0.0.1:${servicePort}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ version: "4.0.0-bad", region: "test", colour: "green" });
    const metrics = await (await fetch(`http://127.0.0.1:${servicePort}/metrics`)).text();
    expect(metrics).toContain('http_requests_total{code="500"} 5');
    expect(metrics).toContain('http_requests_total{code="200"} 95');
    expect(metrics).toContain("http_request_duration_seconds_count 100");
    expect(metrics).toContain('app_release_info{version="4.0.0-bad"} 1');
  });
});

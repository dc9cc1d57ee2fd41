import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument, stringify } from "yaml";
import { DEMO_CONFIG_PATH, type Env } from "@/server/config/load";
import type { CliIo } from "./io";
import { runDoctor } from "./doctor";

const SLACK_URL = "https://hooks.slack.com/services/T0A1B2C3D/B0E1F2G3H/abcdefghijklmnopqrstuvwx";
let dir: string;
let closedPort: number;
let written = 0;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "fd-doctor-"));
  const closing = createServer();
  await new Promise<void>((resolve) => closing.listen(0, "127.0.0.1", resolve));
  closedPort = (closing.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closing.close(() => resolve()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(env: Env): { io: CliIo; lines: string[] } {
  const lines: string[] = [];
  return { lines, io: { out: (l) => lines.push(l), err: (l) => lines.push(l), env, tty: false, sleep: async () => {} } };
}

/**
 * The demo fleet's us-east made a real fleet whose SSH, HAProxy and Prometheus nobody answers: these tests are
 * about the config's own lines (doctor-lab.test.ts reaches the lab's real servers).
 */
function realConfig(edit: (raw: Record<string, unknown>) => void = () => {}): string {
  const raw = parseDocument(readFileSync(DEMO_CONFIG_PATH, "utf8")).toJS();
  raw.demo = false;
  raw.baseUrl = "https://flightdeck.example.com";
  raw.regions = raw.regions.slice(0, 1);
  const us = raw.regions[0];
  us.targets = { blue: { host: "127.0.0.1" }, green: { hostEnv: "DROPLET_IP_GREEN" } };
  us.deploy = { provider: "ssh", privateKeyPath: "/nonexistent/key", port: closedPort, restartCommand: "true" };
  us.traffic = { provider: "haproxy", backend: "api", socket: `127.0.0.1:${closedPort}` };
  us.metrics = { provider: "prometheus", url: `http://127.0.0.1:${closedPort}` };
  raw.notifications = { channels: [{ id: "incidents", kind: "slack", purpose: "incidents", webhookUrlEnv: "SLACK_WEBHOOK_URL" }] };
  edit(raw);
  const file = path.join(dir, `fleet-${++written}.yaml`);
  writeFileSync(file, stringify(raw));
  return file;
}

describe("flightdeck doctor", () => {
  it("fails the demo fleet as a production config: demo mode, simulated providers, plain http", async () => {
    const { io, lines } = capture({});
    expect(await runDoctor(["--config", DEMO_CONFIG_PATH], io)).toBe(1);
    expect(lines[0]).toMatch(/^ok {4}config valid .*3 region\(s\), 1 service\(s\)/);
    expect(lines.find((l) => l.includes("demo mode"))).toMatch(/^FAIL  demo mode .*one click/);
    expect(lines.filter((l) => l.startsWith("sim "))).toHaveLength(12);
    expect(lines.find((l) => l.includes("baseUrl"))).toMatch(/^warn .*http:\/\/localhost:3000 is not https/);
    expect(lines.find((l) => l.includes("CI webhook secret"))).toMatch(/^warn.*FLIGHTDECK_WEBHOOK_SECRET is not set/);
    expect(lines.at(-1)).toBe("1 check(s) failed.");
  });

  it("lists unprotected environments, an allowed plain-http base URL and sign-in that admits nobody as warnings", async () => {
    const file = realConfig((raw) => {
      raw.baseUrl = "http://flightdeck.internal:3000";
      raw.allowInsecureHttp = true;
      raw.policies = { environments: [{ match: "production-*", protected: false }] };
    });
    const { io, lines } = capture({
      DROPLET_IP_GREEN: "127.0.0.1",
      DROPLET_USER: "deploy",
      SLACK_WEBHOOK_URL: SLACK_URL,
      GITHUB_ID: "id",
      GITHUB_SECRET: "secret",
    });
    await runDoctor(["--config", file], io);
    expect(lines.find((l) => l.includes("sign-in"))).toMatch(/^warn .*auth\.allow: GitHub sign-in is configured but auth\.allow names no GitHub organisation/);
    expect(lines.filter((l) => l.includes("production config"))).toEqual([
      expect.stringMatching(/^warn .*policies\.environments\[0\]: environment production-us-east is unprotected \(rule match: production-\*\)/),
      expect.stringMatching(/^warn .*baseUrl: http:\/\/flightdeck\.internal:3000 is not https \(allowed by allowInsecureHttp: true\)/),
    ]);
  });

  it("fails when NEXTAUTH_URL is another address than the config's baseUrl", async () => {
    const { io, lines } = capture({
      DROPLET_IP_GREEN: "127.0.0.1",
      DROPLET_USER: "deploy",
      SLACK_WEBHOOK_URL: SLACK_URL,
      NEXTAUTH_URL: "http://localhost:3000",
    });
    expect(await runDoctor(["--config", realConfig()], io)).toBe(1);
    expect(lines.find((l) => l.includes("public URL"))).toMatch(
      /^FAIL .*NEXTAUTH_URL: http:\/\/localhost:3000 is not the config's baseUrl https:\/\/flightdeck\.example\.com/,
    );
  });

  it("fails on a misspelt config variable instead of checking the demo fleet", async () => {
    const { io, lines } = capture({ FLIGHTDECK_CONFG: "/etc/flightdeck/fleet.yaml" });
    expect(await runDoctor([], io)).toBe(1);
    expect(lines[0]).toMatch(/^FAIL  config file .*FLIGHTDECK_CONFG: is set, but Flightdeck reads FLIGHTDECK_CONFIG/);
  });

  it("fails with one line per problem: a missing secret, an unreachable Prometheus, a malformed webhook URL", async () => {
    const { io, lines } = capture({ DROPLET_USER: "deploy", SLACK_WEBHOOK_URL: "not a url" });
    expect(await runDoctor(["--config", realConfig()], io)).toBe(1);
    expect(lines.find((l) => l.includes("secrets set"))).toMatch(/^FAIL.*DROPLET_IP_GREEN is not set/);
    expect(lines.find((l) => l.includes("us-east green SSH"))).toMatch(/^FAIL.*environment variable DROPLET_IP_GREEN \(us-east's green host\) is not set/);
    expect(lines.find((l) => l.includes("us-east blue SSH"))).toMatch(/^FAIL.*cannot read the SSH private key at \/nonexistent\/key/);
    expect(lines.find((l) => l.includes("us-east Prometheus queries"))).toMatch(
      /^FAIL.*Prometheus at http:\/\/127\.0\.0\.1:\d+: requests \(blue\): cannot be reached: ECONNREFUSED/,
    );
    expect(lines.find((l) => l.includes("slack channel incidents"))).toMatch(/^FAIL.*SLACK_WEBHOOK_URL is not a URL/);
    expect(lines.at(-1)).toMatch(/^\d+ check\(s\) failed\.$/);
  });

  it("fails on an invalid config, naming the problem, and answers --json", async () => {
    const bad = path.join(dir, "bad.yaml");
    writeFileSync(bad, "services: []\nregions: []\n");
    const { io, lines } = capture({});
    expect(await runDoctor(["--config", bad, "--json"], io)).toBe(1);
    const report = JSON.parse(lines.join("\n"));
    expect(report.ok).toBe(false);
    expect(report.checks[0]).toMatchObject({ name: "config valid", status: "fail", detail: expect.stringContaining("expected at least one service") });
  });
});

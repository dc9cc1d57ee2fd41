import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument, stringify } from "yaml";
import { DEMO_CONFIG_PATH, type Env } from "@/server/config/load";
import type { CliIo } from "./io";
import { runDoctor } from "./doctor";

const servers: Array<{ close: () => void }> = [];
let dir: string;
let sshPort: number;
let haproxyPort: number;
let prometheusPort: number;
let closedPort: number;
let written = 0;

const listen = async (server: Server | ReturnType<typeof createHttpServer>) => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  return (server.address() as AddressInfo).port;
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "fd-doctor-"));
  sshPort = await listen(createServer((s) => s.end("SSH-2.0-OpenSSH_9.2p1 Debian\r\n")));
  haproxyPort = await listen(
    createServer((s) => s.on("data", (d) => (String(d).startsWith("show info") ? s.end("Name: HAProxy\nVersion: 2.6.12\n") : s.end()))),
  );
  prometheusPort = await listen(createHttpServer((req, res) => res.writeHead(req.url === "/-/ready" ? 200 : 404).end("Prometheus Server is Ready.\n")));
  const closing = createServer();
  closedPort = await listen(closing);
  await new Promise<void>((resolve) => closing.close(() => resolve()));
});
afterAll(() => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

function capture(env: Env): { io: CliIo; lines: string[] } {
  const lines: string[] = [];
  return { lines, io: { out: (l) => lines.push(l), err: (l) => lines.push(l), env, tty: false, sleep: async () => {} } };
}

/** The demo fleet's us-east made a real fleet: SSH deploy, HAProxy runtime API and Prometheus on local servers. */
function realConfig(usEastPrometheusPort: number, edit: (raw: Record<string, unknown>) => void = () => {}): string {
  const raw = parseDocument(readFileSync(DEMO_CONFIG_PATH, "utf8")).toJS();
  raw.demo = false;
  raw.baseUrl = "https://flightdeck.example.com";
  raw.regions = raw.regions.slice(0, 1);
  const us = raw.regions[0];
  us.targets = { blue: { host: "127.0.0.1" }, green: { hostEnv: "DROPLET_IP_GREEN" } };
  us.deploy = { provider: "ssh", privateKeyPath: "/nonexistent/key", port: sshPort, restartCommand: "true" };
  us.traffic = { provider: "haproxy", backend: "api", socket: `127.0.0.1:${haproxyPort}` };
  us.metrics = { provider: "prometheus", url: `http://127.0.0.1:${usEastPrometheusPort}` };
  raw.notifications = { channels: [{ id: "incidents", kind: "slack", purpose: "incidents", webhookUrlEnv: "SLACK_WEBHOOK_URL" }] };
  edit(raw);
  const file = path.join(dir, `fleet-${usEastPrometheusPort}-${++written}.yaml`);
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
    const file = realConfig(prometheusPort, (raw) => {
      raw.baseUrl = "http://flightdeck.internal:3000";
      raw.allowInsecureHttp = true;
      raw.policies = { environments: [{ match: "production-*", protected: false }] };
    });
    const { io, lines } = capture({
      DROPLET_IP_GREEN: "127.0.0.1",
      DROPLET_USER: "deploy",
      SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T/B/x",
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
      SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T/B/x",
      NEXTAUTH_URL: "http://localhost:3000",
    });
    expect(await runDoctor(["--config", realConfig(prometheusPort)], io)).toBe(1);
    expect(lines.find((l) => l.includes("public URL"))).toMatch(
      /^FAIL .*NEXTAUTH_URL: http:\/\/localhost:3000 is not the config's baseUrl https:\/\/flightdeck\.example\.com/,
    );
  });

  it("fails on a misspelt config variable instead of checking the demo fleet", async () => {
    const { io, lines } = capture({ FLIGHTDECK_CONFG: "/etc/flightdeck/fleet.yaml" });
    expect(await runDoctor([], io)).toBe(1);
    expect(lines[0]).toMatch(/^FAIL  config file .*FLIGHTDECK_CONFG: is set, but Flightdeck reads FLIGHTDECK_CONFIG/);
  });

  it("reaches SSH, HAProxy and Prometheus for real and checks the webhook URLs", async () => {
    const { io, lines } = capture({
      DROPLET_IP_GREEN: "127.0.0.1",
      DROPLET_USER: "deploy",
      SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T/B/x",
      FLIGHTDECK_WEBHOOK_SECRET: "s".repeat(20),
    });
    const code = await runDoctor(["--config", realConfig(prometheusPort)], io);
    expect(lines.join("\n"), lines.join("\n")).not.toContain("FAIL");
    expect(code).toBe(0);
    expect(lines.find((l) => l.includes("us-east blue SSH"))).toMatch(/^ok .*answers: SSH-2\.0-OpenSSH/);
    expect(lines.find((l) => l.includes("us-east load balancer"))).toMatch(/^ok .*Name: HAProxy/);
    expect(lines.find((l) => l.includes("us-east Prometheus"))).toMatch(/^ok .*\/-\/ready answers 200/);
    expect(lines.find((l) => l.includes("slack channel incidents"))).toMatch(/^ok .*well-formed https URL \(hooks\.slack\.com\)/);
    expect(lines.find((l) => l.includes("production config"))).toMatch(/^ok .*every environment gated, https:\/\/flightdeck\.example\.com is https/);
  });

  it("fails with one line per problem: a missing secret, an unreachable Prometheus, a malformed webhook URL", async () => {
    const { io, lines } = capture({ DROPLET_USER: "deploy", SLACK_WEBHOOK_URL: "not a url" });
    expect(await runDoctor(["--config", realConfig(closedPort)], io)).toBe(1);
    expect(lines.find((l) => l.includes("secrets set"))).toMatch(/^FAIL.*DROPLET_IP_GREEN is not set/);
    expect(lines.find((l) => l.includes("us-east green SSH"))).toMatch(/^FAIL.*set DROPLET_IP_GREEN/);
    expect(lines.find((l) => l.includes("us-east Prometheus"))).toMatch(/^FAIL.*ECONNREFUSED/);
    expect(lines.find((l) => l.includes("slack channel incidents"))).toMatch(/^FAIL.*SLACK_WEBHOOK_URL is not an http\(s\) URL/);
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

/**
 * `flightdeck doctor` against the lab's real servers: sshd (key login, pinned host key, install dirs), HAProxy's
 * runtime API, nginx (`-T` with its upstream file, over SSH on the region's port), Prometheus (every query for
 * both colours). The lab's own config passes; each fault a real fleet can have fails its line, naming what is
 * wrong and where, and no line ever shows a secret.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument, stringify } from "yaml";
import { regionPorts, startLabOnFreePorts, waitFor } from "@/lab/flightdeck-harness";
import type { RunningLab } from "@/lab/stack";
import { tempLabDir } from "@/lab/test-support";
import type { CliIo } from "./io";
import { runDoctor } from "./doctor";

const dir = tempLabDir();
let lab: RunningLab;
let written = 0;

type Raw = { regions: Array<Record<string, Record<string, unknown>> & { id: string }>; notifications: { channels: unknown[] } };

/** Prometheus has held every target for a few scrapes: a sample's window (30 s by default) then holds two points. */
async function scrapedThrice(): Promise<boolean> {
  const answer = (await (await fetch(`${lab.prometheusUrl}/api/v1/query?query=${encodeURIComponent("min(count_over_time(up[30s]))")}`)).json()) as {
    data: { result: Array<{ value: [number, string] }> };
  };
  return Number(answer.data.result[0]?.value[1] ?? 0) >= 3;
}

beforeAll(async () => {
  lab = await startLabOnFreePorts(dir);
  await waitFor("three scrapes of every target", scrapedThrice, 20_000);
}, 90_000);
afterAll(async () => {
  await lab?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const SLACK = "https://hooks.slack.com/services/T0A1B2C3D/B0E1F2G3H/abcdefghijklmnopqrstuvwx";
const TEAMS =
  "https://prod-07.westeurope.logic.azure.com:443/workflows/0123456789abcdef0123456789abcdef/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=s3cr3tSignatureValue";

/** The lab's own config file, with two channels and whatever `edit` changes. */
function labConfig(edit: (raw: Raw) => void = () => {}): string {
  const raw = parseDocument(readFileSync(lab.configFile, "utf8")).toJS() as Raw;
  raw.notifications = {
    channels: [
      { id: "incidents", kind: "slack", purpose: "incidents", webhookUrlEnv: "SLACK_WEBHOOK_URL" },
      { id: "deployments", kind: "teams", purpose: "deployments", webhookUrlEnv: "TEAMS_WEBHOOK_URL" },
    ],
  };
  edit(raw);
  const file = path.join(dir, `doctor-${++written}.yaml`);
  writeFileSync(file, stringify(raw));
  return file;
}

const region = (raw: Raw, id: string) => raw.regions.find((r) => r.id === id)!;

async function doctor(file: string, env: Record<string, string> = {}): Promise<{ code: number; lines: string[]; line: (name: string) => string }> {
  const lines: string[] = [];
  const io: CliIo = {
    out: (l) => lines.push(l),
    err: (l) => lines.push(l),
    env: { ...lab.env, SLACK_WEBHOOK_URL: SLACK, TEAMS_WEBHOOK_URL: TEAMS, FLIGHTDECK_WEBHOOK_SECRET: "w".repeat(32), ...env },
    tty: false,
    sleep: async () => {},
  };
  const code = await runDoctor(["--config", file], io);
  const text = lines.join("\n");
  // No secret reaches the output: webhook paths and queries, the admin's password, the key itself.
  for (const secret of ["abcdefghijklmnopqrstuvwx", "s3cr3tSignatureValue", lab.env.FLIGHTDECK_ADMIN_PASSWORD, "PRIVATE KEY"])
    expect(text).not.toContain(secret);
  const line = (name: string) => lines.find((l) => l.slice(6).startsWith(name)) ?? `(no line ${name} in)\n${text}`;
  return { code, lines, line };
}

describe("flightdeck doctor against the lab", () => {
  it("passes on the lab: SSH logins with the pinned key on the region's port, writable install dirs, both backends, nginx -t with the upstream, every query", async () => {
    const { code, lines, line } = await doctor(labConfig());
    const sshPort = lab.endpoints.ssh.port;
    expect(
      lines.filter((l) => l.startsWith("FAIL")),
      lines.join("\n"),
    ).toEqual([]);
    expect(code).toBe(0);
    for (const id of ["us-east", "eu-west", "apac-se"])
      for (const colour of ["blue", "green"])
        expect(line(`${id} ${colour} SSH`)).toMatch(
          new RegExp(`^ok .*logged in to root@127\\.0\\.0\\.1:${sshPort} \\(host key SHA256:.+ pinned\\); .*/hosts/${id}/${colour} is writable$`),
        );
    expect(line("us-east load balancer (HAProxy)")).toMatch(
      /^ok .*backend be_us-east holds blue \(server blue, weight \d+\), green \(server green, weight \d+\)$/,
    );
    expect(line("eu-west load balancer (HAProxy)")).toMatch(/^ok .*backend be_eu-west holds blue/);
    // The apac-se case of issue 15: nginx's host is reached where the provider logs in (the region's SSH port), not on 22.
    expect(line("apac-se load balancer (nginx)")).toMatch(
      new RegExp(
        `^ok .*nginx -t passes on root@127\\.0\\.0\\.1:${sshPort} with .*upstream\\.conf: upstream be_apac-se holds blue 127\\.0\\.0\\.1:\\d+ \\(weight \\d+\\), green`,
      ),
    );
    expect(line("us-east Prometheus queries")).toMatch(
      /^ok .*10 queries \(requests, errorRatePct, latencyP95Ms, cpuPct, memoryPct; blue and green\) each return one series from http:\/\/127\.0\.0\.1:\d+$/,
    );
    expect(line("slack channel incidents")).toMatch(/^ok .*SLACK_WEBHOOK_URL: a Slack incoming webhook URL \(hooks\.slack\.com\)$/);
    expect(line("teams channel deployments")).toMatch(/^ok .*TEAMS_WEBHOOK_URL: a Teams Workflows webhook URL \(prod-07\.westeurope\.logic\.azure\.com\)$/);
  }, 60_000);

  it("fails a host whose key is not the pinned one, naming both fingerprints and where the pin is", async () => {
    const { code, line } = await doctor(labConfig((raw) => (region(raw, "us-east").deploy.hostKeySha256 = `SHA256:${"A".repeat(43)}`)));
    expect(code).toBe(1);
    expect(line("us-east blue SSH")).toMatch(
      /^FAIL .*host key mismatch for root@127\.0\.0\.1:\d+: the host offers SHA256:\S+, the config \(regions\.us-east\.deploy\.hostKeySha256\) expects SHA256:A{43}; refusing to connect/,
    );
    expect(line("eu-west blue SSH")).toMatch(/^ok /);
  }, 60_000);

  it("fails an install dir the deploy user cannot write", async () => {
    const blocker = path.join(dir, "a-file");
    writeFileSync(blocker, "not a directory\n");
    const { code, line } = await doctor(labConfig((raw) => (region(raw, "eu-west").deploy.installDir = `${blocker}/{colour}`)));
    expect(code).toBe(1);
    expect(line("eu-west green SSH")).toMatch(/^FAIL .*logged in to root@127\.0\.0\.1:\d+, but .*\/a-file\/green is not writable: mkdir: .*Not a directory/);
  }, 60_000);

  it("reads a HAProxy backend over SSH on the load balancer host, logging in as the region's deploy does", async () => {
    const { line } = await doctor(
      labConfig((raw) => {
        const traffic = region(raw, "eu-west").traffic;
        traffic.remoteSocket = traffic.socket;
        traffic.socket = "ssh";
      }),
    );
    expect(line("eu-west load balancer (HAProxy)")).toMatch(
      new RegExp(`^ok .*HAProxy at .*admin\\.sock on 127\\.0\\.0\\.1 \\(over SSH\\): backend be_eu-west holds blue \\(server blue, weight \\d+\\), green`),
    );
  }, 60_000);

  it("fails a HAProxy backend that lacks a configured server", async () => {
    const { code, line } = await doctor(labConfig((raw) => ((region(raw, "us-east").targets.green as Record<string, unknown>).server = "green-old")));
    expect(code).toBe(1);
    expect(line("us-east load balancer (HAProxy)")).toMatch(/^FAIL .*backend be_us-east lacks green \(server green-old: No such server\.\)/);
  }, 60_000);

  it("fails when nginx -t rejects the upstream file, and when the upstream lacks a colour's server", async () => {
    const file = lab.endpoints.nginx["apac-se"].upstreamFile;
    const good = readFileSync(file, "utf8");
    try {
      writeFileSync(file, good.replace(/weight=\d+/, "weight=heavy"));
      const broken = await doctor(labConfig());
      expect(broken.code).toBe(1);
      expect(broken.line("apac-se load balancer (nginx)")).toMatch(/^FAIL .* -t fails on root@127\.0\.0\.1:\d+: .*invalid parameter "weight=heavy"/);

      writeFileSync(file, good.replace(new RegExp(`^.*:${regionPorts(lab, "apac-se").green}.*\n`, "m"), ""));
      const partial = await doctor(labConfig());
      expect(partial.line("apac-se load balancer (nginx)")).toMatch(
        /^FAIL .*nginx -t passes .* but .*upstream be_apac-se has no readable server line for green/,
      );
    } finally {
      writeFileSync(file, good);
    }
  }, 60_000);

  it("fails an upstream file nginx does not include, and warns when a sudo rule refuses -T", async () => {
    const nginx = lab.endpoints.nginx["apac-se"];
    const stray = path.join(dir, "stray-upstream.conf");
    writeFileSync(stray, readFileSync(nginx.upstreamFile, "utf8"));
    const notIncluded = await doctor(labConfig((raw) => (region(raw, "apac-se").traffic.upstreamFile = stray)));
    expect(notIncluded.line("apac-se load balancer (nginx)")).toMatch(
      /^FAIL .*nginx -t passes on root@127\.0\.0\.1:\d+, but its config does not include .*stray-upstream\.conf: weights written there would change nothing/,
    );

    // As `sudo nginx` limited to -t and -s reload would: -T refused, everything else as nginx itself.
    const limited = path.join(dir, "nginx-without-T.sh");
    writeFileSync(
      limited,
      `#!/bin/sh\nfor a in "$@"; do [ "$a" = -T ] && { echo "sudo: a password is required" >&2; exit 1; }; done\nexec ${nginx.command} "$@"\n`,
    );
    const warned = await doctor(labConfig((raw) => (region(raw, "apac-se").traffic.nginxCommand = `sh ${limited}`)));
    expect(warned.code).toBe(0);
    expect(warned.line("apac-se load balancer (nginx)")).toMatch(
      /^warn .*nginx -t passes on root@127\.0\.0\.1:\d+, upstream be_apac-se holds blue .*; not checked that nginx includes .*upstream\.conf: sh .*nginx-without-T\.sh -T was refused$/,
    );
  }, 60_000);

  it("reaches apac-se's nginx host on the port its provider uses: traffic.ssh's own port when it names one", async () => {
    const { code, line } = await doctor(
      labConfig((raw) => {
        const d = region(raw, "apac-se").deploy;
        region(raw, "apac-se").traffic.ssh = { userEnv: "DROPLET_USER", privateKeyPath: d.privateKeyPath, hostKeySha256: d.hostKeySha256, port: 1 };
      }),
    );
    expect(code).toBe(1);
    expect(line("apac-se load balancer (nginx)")).toMatch(/^FAIL .*cannot reach root@127\.0\.0\.1:1 over SSH: connection refused/);
    expect(line("apac-se blue SSH")).toMatch(/^ok /);
  }, 60_000);

  it("fails a query that returns no series for a colour", async () => {
    const { code, line } = await doctor(
      labConfig((raw) => {
        const queries = region(raw, "eu-west").metrics.queries as Record<string, string>;
        queries.latencyP95Ms = queries.latencyP95Ms.replace("http_request_duration_seconds_bucket", "http_request_duration_bucket");
      }),
    );
    expect(code).toBe(1);
    expect(line("eu-west Prometheus queries")).toMatch(
      /^FAIL .*no series for latencyP95Ms \(blue\), latencyP95Ms \(green\): check the query's metric and label names \(metrics\.queries\)/,
    );
    expect(line("us-east Prometheus queries")).toMatch(/^ok /);
  }, 60_000);

  it("fails malformed webhook URLs without posting and without printing them", async () => {
    const { code, line } = await doctor(labConfig(), {
      SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T0A1B2C3D/abcdefghijklmnopqrstuvwx",
      TEAMS_WEBHOOK_URL: TEAMS.replace(/&sig=.*$/, ""),
    });
    expect(code).toBe(1);
    expect(line("slack channel incidents")).toMatch(/^FAIL .*SLACK_WEBHOOK_URL: not a Slack incoming webhook path .*is it cut short\?/);
    expect(line("teams channel deployments")).toMatch(/^FAIL .*TEAMS_WEBHOOK_URL: a Workflows URL without sig in its query/);
  }, 60_000);
});

/**
 * Attacks on Flightdeck's defaults: a config that silently becomes the demo fleet (one-click admin), a demo server
 * reachable from the network, demo users sharing the real fleet's database, an environment whose name escapes
 * the reviewer gate, and a demo config that drives real hosts. Each test is written as the attack.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseDocument, stringify } from "yaml";
import { authSecretFile } from "@/server/auth/secret";
import { databaseFile, selectFleetDatabase } from "@/server/config/database";
import { ConfigError, DEMO_CONFIG_PATH, loadConfig, parseConfig, type ConfigProblem } from "@/server/config/load";
import { startPlan } from "@/server/config/preflight";
import { requiredReviewers } from "@/server/engine/store/load";

const demoRaw = () => parseDocument(readFileSync(DEMO_CONFIG_PATH, "utf8")).toJS() as Record<string, unknown> & { regions: Array<Record<string, unknown>> };
const demo = parseConfig(readFileSync(DEMO_CONFIG_PATH, "utf8"), {}).config!;

/** A real one-region fleet: SSH, HAProxy, Prometheus, https; `edit` changes the raw YAML. */
function realFleet(edit: (raw: Record<string, unknown> & { regions: Array<Record<string, unknown>> }) => void = () => {}) {
  const raw = demoRaw();
  raw.demo = false;
  raw.baseUrl = "https://flightdeck.example.com";
  raw.regions = [
    {
      ...raw.regions[0],
      deploy: { provider: "ssh", privateKeyPath: "/etc/flightdeck/key", restartCommand: "systemctl restart api" },
      traffic: { provider: "haproxy", backend: "api", socket: "/run/haproxy/admin.sock" },
      metrics: { provider: "prometheus", url: "https://prometheus.example.com" },
    },
  ];
  delete raw.policies;
  edit(raw);
  return parseConfig(stringify(raw), { DROPLET_USER: "deploy" });
}

function thrown(fn: () => unknown): ConfigProblem[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe("a config that was meant does not silently become the demo fleet", () => {
  it("a misspelt FLIGHTDECK_CONFIG variable is refused, naming it, instead of starting the demo", () => {
    expect(thrown(() => loadConfig({ FLIGHTDECK_CONFG: "/etc/flightdeck/fleet.yaml" }))).toEqual([
      {
        path: "FLIGHTDECK_CONFG",
        message: "is set, but Flightdeck reads FLIGHTDECK_CONFIG; rename the variable (nothing falls back to the demo fleet while a config is meant)",
      },
    ]);
  });

  it("an empty FLIGHTDECK_CONFIG (a blank line in an env file) is refused", () => {
    expect(thrown(() => loadConfig({ FLIGHTDECK_CONFIG: "" }))).toEqual([
      { path: "FLIGHTDECK_CONFIG", message: "is set but empty: name the fleet config file, or unset it to run the local demo" },
    ]);
  });

  it("a config file saved as flightdeck.config.yml is refused instead of starting the demo beside it", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fd-attack-config-"));
    writeFileSync(path.join(dir, "flightdeck.config.yml"), stringify(demoRaw()));
    const problems = thrown(() => loadConfig({}, dir));
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toMatch(/^Flightdeck reads \.\/flightdeck\.config\.yaml, not \.\/flightdeck\.config\.yml/);
  });

  it("a FLIGHTDECK_CONFIG naming a missing file is an error naming the path", () => {
    expect(thrown(() => loadConfig({ FLIGHTDECK_CONFIG: "/etc/flightdeck/fleet.yml" }))[0].message).toMatch(
      /^no config file at \/etc\/flightdeck\/fleet\.yml \(named by FLIGHTDECK_CONFIG/,
    );
  });
});

describe("the demo stays in its box", () => {
  it("the demo server listens on 127.0.0.1 only, and says so; HOST overrides it explicitly", () => {
    const plan = startPlan({ config: demo, file: DEMO_CONFIG_PATH }, {}, "3000");
    expect(plan.host).toBe("127.0.0.1");
    expect(plan.banner.join("\n")).toMatch(/Demo mode: listening on 127\.0\.0\.1 only \(HOST overrides it\)/);
    expect(startPlan({ config: demo, file: DEMO_CONFIG_PATH }, { HOST: "0.0.0.0" }, "3000").host).toBe("0.0.0.0");
    const real = realFleet().config!;
    expect(startPlan({ config: real, file: "fleet.yaml" }, {}, "3000").host).toBeUndefined();
  });

  it("npm start serves on the address the plan chose", () => {
    const start = readFileSync(path.join(import.meta.dirname, "../../scripts/start.mjs"), "utf8");
    expect(start).toMatch(/preflightOrExit\(process\.env, port\)/);
    expect(start).toMatch(/"start", "-p", port, \.\.\.\(plan\.host \? \["-H", plan\.host\] : \[\]\)/);
  });

  it("the demo's users, sessions and tokens never land in the real fleet's database", () => {
    const cwd = "/srv/flightdeck";
    expect(databaseFile(demo, {}, cwd)).toBe("/srv/flightdeck/data/demo.db");
    expect(databaseFile({ demo: false }, {}, cwd)).toBe("/srv/flightdeck/data/flightdeck.db");
    expect(databaseFile(demo, { FLIGHTDECK_DB: "/tmp/e2e/flightdeck.db" }, cwd)).toBe("/tmp/e2e/flightdeck.db");
    const env: Record<string, string | undefined> = {};
    selectFleetDatabase(demo, env);
    expect(env.FLIGHTDECK_DB).toMatch(/\/data\/demo\.db$/);
    expect(startPlan({ config: demo, file: DEMO_CONFIG_PATH }, {}, "3000").database).toMatch(/\/data\/demo\.db$/);
    // Nor are the demo's session cookies signed with the real fleet's kept secret.
    expect(authSecretFile({ FLIGHTDECK_DB: databaseFile(demo, {}, cwd) } as unknown as NodeJS.ProcessEnv)).not.toBe(
      authSecretFile({ FLIGHTDECK_DB: databaseFile({ demo: false }, {}, cwd) } as unknown as NodeJS.ProcessEnv),
    );
  });

  it("a demo config that drives a real host over SSH is refused, naming the region and field", () => {
    const raw = demoRaw();
    raw.regions[1].deploy = { provider: "ssh", privateKeyPath: "/root/.ssh/id_ed25519", restartCommand: "true" };
    const { config, problems } = parseConfig(stringify(raw), { DROPLET_USER: "root" });
    expect(config).toBeUndefined();
    expect(problems).toEqual([
      {
        path: "regions[1].deploy.provider",
        message:
          'region eu-west uses the real deploy provider "ssh", but the config has demo: true (one-click admin sign-in for anyone who reaches the port). Remove demo: true to run a real fleet, or use provider: simulated',
      },
    ]);
  });

  it("demo mode with a real load balancer or Prometheus is refused too", () => {
    const raw = demoRaw();
    raw.regions[0].traffic = { provider: "nginx", upstreamFile: "/etc/nginx/conf.d/api.conf", upstream: "api" };
    raw.regions[2].metrics = { provider: "prometheus", url: "http://prometheus:9090" };
    expect(parseConfig(stringify(raw), { LB_IP: "10.0.0.9" }).problems.map((p) => p.path)).toEqual([
      "regions[0].traffic.provider",
      "regions[2].metrics.provider",
    ]);
  });
});

describe("a real fleet fails closed", () => {
  it("a real config that names no traffic provider is refused instead of simulating the load balancer", () => {
    const { config, problems } = realFleet((raw) => delete raw.regions[0].traffic);
    expect(config).toBeUndefined();
    expect(problems).toEqual([
      {
        path: "regions[0].traffic.provider",
        message:
          "no traffic provider named for region us-east: a real fleet names its own (haproxy, nginx or cloudflare); simulated providers only run with demo: true",
      },
    ]);
  });

  it("a real config that asks for simulated metrics is refused", () => {
    expect(realFleet((raw) => (raw.regions[0].metrics = { provider: "simulated" })).problems).toEqual([
      {
        path: "regions[0].metrics.provider",
        message: "region us-east uses the simulated metrics provider, which only runs with demo: true; a real fleet names prometheus",
      },
    ]);
  });

  it("a real config on plain http is refused unless allowInsecureHttp: true says so", () => {
    const { problems } = realFleet((raw) => (raw.baseUrl = "http://flightdeck.example.com"));
    expect(problems.map((p) => p.path)).toEqual(["baseUrl"]);
    expect(problems[0].message).toMatch(/^"http:\/\/flightdeck\.example\.com" is not https: sign-in cookies and tokens would cross the network in clear/);
    expect(realFleet((raw) => Object.assign(raw, { baseUrl: "http://flightdeck.internal", allowInsecureHttp: true })).problems).toEqual([]);
  });

  it.each(["prod-eu", "production", "payments-live"])("an environment named %s gets the 1 functional + 1 SRE gate by default", (environment) => {
    const config = realFleet((raw) => (raw.regions[0].environment = environment)).config!;
    expect(requiredReviewers(config, environment)).toEqual({ functional: 1, sre: 1 });
  });

  it("a policy list that only names production-* still gates prod-eu; only protected: false opts out", () => {
    const config = realFleet((raw) => {
      raw.regions[0].environment = "prod-eu";
      raw.policies = {
        environments: [
          { match: "production-*", requiredReviewers: { functional: 2, sre: 1 } },
          { match: "staging-*", protected: false },
        ],
      };
    }).config!;
    expect(requiredReviewers(config, "prod-eu")).toEqual({ functional: 1, sre: 1 });
    expect(requiredReviewers(config, "production-us")).toEqual({ functional: 2, sre: 1 });
    expect(requiredReviewers(config, "staging-eu")).toBeNull();
  });
});

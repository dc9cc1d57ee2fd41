import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, DEMO_CONFIG_PATH, environmentPolicy, globMatch, loadConfig, parseConfig, regionSettings, resolveConfigPath } from "./load";
import { oneRegionDemoFleet } from "./config.fixtures";
import { DEFAULT_STAGES } from "./schema";

const demo = readFileSync(DEMO_CONFIG_PATH, "utf8");
/** A one-region demo fleet (simulated providers, named as they must be). */
const minimal = (regionExtra = "") => oneRegionDemoFleet({ region: regionExtra });

describe("fleet config", () => {
  it("accepts the shipped demo fleet: three regions in order with the spec's stages", () => {
    const { config, problems } = parseConfig(demo, {});
    expect(problems).toEqual([]);
    expect(config!.demo).toBe(true);
    expect(config!.regions.map((r) => r.id)).toEqual(["us-east", "eu-west", "apac-se"]);
    expect(config!.stages).toEqual(DEFAULT_STAGES);
  });

  it("fills the spec's defaults: stages, analysis, policies", () => {
    const { config } = parseConfig(minimal(), {});
    expect(config!.stages.map((s) => [s.percent, s.maxErrorRatePct, s.maxLatencyP95Ms, s.durationMinutes])).toEqual([
      [10, 1.0, 500, 5],
      [25, 0.8, 450, 5],
      [50, 0.5, 400, 5],
      [75, 0.3, 350, 5],
      [100, 0.2, 300, 30],
    ]);
    expect(config!.stages[4]).toMatchObject({ maxCpuPct: 70, maxMemoryPct: 70, healthStatus: 200 });
    expect(config!.analysis).toMatchObject({ intervalSeconds: 30, failureLimit: 1, inconclusiveLimit: 3, minRequests: 20 });
    expect(config!.policies.allowedRefs).toEqual(["refs/heads/main", "refs/heads/release/*"]);
    expect(environmentPolicy(config!, "production-us-east")).toMatchObject({ requiredReviewers: { functional: 1, sre: 1 }, protected: true });
    expect(environmentPolicy(config!, "staging")).toMatchObject({ requiredReviewers: { functional: 1, sre: 1 }, protected: true });
  });

  it("lists every problem by path, with what was expected and what was found", () => {
    const bad = minimal(`    stages:
      - { percent: 10, maxErrorRatePct: 1, maxLatencyP95Ms: 500, durationMinutes: 5 }
      - { percent: 50, maxErrorRatePct: 1, maxLatencyP95Ms: 500, durationMinutes: 5 }
      - { percent: 100, maxErrorRatePct: "abc", maxLatencyP95Ms: -3, durationMinutes: 5 }
    trafic: { provider: simulated }`);
    const { config, problems } = parseConfig(bad, {});
    expect(config).toBeUndefined();
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: "regions[0].stages[2].maxErrorRatePct", message: 'expected a number from 0 to 100, got "abc"' },
        { path: "regions[0].stages[2].maxLatencyP95Ms", message: "expected a number from 1 to 600000, got -3" },
        { path: "regions[0]", message: 'unknown field(s) "trafic"' },
      ]),
    );
  });

  it("refuses stages that do not climb to 100 %", () => {
    const { problems } = parseConfig(
      minimal(`    stages:
      - { percent: 50, maxErrorRatePct: 1, maxLatencyP95Ms: 500, durationMinutes: 5 }
      - { percent: 25, maxErrorRatePct: 1, maxLatencyP95Ms: 500, durationMinutes: 5 }`),
      {},
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: "regions[0].stages[1].percent", message: "expected more than the previous stage's 50 %, got 25" },
        { path: "regions[0].stages[1].percent", message: "the last stage must send 100 % to the new colour, got 25" },
      ]),
    );
  });

  it("names duplicate region ids and orders", () => {
    const twice = `services: [{ id: api, name: API }]
regions:
  - { id: us-east, name: A, environment: production-us-east, order: 1, targets: { blue: { host: a }, green: { host: b } } }
  - { id: us-east, name: B, environment: production-us-east, order: 1, targets: { blue: { host: a }, green: { host: b } } }`;
    expect(parseConfig(twice, {}).problems).toEqual([
      { path: "regions[1].id", message: 'duplicate id "us-east", already used by regions[0]' },
      { path: "regions[1].order", message: "duplicate order 1, already used by regions[0]" },
    ]);
  });

  it("reports YAML syntax errors with line and column", () => {
    const { problems } = parseConfig("services: [\n  - id: : x\n", {});
    expect(problems[0].path).toMatch(/^line \d+, column \d+$/);
  });

  it("references secrets by environment variable name and reports each one that is not set", () => {
    const cfg =
      minimal(`    targets: { blue: { hostEnv: DROPLET_IP_BLUE }, green: { hostEnv: DROPLET_IP_GREEN } }`).replace(
        "    targets: { blue: { host: 10.0.0.1 }, green: { host: 10.0.0.2 } }\n",
        "",
      ) +
      `notifications:
  channels:
    - { id: incidents, kind: slack, purpose: incidents, webhookUrlEnv: SLACK_WEBHOOK_URL }
`;
    expect(parseConfig(cfg, { DROPLET_IP_BLUE: "10.0.0.1" }).problems).toEqual([
      { path: "regions[0].targets.green.hostEnv", message: "environment variable DROPLET_IP_GREEN is not set" },
      { path: "notifications.channels[0].webhookUrlEnv", message: "environment variable SLACK_WEBHOOK_URL is not set" },
    ]);
    expect(parseConfig(cfg, { DROPLET_IP_BLUE: "a", DROPLET_IP_GREEN: "b", SLACK_WEBHOOK_URL: "https://hooks" }).problems).toEqual([]);
  });

  it("refuses a secret written in clear where a variable name is expected", () => {
    const cfg =
      minimal() +
      `notifications:\n  channels:\n    - { id: incidents, kind: slack, purpose: incidents, webhookUrlEnv: "https://hooks.slack.com/services/T000/B000/XXXX" }\n`;
    expect(parseConfig(cfg, {}).problems[0]).toEqual({
      path: "notifications.channels[0].webhookUrlEnv",
      message: 'expected an environment variable name such as SLACK_WEBHOOK_URL, got "https://hooks.slack.com/services/T000/B000/XXXX"',
    });
  });

  it("merges a region's analysis over the fleet's", () => {
    const { config } = parseConfig(minimal(`    analysis: { intervalSeconds: 5 }`), {});
    expect(regionSettings(config!, config!.regions[0]).analysis).toMatchObject({ intervalSeconds: 5, failureLimit: 1, inconclusiveLimit: 3, minRequests: 20 });
  });

  it("finds the file: FLIGHTDECK_CONFIG, else ./flightdeck.config.yaml, else the demo fleet", () => {
    expect(resolveConfigPath({ FLIGHTDECK_CONFIG: "/etc/fd.yaml" })).toBe("/etc/fd.yaml");
    expect(resolveConfigPath({})).toBe(DEMO_CONFIG_PATH);
    const dir = mkdtempSync(path.join(tmpdir(), "fd-resolve-"));
    writeFileSync(path.join(dir, "flightdeck.config.yaml"), "");
    expect(resolveConfigPath({}, dir)).toBe(path.join(dir, "flightdeck.config.yaml"));
    expect(resolveConfigPath({ FLIGHTDECK_CONFIG: "fleet.yaml" }, dir)).toBe(path.join(dir, "fleet.yaml"));
  });

  it("never takes the demo fleet when a config is meant: an empty FLIGHTDECK_CONFIG, a misspelt variable, a misnamed file", () => {
    const problem = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return (err as ConfigError).problems[0];
      }
      return null;
    };
    expect(problem(() => resolveConfigPath({ FLIGHTDECK_CONFIG: "" }))).toEqual({
      path: "FLIGHTDECK_CONFIG",
      message: "is set but empty: name the fleet config file, or unset it to run the local demo",
    });
    expect(problem(() => resolveConfigPath({ FLIGHTDECK_CONFG: "/etc/fd.yaml" }))?.path).toBe("FLIGHTDECK_CONFG");
    expect(problem(() => resolveConfigPath({ FLIGHTDECK_CONFIG_FILE: "/etc/fd.yaml" }))?.message).toMatch(/Flightdeck reads FLIGHTDECK_CONFIG/);
    expect(problem(() => resolveConfigPath({ FLIGHTDECK_E2E_CONFIG: "/etc/fd.yaml", FLIGHTDECK_DB: "x" }))).toBeNull();
    const dir = mkdtempSync(path.join(tmpdir(), "fd-resolve-"));
    writeFileSync(path.join(dir, "flightdeck.config.yml"), "");
    expect(problem(() => resolveConfigPath({}, dir))?.message).toMatch(
      /^Flightdeck reads \.\/flightdeck\.config\.yaml, not \.\/flightdeck\.config\.yml: rename it or set FLIGHTDECK_CONFIG=flightdeck\.config\.yml/,
    );
  });

  it("a FLIGHTDECK_CONFIG naming a missing file is an error naming the path", () => {
    expect(() => loadConfig({ FLIGHTDECK_CONFIG: "/nonexistent/fleet.yaml" })).toThrow(
      /no config file at \/nonexistent\/fleet\.yaml \(named by FLIGHTDECK_CONFIG/,
    );
  });

  it("matches release branches with *", () => {
    expect(globMatch("refs/heads/release/*", "refs/heads/release/1.4")).toBe(true);
    expect(globMatch("refs/heads/release/*", "refs/heads/release/1.4/hotfix")).toBe(false);
    expect(globMatch("refs/heads/main", "refs/heads/main2")).toBe(false);
  });
});

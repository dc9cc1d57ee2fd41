import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseDocument, stringify } from "yaml";
import { DEMO_CONFIG_PATH, parseConfig } from "./load";
import { startPlan } from "./preflight";
import { isHttpsPublicUrl, publicUrl } from "./public-url";
import { productionFindings, startupProblems } from "./readiness";

const demo = parseConfig(readFileSync(DEMO_CONFIG_PATH, "utf8"), {}).config!;

/** The demo fleet turned into a real one-region fleet on https. */
function real(edit: (raw: Record<string, unknown>) => void = () => {}) {
  const raw = parseDocument(readFileSync(DEMO_CONFIG_PATH, "utf8")).toJS();
  Object.assign(raw, { demo: false, baseUrl: "https://flightdeck.example.com" });
  raw.regions = [
    {
      ...raw.regions[0],
      deploy: { provider: "ssh", privateKeyPath: "/etc/flightdeck/key", restartCommand: "true" },
      traffic: { provider: "cloudflare" },
      metrics: { provider: "prometheus", url: "https://prometheus.example.com" },
    },
  ];
  edit(raw);
  const { config, problems } = parseConfig(stringify(raw), {}, { requireEnv: false });
  expect(problems).toEqual([]);
  return config!;
}

describe("the start plan", () => {
  it("serves a real fleet on every interface at its baseUrl, from data/flightdeck.db, with no warning when it is ready", () => {
    const plan = startPlan({ config: real(), file: "/srv/fleet.yaml" }, {}, "8080");
    expect(plan).toMatchObject({ demo: false, host: undefined, publicUrl: "https://flightdeck.example.com" });
    expect(plan.database).toMatch(/\/data\/flightdeck\.db$/);
    expect(plan.banner).toEqual([
      `Config /srv/fleet.yaml: 1 region(s), 1 service(s); database ${plan.database}.`,
      "Flightdeck on https://flightdeck.example.com (listening on port 8080, every interface)",
    ]);
  });

  it("warns in the banner about an unprotected environment and an allowed plain-http address", () => {
    const config = real((raw) =>
      Object.assign(raw, { baseUrl: "http://flightdeck.lan", allowInsecureHttp: true, policies: { environments: [{ match: "*", protected: false }] } }),
    );
    const banner = startPlan({ config, file: "fleet.yaml" }, { HOST: "10.0.0.5" }, "3000").banner;
    expect(banner.filter((l) => l.startsWith("Warning:"))).toEqual([
      "Warning: policies.environments[0]: environment production-us-east is unprotected (rule match: *): rollouts there need no approval and may come from any ref",
      "Warning: baseUrl: http://flightdeck.lan is not https (allowed by allowInsecureHttp: true): session cookies are not Secure and cross the network in clear",
    ]);
    expect(banner.at(-1)).toBe("Flightdeck on http://flightdeck.lan (listening on 10.0.0.5:3000)");
  });

  it("says loudly when the demo is put on another address", () => {
    const banner = startPlan({ config: demo, file: DEMO_CONFIG_PATH }, { HOST: "0.0.0.0", PORT: "4000" }, "4000").banner;
    expect(banner[1]).toBe(
      "Demo mode on HOST=0.0.0.0: anyone who reaches this address signs in as admin with one click. Use it on a machine nobody else can reach (docs/security.md).",
    );
    expect(banner.at(-1)).toBe("Flightdeck on http://localhost:4000 (listening on 0.0.0.0:4000)");
  });
});

describe("the public URL", () => {
  it("is NEXTAUTH_URL when set, else the config's baseUrl; https decides Secure cookies", () => {
    const config = real();
    expect(publicUrl({}, config).href).toBe("https://flightdeck.example.com/");
    expect(isHttpsPublicUrl({}, config)).toBe(true);
    expect(isHttpsPublicUrl({ NEXTAUTH_URL: "http://localhost:3000" }, config)).toBe(false);
    expect(isHttpsPublicUrl({})).toBe(false);
  });

  it("a real fleet whose NEXTAUTH_URL is another address than baseUrl does not start; the demo may use any port", () => {
    expect(startupProblems(real(), { NEXTAUTH_URL: "https://flightdeck.example.com/" })).toEqual([]);
    expect(startupProblems(real(), { NEXTAUTH_URL: "https://other.example.com" })).toEqual([
      {
        path: "NEXTAUTH_URL",
        message:
          "https://other.example.com is not the config's baseUrl https://flightdeck.example.com: give Flightdeck one public URL (leave NEXTAUTH_URL unset and npm start uses baseUrl)",
      },
    ]);
    expect(startupProblems(demo, { NEXTAUTH_URL: "http://localhost:4000" })).toEqual([]);
  });

  it("names what keeps the demo fleet from being a production config", () => {
    expect(productionFindings(demo).map((f) => f.path)).toEqual(["demo", "regions[0]", "regions[1]", "regions[2]", "baseUrl"]);
    expect(productionFindings(demo)[1].message).toBe("region us-east has simulated deploy, traffic, metrics: nothing is deployed or measured for real");
    expect(productionFindings(real())).toEqual([]);
  });
});

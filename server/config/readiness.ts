/**
 * Demo mode stays in its box, and a real fleet fails closed. Three lists, all by config path:
 * - `modeProblems`: what makes a config refused outright (demo mixed with real providers; a real fleet that
 *   names no provider, or a simulated one; a real fleet on plain http without `allowInsecureHttp: true`).
 * - `startupProblems`: the same public URL in the environment as in the config (a real fleet).
 * - `productionFindings`: what `flightdeck doctor` and the start banner list as problems of a production
 *   config (demo mode, simulated providers, unprotected environments, a non-https base URL).
 */
import type { ConfigProblem, Env } from "./load";
import { environmentPolicy, isUnprotected } from "./policies";
import type { FleetConfig } from "./schema";

const KINDS = ["deploy", "traffic", "metrics"] as const;
type Kind = (typeof KINDS)[number];

/** The real providers of each kind, as a release engineer would write them. */
export const REAL_PROVIDERS: Record<Kind, string[]> = { deploy: ["ssh"], traffic: ["haproxy", "nginx", "cloudflare"], metrics: ["prometheus"] };

const or = (names: string[]) => (names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`);

/** The provider a region's raw YAML names for a kind (undefined when the field or its provider is left out). */
function writtenProvider(raw: unknown, regionIndex: number, kind: Kind): unknown {
  const regions = (raw as { regions?: unknown } | null)?.regions;
  const region = Array.isArray(regions) ? (regions[regionIndex] as Record<string, unknown> | undefined) : undefined;
  const block = region?.[kind] as { provider?: unknown } | undefined;
  return block && typeof block === "object" ? block.provider : undefined;
}

/**
 * Problems that refuse the config. `raw` is the YAML as written (to tell a provider left out from one that
 * was filled in by a default); `config` is the checked result.
 */
export function modeProblems(raw: unknown, config: FleetConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  config.regions.forEach((region, i) => {
    for (const kind of KINDS) {
      const at = `regions[${i}].${kind}.provider`;
      const written = writtenProvider(raw, i, kind);
      const provider = region[kind].provider;
      if (written === undefined) {
        problems.push({
          path: at,
          message: config.demo
            ? `no ${kind} provider named for region ${region.id}: write "provider: simulated" (the demo fleet's)`
            : `no ${kind} provider named for region ${region.id}: a real fleet names its own (${or(REAL_PROVIDERS[kind])}); simulated providers only run with demo: true`,
        });
      } else if (config.demo && provider !== "simulated") {
        problems.push({
          path: at,
          message: `region ${region.id} uses the real ${kind} provider "${provider}", but the config has demo: true (one-click admin sign-in for anyone who reaches the port). Remove demo: true to run a real fleet, or use provider: simulated`,
        });
      } else if (!config.demo && provider === "simulated") {
        problems.push({
          path: at,
          message: `region ${region.id} uses the simulated ${kind} provider, which only runs with demo: true; a real fleet names ${or(REAL_PROVIDERS[kind])}`,
        });
      }
    }
  });
  if (!config.demo && !config.allowInsecureHttp && !isHttps(config.baseUrl)) {
    problems.push({
      path: "baseUrl",
      message: `${JSON.stringify(config.baseUrl)} is not https: sign-in cookies and tokens would cross the network in clear. Write the https address people reach Flightdeck at (docs/security.md, behind a TLS proxy), or set allowInsecureHttp: true for a lab or a closed network`,
    });
  }
  return problems;
}

/** A real fleet's environment must give the same public URL as its config (sign-in callbacks use NEXTAUTH_URL). */
export function startupProblems(config: FleetConfig, env: Env): ConfigProblem[] {
  if (config.demo || !env.NEXTAUTH_URL) return [];
  const origin = (value: string) => {
    try {
      return new URL(value).origin;
    } catch {
      return null;
    }
  };
  const fromEnv = origin(env.NEXTAUTH_URL);
  if (fromEnv === null || fromEnv === origin(config.baseUrl)) return [];
  return [
    {
      path: "NEXTAUTH_URL",
      message: `${env.NEXTAUTH_URL} is not the config's baseUrl ${config.baseUrl}: give Flightdeck one public URL (leave NEXTAUTH_URL unset and npm start uses baseUrl)`,
    },
  ];
}

/** What makes this config unfit for production, worded for a release engineer; empty for a production-ready one. */
export function productionFindings(config: FleetConfig): ConfigProblem[] {
  const findings: ConfigProblem[] = [];
  if (config.demo)
    findings.push({ path: "demo", message: "demo mode: anyone who reaches the dashboard can sign in as admin with one click; for a local try-out only" });
  config.regions.forEach((region, i) => {
    const simulated = KINDS.filter((kind) => region[kind].provider === "simulated");
    if (simulated.length)
      findings.push({ path: `regions[${i}]`, message: `region ${region.id} has simulated ${simulated.join(", ")}: nothing is deployed or measured for real` });
  });
  const seen = new Set<string>();
  for (const region of config.regions) {
    if (seen.has(region.environment)) continue;
    seen.add(region.environment);
    const rule = environmentPolicy(config, region.environment);
    if (!isUnprotected(rule)) continue;
    const index = config.policies.environments.indexOf(rule);
    findings.push({
      path: index >= 0 ? `policies.environments[${index}]` : "policies.environments",
      message: `environment ${region.environment} is unprotected (rule match: ${rule.match}): rollouts there need no approval and may come from any ref`,
    });
  }
  if (!isHttps(config.baseUrl)) {
    findings.push({
      path: "baseUrl",
      message: `${config.baseUrl} is not https${config.allowInsecureHttp ? " (allowed by allowInsecureHttp: true)" : ""}: session cookies are not Secure and cross the network in clear`,
    });
  }
  return findings;
}

function isHttps(url: string): boolean {
  return /^https:\/\//i.test(url);
}

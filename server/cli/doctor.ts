/**
 * `flightdeck doctor`: the production readiness checklist (docs/production-readiness.md) made executable.
 * One line per check; exit 1 when any check fails. Simulated providers are reported as "simulated"; demo mode
 * fails (it is not a production config), unprotected environments and a plain-http base URL warn. The region
 * checks (doctor-regions.ts) log in, read the balancers and run the queries as a rollout will; webhook URLs are
 * judged by their form (doctor-webhooks.ts). No line ever holds a secret: hosts and variable names only.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { oauthSignInFindings } from "@/server/auth/oauth-allow";
import { checkEnvironment } from "@/server/config/env";
import { ConfigError, missingEnvironment, parseConfig, readConfigFile, resolveConfigPath, type Env } from "@/server/config/load";
import { productionFindings, startupProblems } from "@/server/config/readiness";
import type { FleetConfig } from "@/server/config/schema";
import { regionChecks, type Check, type CheckStatus } from "./doctor-regions";
import { webhookUrlForm } from "./doctor-webhooks";
import { paint, type CliIo } from "./io";
import { ArgumentError } from "./simulate-args";

const MARK: Record<CheckStatus, [string, "green" | "red" | "yellow" | "grey"]> = {
  ok: ["ok  ", "green"],
  fail: ["FAIL", "red"],
  warn: ["warn", "yellow"],
  simulated: ["sim ", "grey"],
};

export async function runDoctor(argv: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { config: { type: "string" }, json: { type: "boolean" } } }));
  } catch (err) {
    throw new ArgumentError((err as Error).message);
  }
  let checks: Check[];
  try {
    checks = await doctorChecks(values.config ? path.resolve(values.config) : resolveConfigPath(io.env), io.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    checks = [{ name: "config file", status: "fail", detail: err.problems.map((p) => `${p.path}: ${p.message}`).join("; ") }];
  }
  if (values.json) io.out(JSON.stringify({ ok: checks.every((c) => c.status !== "fail"), checks }, null, 2));
  else for (const c of checks) io.out(`${paint(io, MARK[c.status][1], MARK[c.status][0])}  ${c.name.padEnd(34)} ${c.detail}`);
  const failed = checks.filter((c) => c.status === "fail").length;
  if (!values.json) io.out(failed ? paint(io, "red", `${failed} check(s) failed.`) : paint(io, "green", "Ready: every check passed."));
  return failed ? 1 : 0;
}

export async function doctorChecks(file: string, env: Env): Promise<Check[]> {
  if (!existsSync(file)) return [{ name: "config file", status: "fail", detail: `no config file at ${file}; set FLIGHTDECK_CONFIG or use --config` }];
  const { config, problems } = parseConfig(readConfigFile(file), env, { requireEnv: false });
  if (!config) return [{ name: "config valid", status: "fail", detail: `${file}: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}` }];
  const checks: Check[] = [{ name: "config valid", status: "ok", detail: `${file}: ${config.regions.length} region(s), ${config.services.length} service(s)` }];
  checks.push(...productionChecks(config, env));

  const missing = missingEnvironment(config, env);
  checks.push(
    missing.length
      ? { name: "secrets set", status: "fail", detail: missing.map((p) => `${p.path}: ${p.message}`).join("; ") }
      : { name: "secrets set", status: "ok", detail: "every variable the config names is set" },
  );
  const envProblems = checkEnvironment(env);
  checks.push(
    envProblems.length
      ? { name: "environment", status: "fail", detail: envProblems.map((p) => `${p.path}: ${p.message}`).join("; ") }
      : { name: "environment", status: "ok", detail: "Flightdeck's own variables are valid" },
  );
  checks.push(
    env.FLIGHTDECK_WEBHOOK_SECRET
      ? { name: "CI webhook secret", status: "ok", detail: "FLIGHTDECK_WEBHOOK_SECRET is set" }
      : { name: "CI webhook secret", status: "warn", detail: "FLIGHTDECK_WEBHOOK_SECRET is not set: POST /api/webhooks/ci answers 503 until it is" },
  );

  const probes = config.regions.flatMap((region) => regionChecks(config, region, env));
  checks.push(...(await Promise.all(probes)));
  checks.push(...webhookUrlChecks(config, env));
  return checks;
}

/**
 * What makes the config unfit for production: demo mode fails; an unprotected environment or a plain-http base
 * URL (allowed by allowInsecureHttp) warns; simulated providers show as `sim` on the region lines below.
 */
function productionChecks(config: FleetConfig, env: Env): Check[] {
  const findings = productionFindings(config).filter((f) => !(config.demo && f.path.startsWith("regions[")));
  const checks: Check[] = findings.map((f) => ({
    name: f.path === "demo" ? "demo mode" : "production config",
    status: f.path === "demo" ? "fail" : "warn",
    detail: f.path === "demo" ? f.message : `${f.path}: ${f.message}`,
  }));
  checks.push(
    ...oauthSignInFindings(config, env as NodeJS.ProcessEnv).map((f): Check => ({ name: "sign-in", status: "warn", detail: `${f.path}: ${f.message}` })),
  );
  checks.push(...startupProblems(config, env).map((p): Check => ({ name: "public URL", status: "fail", detail: `${p.path}: ${p.message}` })));
  return checks.length ? checks : [{ name: "production config", status: "ok", detail: `every environment gated, ${config.baseUrl} is https` }];
}

/** Each Slack / Teams channel's URL judged by its form (`notify test` posts), and the Pushgateway's as an http(s) URL. */
function webhookUrlChecks(config: FleetConfig, env: Env): Check[] {
  const channels = config.notifications.channels.map((c): Check => ({
    name: `${c.kind} channel ${c.id}`,
    ...webhookUrlForm(c.kind, c.webhookUrlEnv, env[c.webhookUrlEnv]),
  }));
  if (channels.length === 0) channels.push({ name: "webhook URLs", status: "warn", detail: "no notification channels: incident quick cards go nowhere" });
  const variable = config.observability.pushgatewayUrlEnv;
  if (!variable) return channels;
  const value = env[variable];
  let parsed: URL | null = null;
  try {
    parsed = value ? new URL(value) : null;
  } catch {
    /* reported below */
  }
  const pushgateway: Check = !value
    ? { name: "Pushgateway URL", status: "fail", detail: `${variable} is not set` }
    : parsed && /^https?:$/.test(parsed.protocol)
      ? { name: "Pushgateway URL", status: "ok", detail: `${variable} is a well-formed ${parsed.protocol.slice(0, -1)} URL (${parsed.host})` }
      : { name: "Pushgateway URL", status: "fail", detail: `${variable} is not an http(s) URL` };
  return [...channels, pushgateway];
}

/**
 * `flightdeck doctor`: the production readiness checklist (docs/production-readiness.md) made executable.
 * One line per check; exit 1 when any check fails. Simulated providers are reported as "simulated"; demo mode
 * fails (it is not a production config), unprotected environments and a plain-http base URL warn.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { oauthSignInFindings } from "@/server/auth/oauth-allow";
import { checkEnvironment } from "@/server/config/env";
import { ConfigError, missingEnvironment, parseConfig, readConfigFile, resolveConfigPath, type Env } from "@/server/config/load";
import { productionFindings, startupProblems } from "@/server/config/readiness";
import type { FleetConfig, RegionConfig } from "@/server/config/schema";
import { probeHttp, probeSocket, probeSsh, type ProbeResult } from "./doctor-probes";
import { paint, type CliIo } from "./io";
import { ArgumentError } from "./simulate-args";

export type CheckStatus = "ok" | "fail" | "warn" | "simulated";
export type Check = { name: string; status: CheckStatus; detail: string };

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

  const probes = config.regions.flatMap((region) => regionChecks(region, env));
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

const fromProbe = (name: string, result: ProbeResult): Check => ({ name, status: result.ok ? "ok" : "fail", detail: result.detail });
const simulated = (name: string): Promise<Check> => Promise.resolve({ name, status: "simulated", detail: "simulated provider (demo fleet): nothing to reach" });

function regionChecks(region: RegionConfig, env: Env): Array<Promise<Check>> {
  const checks: Array<Promise<Check>> = [];
  const { deploy, traffic, metrics } = region;
  for (const colour of ["blue", "green"] as const) {
    const name = `${region.id} ${colour} SSH`;
    if (deploy.provider === "simulated") checks.push(simulated(name));
    else {
      const target = region.targets[colour];
      const host = target.host ?? (target.hostEnv ? env[target.hostEnv] : undefined);
      checks.push(
        host
          ? probeSsh(host, deploy.port).then((r) => fromProbe(name, r))
          : Promise.resolve({ name, status: "fail", detail: `no host: set ${target.hostEnv}` }),
      );
    }
  }
  const lb = `${region.id} load balancer`;
  if (traffic.provider === "simulated") checks.push(simulated(lb));
  else if (traffic.provider === "haproxy") {
    const socket = traffic.socket ?? (traffic.socketEnv ? env[traffic.socketEnv] : undefined);
    const lbHost = env[traffic.lbHostEnv];
    if (socket && socket !== "ssh") {
      const target = socket.startsWith("/")
        ? { path: socket }
        : { host: socket.slice(0, socket.lastIndexOf(":")), port: Number(socket.slice(socket.lastIndexOf(":") + 1)) };
      checks.push(probeSocket(target, { send: "show info\n", expect: /Name: HAProxy/ }).then((r) => fromProbe(`${lb} (HAProxy runtime API)`, r)));
    } else
      checks.push(
        lbHost
          ? probeSsh(lbHost, traffic.ssh?.port ?? 22).then((r) => fromProbe(`${lb} (SSH to ${traffic.lbHostEnv})`, r))
          : Promise.resolve({ name: lb, status: "fail", detail: `set ${traffic.lbHostEnv}` }),
      );
  } else if (traffic.provider === "nginx") {
    const lbHost = env[traffic.lbHostEnv];
    checks.push(
      lbHost
        ? probeSsh(lbHost, traffic.ssh?.port ?? 22).then((r) => fromProbe(`${lb} (nginx host SSH)`, r))
        : Promise.resolve({ name: lb, status: "fail", detail: `set ${traffic.lbHostEnv}` }),
    );
  } else
    checks.push(
      Promise.resolve({
        name: `${lb} (Cloudflare)`,
        status: "warn",
        detail: "not probed: the Cloudflare API is checked on the first traffic step (token in " + traffic.apiTokenEnv + ")",
      }),
    );

  const prom = `${region.id} Prometheus`;
  if (metrics.provider === "simulated") checks.push(simulated(prom));
  else {
    const url = metrics.url ?? (metrics.urlEnv ? env[metrics.urlEnv] : undefined);
    checks.push(
      url
        ? probeHttp(`${url.replace(/\/+$/, "")}/-/ready`).then((r) => fromProbe(prom, r))
        : Promise.resolve({ name: prom, status: "fail", detail: `set ${metrics.urlEnv}` }),
    );
  }
  return checks;
}

function webhookUrlChecks(config: FleetConfig, env: Env): Check[] {
  const urls = [
    ...config.notifications.channels.map((c) => ({ name: `${c.kind} channel ${c.id}`, variable: c.webhookUrlEnv })),
    ...(config.observability.pushgatewayUrlEnv ? [{ name: "Pushgateway URL", variable: config.observability.pushgatewayUrlEnv }] : []),
  ];
  if (urls.length === 0) return [{ name: "webhook URLs", status: "warn", detail: "no notification channels: incident quick cards go nowhere" }];
  return urls.map(({ name, variable }) => {
    const value = env[variable];
    if (!value) return { name, status: "fail", detail: `${variable} is not set` };
    let parsed: URL | null = null;
    try {
      parsed = new URL(value);
    } catch {
      /* reported below */
    }
    return parsed && /^https?:$/.test(parsed.protocol)
      ? { name, status: "ok", detail: `${variable} is a well-formed ${parsed.protocol.slice(0, -1)} URL (${parsed.host})` }
      : { name, status: "fail", detail: `${variable} is not an http(s) URL` };
  });
}

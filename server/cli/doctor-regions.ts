/**
 * `flightdeck doctor`'s checks of one region, each reaching the world exactly as its provider will: the SSH
 * targets, ports and pinned host keys come from the functions the real providers use (server/providers/real.ts),
 * so the doctor cannot probe one port while a rollout logs in on another (apac-se's nginx host is reached on the
 * region's SSH port, not 22). A check that cannot start (a missing variable, an unreadable key) fails naming why.
 */
import { regionSettings } from "@/server/config/load";
import type { FleetConfig, RegionConfig } from "@/server/config/schema";
import { promDuration, queriesFor, renderQuery, type QueryName } from "@/server/providers/metrics-prometheus/queries";
import { deployTarget, lbTarget, runtimeAddress } from "@/server/providers/real";
import type { Env } from "@/server/providers/ssh-target";
import type { Colour } from "@/server/providers/types";
import { urlWithoutSecrets } from "@/server/redact-secrets";
import { haproxyBackend, nginxUpstream, probe, promSeries, sshInstallDir, type ProbeResult } from "./doctor-probes";

export type CheckStatus = "ok" | "fail" | "warn" | "simulated";
export type Check = { name: string; status: CheckStatus; detail: string };

const COLOURS: Colour[] = ["blue", "green"];

const check = (name: string, run: () => Promise<ProbeResult>): Promise<Check> =>
  probe(run).then((r) => ({ name, status: r.ok ? (r.warn ? "warn" : "ok") : "fail", detail: r.detail }));
const simulated = (name: string): Promise<Check> => Promise.resolve({ name, status: "simulated", detail: "simulated provider (demo fleet): nothing to reach" });

export function regionChecks(config: FleetConfig, region: RegionConfig, env: Env): Array<Promise<Check>> {
  return [...deployChecks(region, env), trafficCheck(region, env), metricsCheck(config, region, env)];
}

function deployChecks(region: RegionConfig, env: Env): Array<Promise<Check>> {
  const d = region.deploy;
  return COLOURS.map((colour) => {
    const name = `${region.id} ${colour} SSH`;
    if (d.provider !== "ssh") return simulated(name);
    return check(name, () => sshInstallDir(deployTarget(region, colour, env), d.installDir, colour));
  });
}

function trafficCheck(region: RegionConfig, env: Env): Promise<Check> {
  const t = region.traffic;
  const lb = `${region.id} load balancer`;
  if (t.provider === "simulated") return simulated(lb);
  if (t.provider === "haproxy") {
    const servers = { blue: region.targets.blue.server ?? "blue", green: region.targets.green.server ?? "green" };
    return check(`${lb} (HAProxy)`, () => haproxyBackend(runtimeAddress(region, env, {}, "traffic-haproxy", t), t.backend, servers, t.timeoutSeconds * 1000));
  }
  if (t.provider === "nginx") {
    return check(`${lb} (nginx)`, async () => {
      const servers = Object.fromEntries(COLOURS.map((c) => [c, region.targets[c].server ?? `${region.targets[c].host}:${region.targets[c].port}`])) as Record<
        Colour,
        string
      >;
      return nginxUpstream(lbTarget(region, t.lbHostEnv, t.ssh, env, {}, "traffic-nginx"), t.nginxCommand, t.upstreamFile, { upstream: t.upstream, servers });
    });
  }
  return Promise.resolve({
    name: `${lb} (Cloudflare)`,
    status: "warn",
    detail: `not probed: the Cloudflare API is checked on the first traffic step (token in ${t.apiTokenEnv})`,
  });
}

/**
 * Every query the analysis runs, for both colours and each service, over one sample's window now: a query that
 * returns no series (a wrong label or metric name) would make every sample inconclusive. A series whose value
 * is NaN (an error rate on a colour without traffic) is fine: the labels match.
 */
function metricsCheck(config: FleetConfig, region: RegionConfig, env: Env): Promise<Check> {
  const m = region.metrics;
  const name = `${region.id} Prometheus queries`;
  if (m.provider === "simulated") return simulated(name);
  return check(name, async () => {
    const url = m.url ?? (m.urlEnv ? env[m.urlEnv] : undefined);
    if (!url) return { ok: false, detail: `set ${m.urlEnv}` };
    const shown = urlWithoutSecrets(url);
    const { analysis } = regionSettings(config, region);
    const window = promDuration(Math.max(analysis.intervalSeconds * 1000, m.minWindowSeconds * 1000));
    const templates = queriesFor(m.queries);
    // With a healthUrl the health figure is an HTTP GET of the colour, not a query.
    const names = (Object.keys(templates) as QueryName[]).filter((q) => !(q === "health" && m.healthUrl));
    const runs = config.services.flatMap((service) =>
      COLOURS.flatMap((colour) =>
        names.map(async (query) => ({
          query,
          colour,
          service: service.id,
          answer: await promSeries(url, renderQuery(templates[query], { colour, region: region.id, service: service.id, window }), m.timeoutSeconds * 1000),
        })),
      ),
    );
    const answers = await Promise.all(runs);
    const failed = answers.find((a) => "error" in a.answer);
    if (failed && "error" in failed.answer) return { ok: false, detail: `Prometheus at ${shown}: ${failed.query} (${failed.colour}): ${failed.answer.error}` };
    const label = (a: (typeof answers)[number]) => `${a.query} (${a.colour}${config.services.length > 1 ? `, ${a.service}` : ""})`;
    const empty = answers.filter((a) => "series" in a.answer && a.answer.series === 0).map(label);
    if (empty.length)
      return { ok: false, detail: `no series for ${empty.join(", ")}: check the query's metric and label names (metrics.queries) against ${shown}` };
    const several = answers.filter((a) => "series" in a.answer && a.answer.series > 1).map(label);
    if (several.length) return { ok: false, detail: `more than one series for ${several.join(", ")}: aggregate the query (sum, avg)` };
    return { ok: true, detail: `${answers.length} queries (${names.join(", ")}; blue and green) each return one series from ${shown}` };
  });
}

/**
 * The lab's Prometheus: scrapes every target once a second (its own config, data dir and port), with the
 * `region`, `colour` and `service` labels Flightdeck's PromQL templates select on.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import { LabError } from "../errors";
import { labPaths } from "../layout";
import { isAlive, spawnDetached, tail, waitForPort, waitUntil, type LabProcess } from "../process";

export type ScrapeTarget = { job: string; address: string; labels?: Record<string, string>; honorLabels?: boolean };
export type PrometheusInput = { dir: string; port: number; targets: ScrapeTarget[] };
export type TargetHealth = { job: string; address: string; health: string; lastError: string };
export type LabPrometheus = LabProcess & {
  url: string;
  targets(): Promise<TargetHealth[]>;
  /** Resolves once every configured target has been scraped and is up; throws naming the ones that are not. */
  waitForTargets(timeoutMs?: number): Promise<void>;
  /** An instant PromQL query: the first result's value, or null when the result is empty. */
  query(promql: string): Promise<number | null>;
};

const PROMETHEUS = "/usr/bin/prometheus";

export function prometheusConfig(targets: ScrapeTarget[]): string {
  const jobs = new Map<string, ScrapeTarget[]>();
  for (const t of targets) jobs.set(t.job, [...(jobs.get(t.job) ?? []), t]);
  return (
    "# The Flightdeck lab's Prometheus (written by lab/servers/prometheus.ts).\n" +
    stringify({
      // The timeout must not exceed the interval; Prometheus refuses its 10 s default with a 1 s interval.
      global: { scrape_interval: "1s", scrape_timeout: "1s", evaluation_interval: "1s" },
      scrape_configs: [...jobs].map(([job, list]) => ({
        job_name: job,
        ...(list.some((t) => t.honorLabels) ? { honor_labels: true } : {}),
        static_configs: list.map((t) => ({ targets: [t.address], ...(t.labels ? { labels: t.labels } : {}) })),
      })),
    })
  );
}

export async function startPrometheus({ dir, port, targets }: PrometheusInput): Promise<LabPrometheus> {
  const home = labPaths(dir).server("prometheus");
  mkdirSync(path.join(home, "data"), { recursive: true });
  const configFile = path.join(home, "prometheus.yml");
  writeFileSync(configFile, prometheusConfig(targets));
  const proc = spawnDetached({
    dir,
    name: "prometheus",
    command: PROMETHEUS,
    args: [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(home, "data")}`,
      `--storage.tsdb.retention.time=2d`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--web.enable-lifecycle",
    ],
  });
  await waitForPort(proc, port, 20_000);
  const url = `http://127.0.0.1:${port}`;

  const api = async (pathAndQuery: string) => {
    const res = await fetch(`${url}${pathAndQuery}`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as { status: string; data: unknown; error?: string };
    if (body.status !== "success") throw new LabError(`Prometheus ${pathAndQuery}: ${body.error ?? res.status}`);
    return body.data;
  };
  const targetHealth = async (): Promise<TargetHealth[]> => {
    const data = (await api("/api/v1/targets?state=active")) as {
      activeTargets: Array<{ scrapePool: string; scrapeUrl: string; health: string; lastError: string }>;
    };
    return data.activeTargets.map((t) => ({ job: t.scrapePool, address: new URL(t.scrapeUrl).host, health: t.health, lastError: t.lastError }));
  };

  return {
    ...proc,
    url,
    targets: targetHealth,
    async waitForTargets(timeoutMs = 30_000) {
      let last: TargetHealth[] = [];
      const ok = await waitUntil(
        async () => {
          if (!isAlive(proc.pid)) throw new LabError(`Prometheus exited; last lines of ${proc.log}:\n${tail(proc.log)}`);
          last = await targetHealth().catch(() => []);
          return last.length === targets.length && last.every((t) => t.health === "up");
        },
        timeoutMs,
        250,
      );
      if (!ok) {
        const down = targets.filter((t) => !last.some((h) => h.job === t.job && h.address === t.address && h.health === "up"));
        const why = down.map((t) => `${t.job} ${t.address}: ${last.find((h) => h.address === t.address)?.lastError || "not scraped yet"}`);
        throw new LabError(`Prometheus did not scrape every target within ${timeoutMs / 1000} s:\n  ${why.join("\n  ")}\n${tail(proc.log, 5)}`);
      }
    },
    async query(promql) {
      const data = (await api(`/api/v1/query?query=${encodeURIComponent(promql)}`)) as { result: Array<{ value: [number, string] }> };
      return data.result.length ? Number(data.result[0].value[1]) : null;
    },
  };
}

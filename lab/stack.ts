/**
 * The whole lab on 127.0.0.1: per region a blue and a green sample service behind HAProxy (nginx for apac-se),
 * one Prometheus, one Pushgateway, one sshd, an artifact server and steady traffic; then the Flightdeck config
 * that points at all of it. Everything it starts has a pid file in `<dir>/pids`; `stopLab` stops them all.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { buildArtifact, type BuiltArtifact } from "./artifacts";
import { LabError } from "./errors";
import { checkLabConfig, labEnvironment, labFleetConfig, renderConfig, renderEnv, LAB_SERVICE_ID, type LabEndpoints } from "./fleet-config";
import { startHost } from "./hosts";
import { COLOURS, DEFAULT_LAB_DIR, labLayout, labPaths, labPorts, type LabLayout, type LabRegion } from "./layout";
import { labProcesses, portAnswers, stopByPidFile } from "./process";
import { startArtifactServer } from "./servers/artifact-server";
import { startHaproxy } from "./servers/haproxy";
import { startNginx } from "./servers/nginx";
import { startPrometheus, type ScrapeTarget } from "./servers/prometheus";
import { startPushgateway } from "./servers/pushgateway";
import { startSshd } from "./servers/sshd";
import { startTrafficGenerator } from "./traffic";

export const BASELINE_RELEASE = { version: "1.0.0", errorRatePct: 0, extraLatencyMs: 0 };

export type StartLabOptions = { dir?: string; portOffset?: number; trafficPerSecond?: number; log?: (line: string) => void };
export type RunningLab = {
  layout: LabLayout;
  baseline: BuiltArtifact;
  configFile: string;
  envFile: string;
  env: Record<string, string>;
  endpoints: LabEndpoints;
  prometheusUrl: string;
  artifactsUrl: string;
  stop(): Promise<void>;
};

export async function startLab(options: StartLabOptions = {}): Promise<RunningLab> {
  const layout = labLayout(options.dir ?? DEFAULT_LAB_DIR, options.portOffset ?? 0);
  const { dir } = layout;
  const log = options.log ?? (() => {});
  const running = labProcesses(dir).filter((p) => p.alive);
  if (running.length) throw new LabError(`the lab in ${dir} is already running (${running.map((p) => p.name).join(", ")})`);
  await stopLab(dir); // clears stale pid files of a lab that died
  const taken = [];
  for (const { name, port } of labPorts(layout)) if (await portAnswers(port)) taken.push(`${port} (${name})`);
  if (taken.length)
    throw new LabError(
      `another program already listens on 127.0.0.1 port ${taken.join(", ")}: stop it, or shift the lab's ports with FLIGHTDECK_LAB_PORT_OFFSET`,
    );
  mkdirSync(dir, { recursive: true });

  try {
    const artifactServer = await startArtifactServer({ dir, port: layout.ports.artifacts });
    const baseline = buildArtifact(BASELINE_RELEASE, { dir, baseUrl: artifactServer.url });
    log(`artifact ${baseline.version} ${baseline.digest} at ${baseline.url}`);

    for (const region of layout.regions) {
      for (const colour of COLOURS) {
        startHost({ dir: labPaths(dir).host(region.id, colour), region: region.id, colour, port: region.ports[colour] }, dir, baseline);
      }
    }
    log(`sample services ${baseline.version} running: ${layout.regions.map((r) => `${r.id} blue :${r.ports.blue} green :${r.ports.green}`).join(", ")}`);

    const [balancers, pushgateway, sshd] = await Promise.all([
      Promise.all(layout.regions.map((region) => startBalancer(dir, region))),
      startPushgateway({ dir, port: layout.ports.pushgateway }),
      startSshd({ dir, port: layout.ports.sshd }),
    ]);
    log(`load balancers: ${layout.regions.map((r) => `${r.id} (${r.balancer}) http://127.0.0.1:${r.ports.lb}`).join(", ")}`);
    log(`pushgateway ${pushgateway.url}; sshd 127.0.0.1:${sshd.port} (${sshd.hostKeySha256})`);

    const prometheus = await startPrometheus({ dir, port: layout.ports.prometheus, targets: scrapeTargets(layout) });
    startTrafficGenerator({
      dir,
      ratePerSecond: options.trafficPerSecond ?? 20,
      targets: layout.regions.map((r) => ({ region: r.id, url: `http://127.0.0.1:${r.ports.lb}/` })),
    });
    log(`prometheus ${prometheus.url}: waiting until it has scraped every target…`);
    await prometheus.waitForTargets(30_000);

    const endpoints: LabEndpoints = {
      ssh: { port: sshd.port, clientKeyPath: sshd.clientKeyPath, hostKeySha256: sshd.hostKeySha256 },
      haproxySockets: Object.fromEntries(balancers.flatMap((b) => (b.kind === "haproxy" ? [[b.region, b.statsSocket]] : []))),
      nginx: Object.fromEntries(
        balancers.flatMap((b) => (b.kind === "nginx" ? [[b.region, { upstreamFile: b.upstreamFile, upstream: b.upstream, command: b.command }]] : [])),
      ),
    };
    const env = labEnvironment(layout);
    const source = renderConfig(labFleetConfig(layout, endpoints));
    checkLabConfig(source, env);
    const paths = labPaths(dir);
    writeFileSync(paths.fleetConfig, source);
    writeFileSync(paths.env, renderEnv(env), { mode: 0o600 });
    return {
      layout,
      baseline,
      configFile: paths.fleetConfig,
      envFile: paths.env,
      env,
      endpoints,
      prometheusUrl: prometheus.url,
      artifactsUrl: artifactServer.url,
      stop: async () => void (await stopLab(dir)),
    };
  } catch (err) {
    await stopLab(dir);
    throw err;
  }
}

async function startBalancer(dir: string, region: LabRegion) {
  const weights = { blue: 100, green: 0 }; // blue is live at start
  if (region.balancer === "haproxy") {
    const haproxy = await startHaproxy({
      dir,
      region: region.id,
      port: region.ports.lb,
      statsTcpPort: region.ports.statsTcp,
      exporterPort: region.ports.exporter,
      servers: COLOURS.map((c) => ({ name: c, port: region.ports[c], weight: weights[c] })),
    });
    return { kind: "haproxy" as const, region: region.id, ...haproxy };
  }
  const nginx = await startNginx({
    dir,
    region: region.id,
    port: region.ports.lb,
    upstream: `be_${region.id}`,
    servers: COLOURS.map((c) => ({ port: region.ports[c], weight: weights[c] })),
  });
  return { kind: "nginx" as const, region: region.id, ...nginx };
}

export function scrapeTargets(layout: LabLayout): ScrapeTarget[] {
  return [
    ...layout.regions.flatMap((r) =>
      COLOURS.map((colour) => ({ job: "sample-service", address: `127.0.0.1:${r.ports[colour]}`, labels: { service: LAB_SERVICE_ID, region: r.id, colour } })),
    ),
    ...layout.regions
      .filter((r) => r.balancer === "haproxy")
      .map((r) => ({ job: "haproxy", address: `127.0.0.1:${r.ports.exporter}`, labels: { region: r.id } })),
    { job: "pushgateway", address: `127.0.0.1:${layout.ports.pushgateway}`, honorLabels: true },
  ];
}

/** Stop every process with a pid file in the lab, all at once (each waits until its process is gone). */
export async function stopLab(dir: string = DEFAULT_LAB_DIR): Promise<string[]> {
  const names = labProcesses(dir).map((p) => p.name);
  await Promise.all(names.map((n) => stopByPidFile(dir, n)));
  return names;
}

export function labStatus(dir: string = DEFAULT_LAB_DIR) {
  return labProcesses(dir);
}

/**
 * `npm run lab` (start), `npm run lab:stop` (stop), `tsx lab/cli.ts status`, and
 * `tsx lab/cli.ts runtime <region> "<command>"` to talk to a region's HAProxy by hand. The lab lives in `.lab/`;
 * FLIGHTDECK_LAB_PORT_OFFSET shifts its ports (19000-19399 by default).
 */
import { existsSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { ensureSystemPackages } from "../scripts/system-packages.mjs";
import { LabError } from "./errors";
import { DEFAULT_LAB_DIR, PROJECT_ROOT, labLayout, labPaths } from "./layout";
import { labStatus, startLab, stopLab } from "./stack";

const LAB_PACKAGES = ["prometheus", "prometheus-pushgateway", "haproxy", "nginx", "openssh-server"];

const dir = DEFAULT_LAB_DIR;
const portOffset = Number(process.env.FLIGHTDECK_LAB_PORT_OFFSET ?? 0);
const rel = (p: string) => path.relative(PROJECT_ROOT, p);

async function start() {
  const processes = labStatus(dir);
  const running = processes.filter((p) => p.alive);
  if (running.length) {
    const dead = processes.filter((p) => !p.alive).map((p) => p.name);
    console.log(`The lab is already running (${running.length} processes${dead.length ? `; not running: ${dead.join(", ")}` : ""}).`);
    console.log("`npm run lab:stop` stops it; `npx tsx lab/cli.ts status` lists its processes.");
    return;
  }
  ensureSystemPackages(LAB_PACKAGES);
  const started = Date.now();
  const lab = await startLab({ dir, portOffset, log: (line) => console.log(`  ${line}`) });
  const layout = lab.layout;
  console.log(`
The lab is up (${((Date.now() - started) / 1000).toFixed(1)} s); Prometheus scrapes every target.
  Prometheus   ${lab.prometheusUrl}
  Pushgateway  ${lab.env.PROMETHEUS_PUSHGATEWAY_URL}
  Artifacts    ${lab.artifactsUrl}/ (baseline ${lab.baseline.version}, ${lab.baseline.digest})
  sshd         root@127.0.0.1 -p ${layout.ports.sshd} -i ${rel(lab.endpoints.ssh.clientKeyPath)}
${layout.regions.map((r) => `  ${r.id.padEnd(12)} ${r.balancer} http://127.0.0.1:${r.ports.lb}  blue :${r.ports.blue}  green :${r.ports.green}`).join("\n")}

Run Flightdeck against it (admin: ${lab.env.FLIGHTDECK_ADMIN_EMAIL}, password in ${rel(lab.envFile)}):
  set -a; . ${rel(lab.envFile)}; FLIGHTDECK_CONFIG=${rel(lab.configFile)} npm start
Stop it: npm run lab:stop`);
}

async function stop() {
  const stopped = await stopLab(dir);
  const left = labStatus(dir).filter((p) => p.alive);
  if (left.length) throw new LabError(`still running: ${left.map((p) => `${p.name} (pid ${p.pid})`).join(", ")}`);
  console.log(stopped.length ? `Stopped the lab: ${stopped.join(", ")}.` : "The lab was not running.");
}

function status() {
  const processes = labStatus(dir);
  if (!processes.length) return console.log("The lab is not running.");
  for (const p of processes) console.log(`${p.alive ? "running" : "dead   "} ${p.name.padEnd(24)} pid ${p.pid}`);
  const deadServices = processes.filter((p) => !p.alive && p.name.startsWith("service-"));
  if (deadServices.length) console.log(`Restart a service with its host's restart script, e.g. ${rel(path.join(dir, "hosts/<region>/<colour>/restart.sh"))}`);
  const layout = labLayout(dir, portOffset);
  console.log(`Prometheus http://127.0.0.1:${layout.ports.prometheus}`);
}

/** `runtime <region> <command>`: one command to a region's HAProxy runtime API, answer printed. */
async function runtime() {
  const [region, ...words] = process.argv.slice(3);
  if (!region || !words.length) throw new LabError(`usage: tsx lab/cli.ts runtime <us-east|eu-west> "<command>"`);
  const socket = path.join(labPaths(dir).server(`haproxy-${region}`), "admin.sock");
  if (!existsSync(socket)) throw new LabError(`no HAProxy runtime API at ${rel(socket)}: is the lab running, and is ${region} behind HAProxy?`);
  const answer = await new Promise<string>((resolve, reject) => {
    let out = "";
    const conn = net
      .connect(socket)
      .on("data", (d) => (out += d))
      .on("end", () => resolve(out))
      .on("error", reject);
    conn.write(`${words.join(" ")}\n`);
  });
  process.stdout.write(answer.trim() ? `${answer.trim()}\n` : "(done)\n");
}

const commands: Record<string, () => unknown> = { start, stop, status, runtime };
const command = process.argv[2] ?? "start";
if (!commands[command]) {
  console.error(`usage: tsx lab/cli.ts start|stop|status|runtime`);
  process.exit(2);
}
try {
  await commands[command]();
} catch (err) {
  console.error(err instanceof LabError ? `lab ${command}: ${err.message}` : err);
  process.exit(1);
}

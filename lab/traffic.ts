/**
 * The lab's traffic: steady requests to `/` through each region's load balancer (20 per second per region by
 * default), so Prometheus always has data for both colours. Bounded: at most 2 s worth of requests in flight
 * per region (a tick is skipped beyond that), a 5 s timeout per request, and it exits by itself after
 * `maxHours`. `npm run lab` starts it detached (`node --import tsx lab/traffic.ts ...`); `lab:stop` stops it.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { getOnce } from "./http-get";
import { PROJECT_ROOT } from "./layout";
import { spawnDetached, type LabProcess } from "./process";

export type TrafficTarget = { region: string; url: string };
export type RegionTraffic = { sent: number; ok: number; errors: number; failed: number; skipped: number; byColour: Record<string, number> };

export function runTraffic({ targets, ratePerSecond }: { targets: TrafficTarget[]; ratePerSecond: number }) {
  const stats = new Map<string, RegionTraffic>(targets.map((t) => [t.region, { sent: 0, ok: 0, errors: 0, failed: 0, skipped: 0, byColour: {} }]));
  const inFlight = new Map<string, number>(targets.map((t) => [t.region, 0]));
  const maxInFlight = Math.max(1, ratePerSecond * 2);

  const send = async ({ region, url }: TrafficTarget) => {
    const s = stats.get(region)!;
    if (inFlight.get(region)! >= maxInFlight) return void (s.skipped += 1);
    inFlight.set(region, inFlight.get(region)! + 1);
    s.sent += 1;
    try {
      const res = await getOnce(url, 5000);
      if (res.status < 500) s.ok += 1;
      else s.errors += 1;
      if (res.colour) s.byColour[res.colour] = (s.byColour[res.colour] ?? 0) + 1;
    } catch {
      s.failed += 1;
    } finally {
      inFlight.set(region, inFlight.get(region)! - 1);
    }
  };

  const timer = setInterval(() => targets.forEach((t) => void send(t)), 1000 / ratePerSecond);
  return {
    stats,
    stop: () => clearInterval(timer),
  };
}

export function startTrafficGenerator(input: { dir: string; targets: TrafficTarget[]; ratePerSecond: number; maxHours?: number }): LabProcess {
  const script = fileURLToPath(import.meta.url);
  return spawnDetached({
    dir: input.dir,
    name: "traffic",
    command: process.execPath,
    cwd: PROJECT_ROOT,
    args: [
      "--import",
      "tsx",
      script,
      `--lab-dir=${input.dir}`,
      `--rate=${input.ratePerSecond}`,
      `--max-hours=${input.maxHours ?? 24}`,
      ...input.targets.map((t) => `${t.region}=${t.url}`),
    ],
  });
}

function main(argv: string[]) {
  const flag = (name: string, fallback: number) => Number(argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
  const targets = argv.filter((a) => !a.startsWith("--")).map((a) => ({ region: a.slice(0, a.indexOf("=")), url: a.slice(a.indexOf("=") + 1) }));
  const ratePerSecond = flag("rate", 20);
  const traffic = runTraffic({ targets, ratePerSecond });
  console.log(`traffic: ${ratePerSecond} req/s to ${targets.map((t) => `${t.region} (${t.url})`).join(", ")}`);
  const report = setInterval(() => {
    const line = [...traffic.stats].map(
      ([region, s]) => `${region} sent ${s.sent} ok ${s.ok} 5xx ${s.errors} failed ${s.failed} skipped ${s.skipped} ${JSON.stringify(s.byColour)}`,
    );
    console.log(`${new Date().toISOString()} ${line.join(" | ")}`);
  }, 10_000);
  const stop = () => {
    traffic.stop();
    clearInterval(report);
    process.exit(0);
  };
  setTimeout(stop, flag("max-hours", 24) * 3600_000).unref();
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));

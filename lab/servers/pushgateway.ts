/** The lab's Pushgateway, where Flightdeck pushes its per-stage metrics (PROMETHEUS_PUSHGATEWAY_URL). */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { labPaths } from "../layout";
import { spawnDetached, waitForPort, type LabProcess } from "../process";

export type LabPushgateway = LabProcess & { url: string };

export async function startPushgateway({ dir, port }: { dir: string; port: number }): Promise<LabPushgateway> {
  const home = labPaths(dir).server("pushgateway");
  mkdirSync(home, { recursive: true });
  const proc = spawnDetached({
    dir,
    name: "pushgateway",
    command: "/usr/bin/prometheus-pushgateway",
    // Pushed groups survive a lab restart in its own persistence file.
    args: [`--web.listen-address=127.0.0.1:${port}`, `--persistence.file=${path.join(home, "metrics.store")}`],
  });
  await waitForPort(proc, port);
  return { ...proc, url: `http://127.0.0.1:${port}` };
}

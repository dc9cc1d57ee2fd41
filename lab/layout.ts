/**
 * Where the lab keeps everything (`.lab/` in the project, git-ignored) and which ports it listens on
 * (19000-19399 by default, all on 127.0.0.1; FLIGHTDECK_LAB_PORT_OFFSET shifts them all).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const DEFAULT_LAB_DIR = path.join(PROJECT_ROOT, ".lab");
export const COLOURS = ["blue", "green"] as const;
export type LabColour = (typeof COLOURS)[number];

export type LabRegion = {
  id: string;
  name: string;
  order: number;
  balancer: "haproxy" | "nginx";
  ports: { lb: number; blue: number; green: number; statsTcp: number; exporter: number };
};

export type LabLayout = {
  dir: string;
  ports: { artifacts: number; sshd: number; prometheus: number; pushgateway: number };
  regions: LabRegion[];
};

const REGIONS: Array<Omit<LabRegion, "ports"> & { base: number }> = [
  { id: "us-east", name: "US East", order: 1, balancer: "haproxy", base: 19100 },
  { id: "eu-west", name: "EU West", order: 2, balancer: "haproxy", base: 19200 },
  { id: "apac-se", name: "APAC Southeast", order: 3, balancer: "nginx", base: 19300 },
];

export function labLayout(dir = DEFAULT_LAB_DIR, portOffset = 0): LabLayout {
  const at = (port: number) => port + portOffset;
  return {
    dir,
    ports: { artifacts: at(19000), sshd: at(19022), prometheus: at(19090), pushgateway: at(19091) },
    regions: REGIONS.map(({ base, ...region }) => ({
      ...region,
      ports: { lb: at(base), blue: at(base + 1), green: at(base + 2), statsTcp: at(base + 3), exporter: at(base + 4) },
    })),
  };
}

/** Every port the lab listens on, named for error messages. */
export function labPorts(layout: LabLayout): Array<{ name: string; port: number }> {
  return [
    ...Object.entries(layout.ports).map(([name, port]) => ({ name, port })),
    ...layout.regions.flatMap((r) => Object.entries(r.ports).map(([name, port]) => ({ name: `${r.id} ${name}`, port }))),
  ];
}

/** Paths under one lab dir. Tests use a temp dir; `npm run lab` uses `.lab/`. */
export function labPaths(dir: string) {
  return {
    pids: path.join(dir, "pids"),
    logs: path.join(dir, "logs"),
    artifacts: path.join(dir, "artifacts"),
    ssh: path.join(dir, "ssh"),
    host: (region: string, colour: LabColour) => path.join(dir, "hosts", region, colour),
    server: (name: string) => path.join(dir, "servers", name),
    fleetConfig: path.join(dir, "flightdeck.lab.yaml"),
    env: path.join(dir, "lab.env"),
  };
}

export function pidFile(dir: string, name: string): string {
  return path.join(labPaths(dir).pids, `${name}.pid`);
}

export function logFile(dir: string, name: string): string {
  return path.join(labPaths(dir).logs, `${name}.log`);
}

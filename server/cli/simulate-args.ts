/**
 * Arguments of `flightdeck simulate`. Pure: returns the options or an error naming the argument (exit 2).
 */
import { parseArgs } from "node:util";
import type { Strategy } from "@/db/schema/rollouts";
import type { FaultValues } from "@/server/providers/simulated-world";

export type SimulatedFaultArg = {
  regionId: string;
  stagePercent: number;
  values: FaultValues;
};

export type SimulateOptions = {
  strategy: Strategy;
  delayMinutes: number | null;
  regions: string[] | "all";
  configPath: string | null;
  faults: SimulatedFaultArg[];
  seed: number;
  json: boolean;
  holdApprovals: boolean;
  /** Record the run as a rollback drill of the service in the server's database (the migration path). */
  record?: boolean;
};

export class ArgumentError extends Error {}

type Reader = { expected: string; read: (raw: string) => Partial<FaultValues> | null };

const number = (raw: string, min: number, max: number, int = false): number | null => {
  if (raw.trim() === "") return null;
  const value = Number(raw);
  return Number.isFinite(value) && value >= min && value <= max && (!int || Number.isInteger(value)) ? value : null;
};
const field = <K extends keyof FaultValues>(key: K, expected: string, min: number, max: number, int = false): Reader => ({
  expected,
  read: (raw) => {
    const value = number(raw, min, max, int);
    return value === null ? null : ({ [key]: value } as Partial<FaultValues>);
  },
});

/** Each `--fault` key: what it sets on the simulated world, and what it expects. */
const KEYS: Record<string, Reader> = {
  error_rate: field("errorRatePct", "a percent from 0 to 100", 0, 100),
  latency_p95: field("latencyP95Ms", "milliseconds, 0 or more", 0, 600_000),
  cpu: field("cpuPct", "a percent from 0 to 100", 0, 100),
  memory: field("memoryPct", "a percent from 0 to 100", 0, 100),
  health: field("healthStatus", "an HTTP status, a whole number of 0 or more", 0, 599, true),
  requests: field("requests", "a whole number of requests per sample, 0 or more", 0, 1e9, true),
  no_data: {
    expected: "<k>/<n>, k of every n samples with no data (whole numbers, 1 ≤ k ≤ n)",
    read: (raw) => {
      const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
      if (!m) return null;
      const [k, n] = [Number(m[1]), Number(m[2])];
      return k >= 1 && k <= n ? { noData: { k, n } } : null;
    },
  },
  traffic_errors: field("trafficErrors", "a whole number of failed weight changes, 1 or more", 1, 1000, true),
  baseline_error_rate: field("baselineErrorRatePct", "a percent from 0 to 100", 0, 100),
  baseline_latency_p95: field("baselineLatencyP95Ms", "milliseconds, 0 or more", 0, 600_000),
};

export function parseFault(text: string): SimulatedFaultArg {
  const fault = `--fault ${JSON.stringify(text)}`;
  const usage = `${fault}: expected <region>:<stage percent>:<key>=<value>[,<key>=<value>...], e.g. eu-west:25:error_rate=1.2,latency_p95=420`;
  const [regionId, percent, assignments, ...rest] = text.split(":");
  if (!regionId || !percent || !assignments || rest.length) throw new ArgumentError(usage);
  const stagePercent = Number(percent);
  if (!Number.isInteger(stagePercent) || stagePercent < 1 || stagePercent > 100) {
    throw new ArgumentError(`${fault}: the stage percent must be a whole number from 1 to 100, got ${JSON.stringify(percent)}`);
  }
  const values: FaultValues = {};
  for (const pair of assignments.split(",")) {
    const [key, raw, ...extra] = pair.split("=");
    const reader = Object.hasOwn(KEYS, key) ? KEYS[key] : undefined;
    if (!reader) throw new ArgumentError(`${fault}: unknown key ${JSON.stringify(key)}; use one of ${Object.keys(KEYS).join(", ")}`);
    const read = raw === undefined || extra.length ? null : reader.read(raw);
    if (!read) throw new ArgumentError(`${fault}: ${key} needs ${reader.expected}, got ${JSON.stringify(raw === undefined ? "" : [raw, ...extra].join("="))}`);
    Object.assign(values, read);
  }
  return { regionId, stagePercent, values };
}

export function parseSimulateArgs(argv: string[]): SimulateOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        strategy: { type: "string", default: "sequential" },
        delay: { type: "string" },
        regions: { type: "string", default: "all" },
        config: { type: "string" },
        fault: { type: "string", multiple: true, default: [] },
        seed: { type: "string", default: "1" },
        json: { type: "boolean", default: false },
        "hold-approvals": { type: "boolean", default: false },
        record: { type: "boolean", default: false },
      },
    });
  } catch (err) {
    throw new ArgumentError((err as Error).message);
  }
  const v = parsed.values;
  const strategy = v.strategy as string;
  if (!["sequential", "delayed", "parallel"].includes(strategy)) {
    throw new ArgumentError(`--strategy: expected sequential, delayed or parallel, got ${JSON.stringify(strategy)}`);
  }
  let delayMinutes: number | null = null;
  if (v.delay !== undefined) {
    delayMinutes = Number(v.delay);
    if (!Number.isFinite(delayMinutes)) throw new ArgumentError(`--delay: expected minutes as a number, got ${JSON.stringify(v.delay)}`);
  }
  if (strategy === "delayed" && delayMinutes === null) delayMinutes = 90;
  const seed = Number(v.seed);
  if (!Number.isInteger(seed)) throw new ArgumentError(`--seed: expected a whole number, got ${JSON.stringify(v.seed)}`);
  const regionsArg = (v.regions as string).trim();
  const regions =
    regionsArg === "all"
      ? "all"
      : regionsArg
          .split(",")
          .map((r) => r.trim())
          .filter(Boolean);
  if (regions !== "all" && regions.length === 0) throw new ArgumentError(`--regions: expected a list such as us-east,eu-west or "all"`);
  return {
    strategy: strategy as Strategy,
    delayMinutes,
    regions,
    configPath: (v.config as string | undefined) ?? null,
    faults: (v.fault as string[]).map(parseFault),
    seed,
    json: v.json as boolean,
    holdApprovals: v["hold-approvals"] as boolean,
    record: v.record as boolean,
  };
}

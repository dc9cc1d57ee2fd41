/**
 * Arguments of `flightdeck simulate`. Pure: returns the options or an error naming the argument (exit 2).
 */
import { parseArgs } from "node:util";
import type { Strategy } from "@/db/schema/rollouts";

export type SimulatedFaultArg = {
  regionId: string;
  stagePercent: number;
  values: { errorRatePct?: number; latencyP95Ms?: number; cpuPct?: number; memoryPct?: number; healthStatus?: number };
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
};

export class ArgumentError extends Error {}

const METRICS = { error_rate: "errorRatePct", latency_p95: "latencyP95Ms", cpu: "cpuPct", memory: "memoryPct", health: "healthStatus" } as const;

export function parseFault(text: string): SimulatedFaultArg {
  const usage = `--fault ${JSON.stringify(text)}: expected <region>:<stage percent>:<metric>=<value>[,<metric>=<value>...], e.g. eu-west:25:error_rate=1.2,latency_p95=420`;
  const [regionId, percent, assignments, ...rest] = text.split(":");
  if (!regionId || !percent || !assignments || rest.length) throw new ArgumentError(usage);
  const stagePercent = Number(percent);
  if (!Number.isInteger(stagePercent) || stagePercent < 1 || stagePercent > 100) {
    throw new ArgumentError(`--fault ${JSON.stringify(text)}: the stage percent must be a whole number from 1 to 100, got ${JSON.stringify(percent)}`);
  }
  const values: SimulatedFaultArg["values"] = {};
  for (const pair of assignments.split(",")) {
    const [metric, raw] = pair.split("=");
    const key = METRICS[metric as keyof typeof METRICS];
    if (!key) throw new ArgumentError(`--fault ${JSON.stringify(text)}: unknown metric ${JSON.stringify(metric)}; use one of ${Object.keys(METRICS).join(", ")}`);
    const value = Number(raw);
    if (raw === undefined || raw === "" || !Number.isFinite(value) || value < 0) {
      throw new ArgumentError(`--fault ${JSON.stringify(text)}: ${metric} needs a number of 0 or more, got ${JSON.stringify(raw ?? "")}`);
    }
    values[key] = value;
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
  const regions = regionsArg === "all" ? "all" : regionsArg.split(",").map((r) => r.trim()).filter(Boolean);
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
  };
}

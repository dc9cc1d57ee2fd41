/**
 * Simulated metrics: healthy by default, with noise drawn from a seeded generator so the same region, colour
 * and window always give the same figures, well inside every threshold. Faults (from the config, injected from
 * the dashboard, and from code) replace values of the new colour at one canary stage: its metrics, its
 * requests per sample, samples with no data at all; and the old colour's error rate and p95.
 */
import type { FaultValues, SimulatedWorld } from "../simulated-world";
import type { Colour, HistoryInput, HistorySample, Measurement, MeasureInput, MetricsProvider } from "../types";
import { noiseFor } from "./noise";

export type SimulatedMetricsOptions = {
  /** The region's `metrics.faults` from the config. */
  faults?: Array<FaultValues & { stagePercent: number }>;
  /** The region's `metrics.seed`; the world's seed otherwise. */
  seed?: number;
  /** Faults injected while the server runs (the dashboard's fault drill), read at every measurement. */
  injected?: (region: string) => Array<FaultValues & { stagePercent: number }>;
};

const NO_DATA: Measurement = { requests: null, errorRatePct: null, latencyP95Ms: null, cpuPct: null, memoryPct: null, healthStatus: null };
const METRIC_KEYS = ["errorRatePct", "latencyP95Ms", "cpuPct", "memoryPct", "healthStatus"] as const;

export class SimulatedMetricsProvider implements MetricsProvider {
  /** Samples of the new colour taken so far, per region, stage and deploy (for `noData`). */
  private readonly taken = new Map<string, number>();

  constructor(
    private readonly world: SimulatedWorld,
    private readonly options: SimulatedMetricsOptions = {},
  ) {}

  /** Missed windows, each measured as a live one would have been (the simulator keeps no past of its own). */
  async history(input: HistoryInput): Promise<HistorySample[]> {
    const samples: HistorySample[] = [];
    for (let end = input.from + input.stepMs; end <= input.to; end += input.stepMs) {
      samples.push({
        from: end - input.stepMs,
        to: end,
        measurement: await this.measure({ ...input, stagePercent: input.stagePercent ?? null, from: end - input.stepMs, to: end }),
      });
    }
    return samples;
  }

  async measure({ region, colour, stagePercent, from, to }: MeasureInput): Promise<Measurement> {
    const share = this.world.weightOf(region)[colour] / 100;
    const seconds = Math.max(0, (to - from) / 1000);
    const rand = noiseFor(this.options.seed ?? this.world.seed, `${region}/${colour}/${from}/${to}`);
    const served = share > 0;
    const measurement: Measurement = {
      requests: Math.round(this.world.requestsPerSecond * seconds * share),
      // A colour that serves nothing has no request metrics at all: no data, not zero errors.
      errorRatePct: served ? round(0.02 + rand() * 0.06, 3) : null,
      latencyP95Ms: served ? round(120 + rand() * 60, 1) : null,
      cpuPct: round(30 + rand() * 15, 1),
      memoryPct: round(40 + rand() * 15, 1),
      healthStatus: 200,
    };
    const release = this.world.releaseColour(region);
    if (stagePercent === null || release === null) return measurement;
    const fault = this.faultsAt(region, stagePercent);
    if (colour !== release) return this.baseline(measurement, fault);
    if (fault.noData && this.noDataNow(region, colour, stagePercent, fault.noData)) return { ...NO_DATA };
    const faulted: Measurement = { ...measurement, ...pick(fault, METRIC_KEYS) };
    if (fault.requests === undefined) return faulted;
    // So few requests: the error rate is the share of them that failed; none at all is no request data.
    return fault.requests === 0 ? { ...faulted, requests: 0, errorRatePct: null, latencyP95Ms: null } : { ...faulted, requests: fault.requests };
  }

  /** The old colour: its error rate and p95 forced when the fault says so, only while it serves. */
  private baseline(measurement: Measurement, fault: FaultValues): Measurement {
    if (measurement.errorRatePct === null) return measurement;
    return {
      ...measurement,
      ...(fault.baselineErrorRatePct !== undefined ? { errorRatePct: fault.baselineErrorRatePct } : {}),
      ...(fault.baselineLatencyP95Ms !== undefined ? { latencyP95Ms: fault.baselineLatencyP95Ms } : {}),
    };
  }

  /** Samples 1..k of every n of this deploy at this stage have no data. */
  private noDataNow(region: string, colour: Colour, stagePercent: number, { k, n }: { k: number; n: number }): boolean {
    const key = `${region}/${stagePercent}/${this.world.installedOn(region, colour)?.at ?? 0}`;
    const index = this.taken.get(key) ?? 0;
    this.taken.set(key, index + 1);
    return index % n < k;
  }

  private faultsAt(region: string, stagePercent: number): FaultValues {
    const fromConfig = [...(this.options.faults ?? []), ...(this.options.injected?.(region) ?? [])].filter((f) => f.stagePercent === stagePercent);
    const fromCode = this.world.faults().filter((f) => f.region === region && f.stagePercent === stagePercent);
    const merged: FaultValues = {};
    for (const f of fromConfig) Object.assign(merged, valuesOf(f));
    for (const f of fromCode) Object.assign(merged, valuesOf(f.values));
    return merged;
  }
}

const FAULT_KEYS = [...METRIC_KEYS, "requests", "noData", "trafficErrors", "baselineErrorRatePct", "baselineLatencyP95Ms"] as const;

/** The fault's own values, without `stagePercent` or anything else a config row carries. */
function valuesOf(f: FaultValues): FaultValues {
  return pick(f, FAULT_KEYS);
}

function pick<K extends keyof FaultValues>(f: FaultValues, keys: readonly K[]): Pick<FaultValues, K> {
  const out: FaultValues = {};
  for (const key of keys) if (f[key] !== undefined) Object.assign(out, { [key]: f[key] });
  return out as Pick<FaultValues, K>;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Simulated metrics: healthy by default, with noise drawn from a seeded generator so the same region, colour
 * and window always give the same figures, well inside every threshold. Faults (from the config, injected from
 * the dashboard, and from code) replace values of the new colour at one canary stage.
 */
import type { FaultValues, SimulatedWorld } from "../simulated-world";
import type { Measurement, MeasureInput, MetricsProvider } from "../types";
import { noiseFor } from "./noise";

export type SimulatedMetricsOptions = {
  /** The region's `metrics.faults` from the config. */
  faults?: Array<FaultValues & { stagePercent: number }>;
  /** The region's `metrics.seed`; the world's seed otherwise. */
  seed?: number;
  /** Faults injected while the server runs (the dashboard's fault drill), read at every measurement. */
  injected?: (region: string) => Array<FaultValues & { stagePercent: number }>;
};

export class SimulatedMetricsProvider implements MetricsProvider {
  constructor(
    private readonly world: SimulatedWorld,
    private readonly options: SimulatedMetricsOptions = {},
  ) {}

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
    if (stagePercent === null || this.world.releaseColour(region) !== colour) return measurement;
    return { ...measurement, ...this.faultsAt(region, stagePercent) };
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

function valuesOf(f: FaultValues): FaultValues {
  const out: FaultValues = {};
  for (const key of ["errorRatePct", "latencyP95Ms", "cpuPct", "memoryPct", "healthStatus"] as const) {
    if (f[key] !== undefined) out[key] = f[key];
  }
  return out;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

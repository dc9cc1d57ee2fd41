/**
 * The demo fleet's pretend infrastructure, shared by the three simulated providers: what each load balancer
 * holds, what each colour runs, every call made so far, and the faults injected from code. With `stateFile` it
 * survives a restart, as a real load balancer would (the crash test counts deploys and weight changes in it).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { ArtifactRef, Colour, TrafficSplit } from "./types";

/** What goes wrong in a region at one canary stage: metric values forced on the new colour, and more. */
export type FaultValues = {
  errorRatePct?: number;
  latencyP95Ms?: number;
  cpuPct?: number;
  memoryPct?: number;
  healthStatus?: number;
  /** Requests the new colour serves per sample (0: no request metrics at all). */
  requests?: number;
  /** `k` of every `n` samples of the new colour have no data (samples 1..k of each n, counted per deploy). */
  noData?: { k: number; n: number };
  /** The load balancer fails this many weight changes once the stage's traffic is in place (retryable errors). */
  trafficErrors?: number;
  /** The old colour's error rate and p95 at that stage. */
  baselineErrorRatePct?: number;
  baselineLatencyP95Ms?: number;
};
export type InjectedFault = { region: string; stagePercent: number; values: FaultValues; trafficArmed?: boolean };
export type DeployCall = { region: string; colour: Colour; version: string; digest: string; correlationId: string; at: number };
export type WeightCall = { region: string; colour: Colour; canaryPct: number; split: TrafficSplit; at: number };

type WorldState = {
  weights: Record<string, TrafficSplit>;
  /** What each colour of each region runs, and when it was installed. */
  installed: Record<string, Partial<Record<Colour, ArtifactRef & { at: number }>>>;
  deployCalls: DeployCall[];
  weightCalls: WeightCall[];
  faults: InjectedFault[];
  /** Weight changes still to fail per region (armed by a `trafficErrors` fault). */
  trafficFailures?: Record<string, number>;
};

export type SimulatedWorldOptions = {
  /** Seed of the metric noise (a region's `metrics.seed` in the config wins). */
  seed?: number;
  /** Keep the world in this JSON file so another process (or a restart) sees it. */
  stateFile?: string;
  /** Requests a region serves per second, all colours together. */
  requestsPerSecond?: number;
  /** Keep the call logs (off for long benchmarks). */
  recordCalls?: boolean;
};

const ALL_BLUE: TrafficSplit = { blue: 100, green: 0 };

export class SimulatedWorld {
  readonly seed: number;
  readonly requestsPerSecond: number;
  private readonly stateFile?: string;
  private readonly recordCalls: boolean;
  private state: WorldState;

  constructor(options: SimulatedWorldOptions = {}) {
    this.seed = options.seed ?? 1;
    this.requestsPerSecond = options.requestsPerSecond ?? 20;
    this.stateFile = options.stateFile;
    this.recordCalls = options.recordCalls ?? true;
    this.state = this.stateFile && existsSync(this.stateFile) ? (JSON.parse(readFileSync(this.stateFile, "utf8")) as WorldState) : emptyState();
  }

  /** The split the region's load balancer holds now (all on blue until told otherwise). */
  weightOf(region: string): TrafficSplit {
    return { ...(this.state.weights[region] ?? ALL_BLUE) };
  }

  setWeights(region: string, colour: Colour, canaryPct: number, split: TrafficSplit, at: number): void {
    this.state.weights[region] = { ...split };
    if (this.recordCalls) this.state.weightCalls.push({ region, colour, canaryPct, split: { ...split }, at });
    this.save();
  }

  install(call: DeployCall, artifact: ArtifactRef): void {
    (this.state.installed[call.region] ??= {})[call.colour] = { ...artifact, at: call.at };
    if (this.recordCalls) this.state.deployCalls.push(call);
    this.save();
  }

  installedOn(region: string, colour: Colour): (ArtifactRef & { at: number }) | null {
    return this.state.installed[region]?.[colour] ?? null;
  }

  /** The colour that received the latest deploy in a region: the release under test, where faults show. */
  releaseColour(region: string): Colour | null {
    const installed = this.state.installed[region];
    if (!installed) return null;
    const blue = installed.blue?.at ?? -Infinity;
    const green = installed.green?.at ?? -Infinity;
    if (blue === -Infinity && green === -Infinity) return null;
    return green >= blue ? "green" : "blue";
  }

  injectFault(region: string, stagePercent: number, values: FaultValues): void {
    this.state.faults.push({ region, stagePercent, values: { ...values } });
    this.save();
  }

  clearFaults(region?: string): void {
    this.state.faults = region ? this.state.faults.filter((f) => f.region !== region) : [];
    if (this.state.trafficFailures) {
      if (region) delete this.state.trafficFailures[region];
      else this.state.trafficFailures = {};
    }
    this.save();
  }

  faults(): InjectedFault[] {
    return this.state.faults.map((f) => ({ ...f, values: { ...f.values } }));
  }

  /**
   * The region's load balancer now holds `canaryPct` % on `colour`: a `trafficErrors` fault of that stage on
   * the release colour arms (once), and that many of the next weight changes fail.
   */
  trafficInPlace(region: string, colour: Colour, canaryPct: number): void {
    if (colour !== this.releaseColour(region)) return;
    const failures = (this.state.trafficFailures ??= {});
    let changed = false;
    for (const f of this.state.faults) {
      if (f.region !== region || f.stagePercent !== canaryPct || !f.values.trafficErrors || f.trafficArmed) continue;
      f.trafficArmed = true;
      failures[region] = (failures[region] ?? 0) + f.values.trafficErrors;
      changed = true;
    }
    if (changed) this.save();
  }

  /** Whether the region's next weight change fails (it counts as one of the armed failures); how many remain after it. */
  takeTrafficFailure(region: string): { left: number } | null {
    const failures = this.state.trafficFailures ?? {};
    if (!failures[region]) return null;
    failures[region] -= 1;
    this.save();
    return { left: failures[region] };
  }

  get deployCalls(): readonly DeployCall[] {
    return this.state.deployCalls;
  }

  get weightCalls(): readonly WeightCall[] {
    return this.state.weightCalls;
  }

  /** Read a persisted world (for a test that looks at what another process did). */
  static read(stateFile: string): SimulatedWorld {
    return new SimulatedWorld({ stateFile });
  }

  private save(): void {
    if (!this.stateFile) return;
    // Write then rename: a process killed mid-write never leaves a torn file behind.
    const tmp = `${this.stateFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state));
    renameSync(tmp, this.stateFile);
  }
}

function emptyState(): WorldState {
  return { weights: {}, installed: {}, deployCalls: [], weightCalls: [], faults: [] };
}

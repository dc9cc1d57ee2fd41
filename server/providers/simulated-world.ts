/**
 * The demo fleet's pretend infrastructure, shared by the three simulated providers: what each load balancer
 * holds, what each colour runs, every call made so far, and the faults injected from code. With `stateFile` it
 * survives a restart, as a real load balancer would (the crash test counts deploys and weight changes in it),
 * and is shared by every process that names the file (replicas): each read sees the file's latest version, and
 * each change is made to that version under a lock file.
 */
import { linkSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
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
  /** The version of the state file last read (inode, change time, size): a write by any process changes it. */
  private loaded = "";

  constructor(options: SimulatedWorldOptions = {}) {
    this.seed = options.seed ?? 1;
    this.requestsPerSecond = options.requestsPerSecond ?? 20;
    this.stateFile = options.stateFile;
    this.recordCalls = options.recordCalls ?? true;
    this.state = emptyState();
  }

  /** The split the region's load balancer holds now (all on blue until told otherwise). */
  weightOf(region: string): TrafficSplit {
    return { ...(this.current().weights[region] ?? ALL_BLUE) };
  }

  setWeights(region: string, colour: Colour, canaryPct: number, split: TrafficSplit, at: number): void {
    this.change((state) => {
      state.weights[region] = { ...split };
      if (this.recordCalls) state.weightCalls.push({ region, colour, canaryPct, split: { ...split }, at });
      return true;
    });
  }

  install(call: DeployCall, artifact: ArtifactRef): void {
    this.change((state) => {
      (state.installed[call.region] ??= {})[call.colour] = { ...artifact, at: call.at };
      if (this.recordCalls) state.deployCalls.push(call);
      return true;
    });
  }

  installedOn(region: string, colour: Colour): (ArtifactRef & { at: number }) | null {
    return this.current().installed[region]?.[colour] ?? null;
  }

  /** The colour that received the latest deploy in a region: the release under test, where faults show. */
  releaseColour(region: string): Colour | null {
    const installed = this.current().installed[region];
    if (!installed) return null;
    const blue = installed.blue?.at ?? -Infinity;
    const green = installed.green?.at ?? -Infinity;
    if (blue === -Infinity && green === -Infinity) return null;
    return green >= blue ? "green" : "blue";
  }

  injectFault(region: string, stagePercent: number, values: FaultValues): void {
    this.change((state) => {
      state.faults.push({ region, stagePercent, values: { ...values } });
      return true;
    });
  }

  clearFaults(region?: string): void {
    this.change((state) => {
      state.faults = region ? state.faults.filter((f) => f.region !== region) : [];
      if (state.trafficFailures) {
        if (region) delete state.trafficFailures[region];
        else state.trafficFailures = {};
      }
      return true;
    });
  }

  faults(): InjectedFault[] {
    return this.current().faults.map((f) => ({ ...f, values: { ...f.values } }));
  }

  /**
   * The region's load balancer now holds `canaryPct` % on `colour`: a `trafficErrors` fault of that stage on
   * the release colour arms (once), and that many of the next weight changes fail.
   */
  trafficInPlace(region: string, colour: Colour, canaryPct: number): void {
    if (colour !== this.releaseColour(region)) return;
    this.change((state) => {
      const failures = (state.trafficFailures ??= {});
      let changed = false;
      for (const f of state.faults) {
        if (f.region !== region || f.stagePercent !== canaryPct || !f.values.trafficErrors || f.trafficArmed) continue;
        f.trafficArmed = true;
        failures[region] = (failures[region] ?? 0) + f.values.trafficErrors;
        changed = true;
      }
      return changed;
    });
  }

  /** Whether the region's next weight change fails (it counts as one of the armed failures); how many remain after it. */
  takeTrafficFailure(region: string): { left: number } | null {
    if (!this.current().trafficFailures?.[region]) return null;
    let taken: { left: number } | null = null;
    this.change((state) => {
      const failures = state.trafficFailures ?? {};
      if (!failures[region]) return false;
      failures[region] -= 1;
      taken = { left: failures[region] };
      return true;
    });
    return taken;
  }

  get deployCalls(): readonly DeployCall[] {
    return this.current().deployCalls;
  }

  get weightCalls(): readonly WeightCall[] {
    return this.current().weightCalls;
  }

  /** Read a persisted world (for a test that looks at what another process did). */
  static read(stateFile: string): SimulatedWorld {
    return new SimulatedWorld({ stateFile });
  }

  /** The state, read again from the state file when any process has written it since. */
  private current(): WorldState {
    if (!this.stateFile) return this.state;
    const stat = statSync(this.stateFile, { throwIfNoEntry: false });
    const version = stat ? `${stat.ino}:${stat.ctimeMs}:${stat.size}` : "";
    if (version !== this.loaded) {
      this.state = stat ? (JSON.parse(readFileSync(this.stateFile, "utf8")) as WorldState) : emptyState();
      this.loaded = version;
    }
    return this.state;
  }

  /** Apply `edit` to the latest state (it returns whether it changed anything) and save it; with a state file, under its lock. */
  private change(edit: (state: WorldState) => boolean): void {
    const { stateFile } = this;
    if (!stateFile) {
      edit(this.state);
      return;
    }
    withLockFile(`${stateFile}.lock`, () => {
      if (!edit(this.current())) return;
      // Write then rename: a process killed mid-write never leaves a torn file behind.
      const tmp = `${stateFile}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(this.state));
      renameSync(tmp, stateFile);
    });
  }
}

/** How long a change waits for another process's (sub-millisecond) hold of the lock before it gives up. */
const LOCK_WAIT_MS = 10_000;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Run `fn` holding `lock`: a file linked into place (so it appears whole, with the holder's pid in it) only when
 * none is there. A lock left by a process that died holding it (its pid is gone) is removed; a live holder is
 * waited for, at most LOCK_WAIT_MS.
 */
function withLockFile(lock: string, fn: () => void): void {
  const mine = `${lock}.${process.pid}`;
  writeFileSync(mine, String(process.pid));
  const until = Date.now() + LOCK_WAIT_MS;
  try {
    while (!linked(mine, lock)) {
      const holder = holderOf(lock);
      if (holder !== null && !processExists(holder)) unlinkIfThere(lock);
      else if (Date.now() > until) throw new Error(`the simulated world's lock ${lock} is held by process ${holder} for over ${LOCK_WAIT_MS / 1000} s`);
      else Atomics.wait(pause, 0, 0, 1);
    }
  } finally {
    unlinkSync(mine);
  }
  try {
    fn();
  } finally {
    unlinkSync(lock);
  }
}

function linked(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
}

/** The pid in a lock file; null when it was released meanwhile. */
function holderOf(lock: string): number | null {
  try {
    return Number(readFileSync(lock, "utf8"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

function unlinkIfThere(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

function emptyState(): WorldState {
  return { weights: {}, installed: {}, deployCalls: [], weightCalls: [], faults: [] };
}

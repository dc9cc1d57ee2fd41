/**
 * What the engine needs from the outside world, one interface per kind. Providers never touch the database;
 * they are given everything they need (region, colour, artifact, a cancel signal) and report back.
 */
import type { Colour, DeployVerification, Measurement } from "@/server/engine/machine/types";

export type { Colour, DeployVerification, Measurement };

/** A failure talking to a deploy target, a load balancer or a metrics store, in words an operator can act on. */
export class ProviderError extends Error {
  constructor(
    readonly provider: string,
    message: string,
    /** A transient failure (timeout, connection refused): trying again later may work. */
    readonly retryable: boolean = false,
  ) {
    super(message);
    this.name = "ProviderError";
  }
}

export type ArtifactRef = { version: string; digest: string; url: string | null };

export type DeployInput = {
  region: string;
  colour: Colour;
  artifact: ArtifactRef;
  correlationId: string;
  signal?: AbortSignal;
};

/** The deploy's log, and what it verified on the host (the digest; the health check's URL and status when one ran). */
export type DeployResult = { log: string[]; verified?: DeployVerification };

export interface DeployProvider {
  /** Install the artifact on the colour's hosts, verify its digest there, and health-check it. Throws ProviderError. */
  deploy(input: DeployInput): Promise<DeployResult>;
  /**
   * What the colour's host runs now, read without changing anything: how a deploy cut short by a crash is known
   * to have finished (see `alreadyDeployed`). `artifact` fills the health URL's placeholders. Throws ProviderError.
   */
  status(input: DeployInput): Promise<DeployStatus>;
}

/** A colour's host as read by `DeployProvider.status`. */
export type DeployStatus = {
  /** The release the colour serves from, with the digest recorded when it was verified and installed; null when none. */
  current: { version: string; digest: string } | null;
  /** Whether the deploy of `current` ran past its restart (one cut short after switching to it did not). */
  restarted: boolean;
  /** The health check's answer now (status null: no answer), or null when none is configured. */
  health: { url: string; status: number | null } | null;
};

/**
 * Whether a deploy of `artifact` is already done on the host: that release is current with the same digest,
 * was restarted, and answers its health check (when one is configured). Its verification then, else null.
 */
export function alreadyDeployed(status: DeployStatus, artifact: ArtifactRef): DeployVerification | null {
  const { current, health } = status;
  if (current?.version !== artifact.version || current.digest !== artifact.digest || !status.restarted) return null;
  if (health && health.status !== 200) return null;
  return { digest: artifact.digest, health: health && { url: health.url, status: 200 } };
}

/** Percent of a region's requests on each colour; the two add up to 100. */
export type TrafficSplit = { blue: number; green: number };

/** `correlationId`, when given, goes on the provider's outgoing requests (traceparent, x-correlation-id). */
export type SetWeightInput = { region: string; colour: Colour; canaryPct: number; correlationId?: string; signal?: AbortSignal };
export type GetWeightInput = { region: string; correlationId?: string; signal?: AbortSignal };

export interface TrafficProvider {
  /** Send `canaryPct` % to `colour` and the rest to the other one. Resolves only once read back equal; else throws. */
  setWeight(input: SetWeightInput): Promise<TrafficSplit>;
  getWeight(input: GetWeightInput): Promise<TrafficSplit>;
}

export type MeasureInput = {
  region: string;
  colour: Colour;
  /** The service being rolled out: `{service}` in PromQL templates (default: the fleet's first service). */
  service?: string;
  /** The canary stage in effect (the simulator injects faults per stage; real stores ignore it). */
  stagePercent: number | null;
  from: number;
  to: number;
  /** The rollout's correlation id, for the outgoing requests' trace headers. */
  correlationId?: string;
  signal?: AbortSignal;
};

/** One window of a colour's past, as the metrics store recorded it. */
export type HistorySample = { from: number; to: number; measurement: Measurement };
export type HistoryInput = Omit<MeasureInput, "stagePercent"> & { stagePercent?: number | null; stepMs: number };

export interface MetricsProvider {
  /** What the colour did over [from, to]. No data is nulls, never an error; a store that cannot be reached throws. */
  measure(input: MeasureInput): Promise<Measurement>;
  /**
   * Windows of `stepMs` each, ending at from + stepMs, from + 2·stepMs, … ≤ to, as the store recorded them: how
   * windows missed while the runner was down are judged one by one (a short burst is not averaged away).
   */
  history?(input: HistoryInput): Promise<HistorySample[]>;
}

/** What a colour has answered since the load balancer started (or its counters were cleared): cumulative. */
export type RequestCounters = {
  requests: number;
  errors: number;
  /** The load balancer's average response time and total time over its last requests, ms; null before any. */
  responseMs: number | null;
  totalMs: number | null;
  /** The colour's server state as the load balancer shows it (`UP`, `DOWN`, `MAINT`, `no check`…). */
  status: string;
};

/** Request counters read from the load balancer between two regular samples (`metrics.fast`). */
export interface FastMetricsProvider {
  /** How often to read them, ms. */
  readonly intervalMs: number;
  /** Both colours' cumulative counters. Throws ProviderError (retryable when the load balancer cannot be reached). */
  counters(input: { region: string; signal?: AbortSignal }): Promise<Record<Colour, RequestCounters>>;
}

/** The providers of one region: `fast` only when its metrics have a fast source. */
export type RegionProviders = { deploy: DeployProvider; traffic: TrafficProvider; metrics: MetricsProvider; fast?: FastMetricsProvider };

/** The split that sends `canaryPct` % to `colour`. */
export function splitFor(colour: Colour, canaryPct: number): TrafficSplit {
  return colour === "green" ? { blue: 100 - canaryPct, green: canaryPct } : { blue: canaryPct, green: 100 - canaryPct };
}

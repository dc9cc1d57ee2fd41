/**
 * What the engine needs from the outside world, one interface per kind. Providers never touch the database;
 * they are given everything they need (region, colour, artifact, a cancel signal) and report back.
 */
import type { Colour, Measurement } from "@/server/engine/machine/types";

export type { Colour, Measurement };

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

export interface DeployProvider {
  /** Install the artifact on the colour's hosts, verify its digest there, and health-check it. Throws ProviderError. */
  deploy(input: DeployInput): Promise<{ log: string[] }>;
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

export interface MetricsProvider {
  /** What the colour did over [from, to]. No data is nulls, never an error; a store that cannot be reached throws. */
  measure(input: MeasureInput): Promise<Measurement>;
}

/** The three providers of one region. */
export type RegionProviders = { deploy: DeployProvider; traffic: TrafficProvider; metrics: MetricsProvider };

/** The split that sends `canaryPct` % to `colour`. */
export function splitFor(colour: Colour, canaryPct: number): TrafficSplit {
  return colour === "green" ? { blue: 100 - canaryPct, green: canaryPct } : { blue: canaryPct, green: 100 - canaryPct };
}

/**
 * Instruments for the rollback benchmark, from outside the engine: the region's real providers wrapped so
 * each setWeight and each measure is timed, green's raw 5xx samples from Prometheus, and the round trip of
 * one HAProxy runtime API command.
 */
import { runtimeCommand } from "@/lab/flightdeck-harness";
import type { Colour, RegionProviders } from "@/server/providers/types";

/** Wall-clock ms with sub-millisecond precision. */
export const preciseNow = () => performance.timeOrigin + performance.now();

export type WeightCall = { canaryPct: number; startedAt: number; endedAt: number };
export type MeasureCall = { colour: Colour; to: number; startedAt: number; endedAt: number };

export function instrument(providersFor: (regionId: string) => RegionProviders) {
  const weightCalls: WeightCall[] = [];
  const measureCalls: MeasureCall[] = [];
  const wrapped = new Map<string, RegionProviders>();
  return {
    weightCalls,
    measureCalls,
    reset() {
      weightCalls.length = 0;
      measureCalls.length = 0;
    },
    providersFor(regionId: string): RegionProviders {
      const cached = wrapped.get(regionId);
      if (cached) return cached;
      const real = providersFor(regionId);
      const providers: RegionProviders = {
        deploy: real.deploy,
        traffic: {
          getWeight: (input) => real.traffic.getWeight(input),
          async setWeight(input) {
            const startedAt = preciseNow();
            const split = await real.traffic.setWeight(input);
            weightCalls.push({ canaryPct: input.canaryPct, startedAt, endedAt: preciseNow() });
            return split;
          },
        },
        metrics: {
          async measure(input) {
            const startedAt = preciseNow();
            try {
              return await real.metrics.measure(input);
            } finally {
              measureCalls.push({ colour: input.colour, to: input.to, startedAt, endedAt: preciseNow() });
            }
          },
        },
      };
      wrapped.set(regionId, providers);
      return providers;
    },
  };
}

/** Raw samples `[unix s, value]` of green's 5xx counter over the last two minutes before `atMs`. */
export async function greenErrorSamples(prometheusUrl: string, region: string, atMs: number): Promise<Array<[number, string]>> {
  const query = `http_requests_total{service="api",region="${region}",colour="green",code="500"}[2m]`;
  const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}&time=${(atMs / 1000).toFixed(3)}`);
  const body = (await res.json()) as { status: string; data: { result: Array<{ values: Array<[number, string]> }> } };
  if (body.status !== "success" || body.data.result.length !== 1) throw new Error(`Prometheus answered ${JSON.stringify(body).slice(0, 200)} for ${query}`);
  return body.data.result[0].values;
}

/** The median round trip of `get weight` over HAProxy's unix socket (one connection per command, as Flightdeck does). */
export async function runtimeRoundTripMs(socket: string, server: string, count = 200): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = preciseNow();
    await runtimeCommand(socket, `get weight ${server}`);
    times.push(preciseNow() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

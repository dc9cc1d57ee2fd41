/**
 * Instruments for the rollback benchmark, from outside the engine: the region's real providers wrapped so
 * each setWeight, each measure and each read of HAProxy's counters is timed, the fast source switched on or
 * off between runs (`fastOn`), green's raw 5xx samples from Prometheus, and the round trip of one HAProxy
 * runtime API command.
 */
import { runtimeCommand } from "@/lab/flightdeck-harness";
import type { Colour, FastMetricsProvider, RegionProviders } from "@/server/providers/types";

/** Wall-clock ms with sub-millisecond precision. */
export const preciseNow = () => performance.timeOrigin + performance.now();

export type WeightCall = { canaryPct: number; startedAt: number; endedAt: number };
export type MeasureCall = { colour: Colour; to: number; startedAt: number; endedAt: number };
export type CountersCall = { startedAt: number; endedAt: number; greenErrors: number };

export function instrument(providersFor: (regionId: string) => RegionProviders) {
  const weightCalls: WeightCall[] = [];
  const measureCalls: MeasureCall[] = [];
  const countersCalls: CountersCall[] = [];
  const wrapped = new Map<string, RegionProviders>();
  const switches = { fastOn: false };
  return {
    weightCalls,
    measureCalls,
    countersCalls,
    switches,
    reset() {
      weightCalls.length = 0;
      measureCalls.length = 0;
      countersCalls.length = 0;
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
      const fast: FastMetricsProvider | undefined = real.fast && {
        intervalMs: real.fast.intervalMs,
        async counters(input) {
          const startedAt = preciseNow();
          const counters = await real.fast!.counters(input);
          countersCalls.push({ startedAt, endedAt: preciseNow(), greenErrors: counters.green.errors });
          return counters;
        },
      };
      // Read at every reconcile pass: the engine uses the fast source only while it is switched on.
      Object.defineProperty(providers, "fast", { get: () => (switches.fastOn ? fast : undefined), enumerable: true });
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

/** The median round trip of a command (`get weight be/srv`) over HAProxy's unix socket, one connection each as Flightdeck does. */
export async function runtimeRoundTripMs(socket: string, command: string, count = 200): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = preciseNow();
    await runtimeCommand(socket, command);
    times.push(preciseNow() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/**
 * Measuring a window for the machine: the new colour and the old one over the same [from, to]. A window that
 * ended a whole interval ago or more (missed while the runner was down) is read from the metrics store's
 * history, one interval per sample, fetched once per reconcile pass for every missed window, so a short burst
 * inside a long outage is judged on its own rather than averaged away. The live window is measured as it is.
 * A metrics store that cannot be reached (or answers garbage) is no data, and the observation carries why.
 */
import type { Logger } from "pino";
import { isPastWindow } from "@/server/engine/machine/decide-canary";
import type { Colour, Measurement, Observation } from "@/server/engine/machine/types";
import type { HistorySample, MetricsProvider } from "@/server/providers/types";
import type { RegionRolloutContext } from "../store/load";

const NO_DATA: Measurement = { requests: null, errorRatePct: null, latencyP95Ms: null, cpuPct: null, memoryPct: null, healthStatus: null };

/** Most missed windows read with one history request. */
const HISTORY_WINDOWS = 200;

type ObserveDeps = { metrics: MetricsProvider; now: number; signal?: AbortSignal; log: Logger };

/** History read during one reconcile pass, per colour: the windows that ended before the pass began. */
export type HistoryCache = Map<Colour, { from: number; to: number; samples: HistorySample[] | null }>;

export async function observeWindow(deps: ObserveDeps, ctx: RegionRolloutContext, from: number, to: number, history: HistoryCache): Promise<Observation> {
  const { metrics, signal, log } = deps;
  const stagePercent = ctx.stages[ctx.state.stageIndex]?.percent ?? null;
  const base = { region: ctx.row.regionId, service: ctx.rollout.serviceId, correlationId: ctx.rollout.correlationId, signal };
  const interval = to - from;
  const missed = isPastWindow(to, deps.now, ctx.analysis.intervalMs) && typeof metrics.history === "function";

  const fromHistory = async (colour: Colour): Promise<Measurement | null> => {
    let cached = history.get(colour);
    if (!cached || from < cached.from || to > cached.to) {
      const windows = Math.min(HISTORY_WINDOWS, Math.floor((deps.now - from) / interval));
      const until = from + windows * interval;
      try {
        cached = { from, to: until, samples: await metrics.history!({ ...base, colour, stagePercent, from, to: until, stepMs: interval }) };
      } catch (err) {
        if (err instanceof Error && err.name === "AbortError") throw err;
        log.warn({ colour, err: err instanceof Error ? err.message : String(err) }, "metrics history unavailable; measuring the missed window instead");
        cached = { from, to: until, samples: null };
      }
      history.set(colour, cached);
    }
    return cached.samples?.find((s) => s.from === from && s.to === to)?.measurement ?? null;
  };

  const measure = async (colour: Colour): Promise<{ measurement: Measurement; error: string | null }> => {
    try {
      const past = missed ? await fromHistory(colour) : null;
      const measurement = past ?? (await metrics.measure({ ...base, colour, stagePercent, from, to }));
      return { measurement, error: null };
    } catch (err) {
      if (err instanceof Error && err.name === "AbortError") throw err;
      const error = err instanceof Error ? err.message : String(err);
      log.warn({ colour, err: error }, "metrics unavailable; the sample counts as no data");
      return { measurement: NO_DATA, error };
    }
  };
  const [canary, baseline] = await Promise.all([measure(ctx.state.toColour), measure(ctx.state.fromColour)]);
  return { from, to, canary: canary.measurement, baseline: baseline.measurement, ...(canary.error ? { metricsError: canary.error } : {}) };
}
